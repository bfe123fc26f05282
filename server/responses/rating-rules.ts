import { createHash } from 'node:crypto';
import { deskOpenAt } from '../desks/desk-open.ts';
import type { DossierToken } from '../dossiers/dossier.table.ts';
import { AppError, type FieldProblem } from '../errors.ts';
import type { RateLimitPolicy } from '../abuse/rate-limit.ts';
import type { KioskDevice } from '../kiosks/kiosk-device.table.ts';
import type { QuestionnaireDefinition } from '../questionnaires/questionnaire.repository.ts';
import { LOW_RATING_MAX } from '../questionnaires/scale.ts';
import type { SubmissionBody } from './submission.schema.ts';

/**
 * The rules a rating must meet, as pure functions of the rating and of what the database
 * holds about the desk, receipt code and tablet it names. No I/O: the batch writer looks
 * everything up at once, then asks these rules about each rating.
 */

/** A validated request body with what the server adds to it before writing. */
export interface Submission {
  body: SubmissionBody;
  /** Abuse-control bucket of the source (keyed hash, never the address). */
  bucket: Buffer;
  receivedAt: Date;
  /** Key of the paired tablet, required with channel `kiosk`. */
  kioskKey?: string;
}

/** A desk as the rules need it. */
export interface RatingDesk {
  id: number;
  code: string;
  unit_id: number;
  active: boolean;
  inactive_since: Date | null;
  unit_valid_until: string | null;
  domains: { id: number; code: string }[];
  /** Working days the desk's unit gives itself to follow up a comment or a low rating. */
  follow_up_days: number;
}

/** What the database holds about the desk, receipt code and tablet one rating names. */
export interface RatingContext {
  token: DossierToken | undefined;
  /** The desk of the code, or of the receipt code. */
  desk: RatingDesk | undefined;
  /** The device holding the rating's kiosk key, if any. */
  device: KioskDevice | undefined;
  questionnaire: QuestionnaireDefinition | undefined;
}

/** Whose allowance a rating counts against: its network's, or its paired tablet's. */
export interface Allowance {
  bucket: Buffer;
  limit: number;
  kioskDeviceId: number | null;
}

/** A rating that met every rule, ready to be written. */
export interface AcceptedRating {
  allowance: Allowance;
  desk: RatingDesk;
  domainId: number;
  questionnaire: QuestionnaireDefinition;
  token: DossierToken | undefined;
  ratedAt: Date;
  answers: { question_id: number; score: number }[];
  reasonIds: number[];
}

export type RuleResult = { ok: true; rating: AcceptedRating } | { ok: false; error: AppError; allowance: Allowance };

/** Ratings made offline by a kiosk are accepted with their own time for this long. */
export const MAX_CLIENT_AGE_MS = 90 * 86_400_000;
/** A device clock slightly ahead of the server's is trusted up to this much. */
const MAX_CLIENT_AHEAD_MS = 5 * 60_000;

/**
 * The time a rating counts in: the device's time when plausible (not older than 90 days,
 * not ahead of the server by more than a clock's drift), else the time it arrived.
 */
export function ratedAt(clientTime: string | undefined, receivedAt: Date): Date {
  if (clientTime === undefined) return receivedAt;
  const client = new Date(clientTime);
  const age = receivedAt.getTime() - client.getTime();
  if (age < -MAX_CLIENT_AHEAD_MS || age > MAX_CLIENT_AGE_MS) return receivedAt;
  return age < 0 ? receivedAt : client;
}

/**
 * The fingerprint of a request, to tell a retry (same key, same body) from a client that
 * reuses a key for another rating.
 */
