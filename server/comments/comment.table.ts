import type { ElementCode } from '../questionnaires/questionnaire.table.ts';
import type { Generated, Selectable } from 'kysely';

export interface CommentTable {
  id: Generated<number>;
  response_id: number;
  /** As stored: masked (comment-masking.ts). */
  body: string;
  /** The SIPAS elements it speaks about (comment-elements.ts). */
  elements: Generated<ElementCode[]>;
  /** The code the citizen reads the unit's reply with, if one was given. */
  follow_up_code: string | null;
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
  /** The official who answers it. */
  assigned_to: number | null;
  /** The last working day to answer (Vietnam date, `YYYY-MM-DD`). */
  due_on: string | null;
  /** When it was passed to the managers of the parent unit, being overdue. */
  escalated_at: Date | null;
  /** The answer the citizen reads with the follow-up code; the note stays internal. */
  public_reply: string | null;
  replied_at: Date | null;
}

export type Comment = Selectable<CommentTable>;
