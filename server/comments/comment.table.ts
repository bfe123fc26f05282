import type { Generated, Selectable } from 'kysely';

export type CommentStatus = 'received' | 'in_progress' | 'answered';

export interface CommentTable {
  id: Generated<number>;
  response_id: number;
  body: string;
  status: Generated<CommentStatus>;
  note: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export type Comment = Selectable<CommentTable>;
