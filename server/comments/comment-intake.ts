import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import type { AcceptedRating, Submission } from '../responses/rating-rules.ts';
import { addWorkingDays } from '../time/working-days.ts';
import { vietnamDate } from '../time/vietnam-time.ts';
import { commentElements } from './comment-elements.ts';
import { maskComment } from './comment-masking.ts';

/**
 * What a rating brings to the follow-up as it is written: its comment masked and tagged, and,
 * for a comment or a low overall rating, the day it must be answered by — the unit's working
 * days counted from the day the platform received it (a kiosk may send days after the tap,
 * and nobody could answer before it arrived).
 */
export function followUpOf(
  submission: Submission,
  rating: Pick<AcceptedRating, 'desk' | 'questionnaire'>,
): { comment: { body: string; elements: string[]; followUpCode: string | null } | null; dueOn: string | null } {
  const { body } = submission;
  const comment = body.comment
    ? (() => {
        const masked = maskComment(body.comment);
        return { body: masked, elements: commentElements(masked), followUpCode: body.followUpCode ?? null };
      })()
    : null;
  const overall = body.answers[rating.questionnaire.overall.code];
  const low = typeof overall === 'number' && overall <= LOW_RATING_MAX;
  const dueOn = comment || low ? addWorkingDays(vietnamDate(submission.receivedAt), rating.desk.follow_up_days) : null;
  return { comment, dueOn };
}