export function requestHash(body: SubmissionBody): Buffer {
  return createHash('sha256').update(canonicalJson(body)).digest();
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The allowance of a paired tablet, which sends days of queued ratings at once. */
export function kioskAllowance(deviceId: number, policy: RateLimitPolicy): Allowance {
  return {
    bucket: createHash('sha256').update(`kiosk:${deviceId}`).digest().subarray(0, 16),
    limit: policy.perKiosk,
    kioskDeviceId: deviceId,
  };
}

export function tokenUsedError(): AppError {
  return new AppError('dossier_token_used');
}

export function keyReusedError(): AppError {
  return new AppError('idempotency_key_reused', {
    fields: [
      { path: 'idempotencyKey', code: 'idempotency_key_reused', message: 'was already used for a different rating' },
    ],
  });
}

function invalidRating(problems: FieldProblem[]): AppError {
  return new AppError('invalid_rating', { fields: problems });
}

/** Whether a kiosk rating comes with the key of a tablet paired for this desk. */
function kioskProblem(submission: Submission, device: KioskDevice | undefined, desk: RatingDesk): AppError | null {
  if (!submission.kioskKey) return new AppError('kiosk_key_required');
  // A key is good only for what it was issued for: a receipt printer's key rates nothing.
  if (!device || device.purpose !== 'kiosk' || device.revoked_at !== null || device.desk_id !== desk.id) {
    return new AppError('kiosk_not_paired');
  }
  return null;
}

/** The answers and reasons of the rating, checked against its questionnaire. */
function checkAnswers(body: SubmissionBody, questionnaire: QuestionnaireDefinition) {
  const problems: FieldProblem[] = [];
  const answers: { question_id: number; score: number }[] = [];
  for (const [code, score] of Object.entries(body.answers)) {
    const question = questionnaire.questionByCode.get(code);
    if (!question) {
      problems.push({
        path: `answers.${code}`,
        code: 'unknown_question',
        message: 'is not a question of this questionnaire',
      });
    } else if (score !== null) {
      answers.push({ question_id: question.id, score });
    }
  }
  const overallScore = body.answers[questionnaire.overall.code];
  if (overallScore === undefined || overallScore === null) {
    problems.push({
      path: `answers.${questionnaire.overall.code}`,
      code: 'overall_required',
      message: 'the overall question must be answered',
    });
  }
  const reasonIds: number[] = [];
  (body.reasons ?? []).forEach((code, position) => {
    const reason = questionnaire.reasonByCode.get(code);
    if (!reason) {
      problems.push({
        path: `reasons.${position}`,
        code: 'unknown_reason',
        message: 'is not a reason of this questionnaire',
      });
    } else {
      reasonIds.push(reason.id);
    }
  });
  // Reasons explain a low rating (SIPAS quick questionnaire): a high one has none.
  if ((body.reasons?.length ?? 0) > 0 && typeof overallScore === 'number' && overallScore > LOW_RATING_MAX) {
    problems.push({
      path: 'reasons',
      code: 'reasons_not_allowed',
      message: `reasons are given only with an overall rating of ${LOW_RATING_MAX} or lower`,
    });
  }
  return { problems, answers, reasonIds };
}

/**
 * Checks one rating against the desk, receipt code, tablet and questionnaire it names.
 * A refused rating still says whose allowance the attempt counts against.
 */
export function checkRating(submission: Submission, context: RatingContext, policy: RateLimitPolicy): RuleResult {
  const { body, receivedAt } = submission;
  let allowance: Allowance = { bucket: submission.bucket, limit: policy.perSource, kioskDeviceId: null };
  const refuse = (error: AppError): RuleResult => ({ ok: false, error, allowance });
  const problems: FieldProblem[] = [];
  const desk = context.desk;
  let domainId: number | undefined;

  if (body.dossierToken !== undefined) {
    const token = context.token;
    if (!token) return refuse(new AppError('dossier_token_not_found'));
    if (token.used_at) return refuse(tokenUsedError());
    if (token.expires_at <= receivedAt) return refuse(new AppError('dossier_token_expired'));
    domainId = token.domain_id;
    const tokenDomain = desk?.domains.find((domain) => domain.id === token.domain_id);
    if (body.domain !== undefined && body.domain !== tokenDomain?.code) {
      problems.push({
        path: 'domain',
        code: 'domain_mismatch',
        message: 'differs from the domain of the receipt code',
      });
    }
  } else {
    if (!desk) return refuse(new AppError('desk_not_found'));
    const domain = desk.domains.find((candidate) => candidate.code === body.domain);
    if (!domain)
      problems.push({ path: 'domain', code: 'domain_not_served', message: 'is not a domain this desk serves' });
    domainId = domain?.id;
  }
  if (!desk) return refuse(new AppError('desk_not_found'));

  const at = ratedAt(body.clientTime, receivedAt);
  const opening = { active: desk.active, inactiveSince: desk.inactive_since, unitValidUntil: desk.unit_valid_until };
  if (!deskOpenAt(opening, at)) return refuse(new AppError('desk_inactive'));

  if (body.channel === 'kiosk') {
    const problem = kioskProblem(submission, context.device, desk);
    if (problem) return refuse(problem);
    allowance = kioskAllowance(context.device!.id, policy);
  }

  const questionnaire = context.questionnaire;
  if (!questionnaire) {
    problems.push({
      path: 'questionnaireId',
      code: 'unknown_questionnaire',
      message: 'is not a known questionnaire version',
    });
    return refuse(invalidRating(problems));
  }
  const checked = checkAnswers(body, questionnaire);
  problems.push(...checked.problems);
  if (problems.length > 0 || domainId === undefined) return refuse(invalidRating(problems));
  return {
    ok: true,
    rating: {
      allowance,
      desk,
      domainId,
      questionnaire,
      token: context.token,
      ratedAt: at,
      answers: checked.answers,
      reasonIds: checked.reasonIds,
    },
  };
}
