import type { Generated, Selectable } from 'kysely';

export interface CommentTable {
  id: Generated<number>;
  response_id: number;
  body: string;
  created_at: Generated<Date>;
}

export type FollowUpStatus = 'received' | 'in_progress' | 'answered';

/** The follow-up of a comment or a low rating; a rating without a row is "received". */
export interface FollowUpTable {
  response_id: number;
  status: FollowUpStatus;
  note: string | null;
  updated_at: Generated<Date>;
  updated_by: number | null;
}

export type Comment = Selectable<CommentTable>;
