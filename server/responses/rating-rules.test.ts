import { describe, expect, it } from 'vitest';
import type { KioskDevice } from '../kiosks/kiosk-device.table.ts';
import type { QuestionnaireDefinition } from '../questionnaires/questionnaire.repository.ts';
import type { Question, Reason } from '../questionnaires/questionnaire.table.ts';
import { checkRating, ratedAt, requestHash, type RatingContext, type Submission } from './rating-rules.ts';

const now = new Date('2026-06-10T03:00:00Z');
const policy = { perSource: 30, perKiosk: 2000, windowSeconds: 600 };

const overall = { id: 1, code: 'overall', role: 'overall' } as Question;
const quick: QuestionnaireDefinition = {
  questionnaire: { id: 'quick-1' } as QuestionnaireDefinition['questionnaire'],
  questions: [overall],
  reasons: [],
  overall,
  questionByCode: new Map([['overall', overall]]),
  reasonByCode: new Map([['wait_long', { id: 7, code: 'wait_long' } as Reason]]),
  elements: [],
};
const desk = {
  id: 3,
  code: 'hacthanh1',
  unit_id: 11,
  active: true,
  inactive_since: null,
  unit_valid_until: null,
  domains: [{ id: 1, code: 'land' }],
  follow_up_days: 5,
};
const context: RatingContext = { token: undefined, desk, device: undefined, questionnaire: quick };

function rating(body: Record<string, unknown> = {}, extra: Partial<Submission> = {}): Submission {
  return {
    body: {
      deskCode: 'hacthanh1',
      domain: 'land',
      questionnaireId: 'quick-1',
      answers: { overall: 4 },
      language: 'vi',
      channel: 'qr',
      idempotencyKey: 'k'.repeat(20),
      ...body,
    } as Submission['body'],
    bucket: Buffer.alloc(16),
    receivedAt: now,
    ...extra,
  };
}

const codeOf = (result: ReturnType<typeof checkRating>) => (result.ok ? 'ok' : result.error.code);

describe('the rules of a rating', () => {
  it('accepts a rating of a served domain at an open desk, against the network’s allowance', () => {
    const result = checkRating(rating(), context, policy);
    expect(result.ok && [result.rating.domainId, result.rating.allowance.limit]).toEqual([1, 30]);
  });

  it('refuses an unknown desk, an unserved domain, a missing overall answer and reasons after a high rating', () => {
    expect(codeOf(checkRating(rating(), { ...context, desk: undefined }, policy))).toBe('desk_not_found');
    expect(codeOf(checkRating(rating({ domain: 'health' }), context, policy))).toBe('invalid_rating');
    expect(codeOf(checkRating(rating({ answers: { overall: null } }), context, policy))).toBe('invalid_rating');
    const high = checkRating(rating({ answers: { overall: 5 }, reasons: ['wait_long'] }), context, policy);
    expect(high.ok ? [] : high.error.fields?.map((field) => field.code)).toEqual(['reasons_not_allowed']);
  });

  it('judges the desk at the time the rating was made', () => {
    const stopped = { ...desk, active: false, inactive_since: new Date('2026-06-10T02:00:00Z') };
    const madeBefore = rating({ clientTime: '2026-06-10T08:30:00+07:00' });
    const madeAfter = rating({ clientTime: '2026-06-10T09:30:00+07:00' });
    expect(codeOf(checkRating(madeBefore, { ...context, desk: stopped }, policy))).toBe('ok');
    expect(codeOf(checkRating(madeAfter, { ...context, desk: stopped }, policy))).toBe('desk_inactive');
  });

  it('takes kiosk ratings only with the key of a kiosk tablet of this desk, against the tablet’s allowance', () => {
    const kiosk = { id: 5, desk_id: 3, purpose: 'kiosk', revoked_at: null } as KioskDevice;
    const withKey = rating({ channel: 'kiosk' }, { kioskKey: 'x' });
    expect(codeOf(checkRating(rating({ channel: 'kiosk' }), context, policy))).toBe('kiosk_key_required');
    const accepted = checkRating(withKey, { ...context, device: kiosk }, policy);
    expect(accepted.ok && accepted.rating.allowance).toMatchObject({ limit: 2000, kioskDeviceId: 5 });
    const receipts = { ...kiosk, purpose: 'receipts' } as KioskDevice;
    expect(codeOf(checkRating(withKey, { ...context, device: receipts }, policy))).toBe('kiosk_not_paired');
    expect(codeOf(checkRating(withKey, { ...context, device: { ...kiosk, desk_id: 4 } }, policy))).toBe(
      'kiosk_not_paired',
    );
    expect(codeOf(checkRating(withKey, { ...context, device: { ...kiosk, revoked_at: now } }, policy))).toBe(
      'kiosk_not_paired',
    );
  });

  it('refuses a used or expired receipt code', () => {
    const token = { id: 1, desk_id: 3, domain_id: 1, used_at: null, expires_at: new Date('2026-07-01T00:00:00Z') };
    const withToken = rating({ deskCode: undefined, dossierToken: 't'.repeat(20), channel: 'dossier' });
    const tokenContext = (changes: object) => ({
      ...context,
      token: { ...token, ...changes } as RatingContext['token'],
    });
    expect(codeOf(checkRating(withToken, tokenContext({}), policy))).toBe('ok');
    expect(codeOf(checkRating(withToken, tokenContext({ used_at: now }), policy))).toBe('dossier_token_used');
    expect(codeOf(checkRating(withToken, tokenContext({ expires_at: now }), policy))).toBe('dossier_token_expired');
  });
});

describe('the time a rating counts in', () => {
  it('is the device’s time when plausible, else the arrival', () => {
    expect(ratedAt('2026-06-09T10:00:00+07:00', now).toISOString()).toBe('2026-06-09T03:00:00.000Z');
    expect(ratedAt('2026-01-01T00:00:00Z', now)).toBe(now); // older than 90 days
    expect(ratedAt('2026-06-10T03:10:00Z', now)).toBe(now); // ahead of the server
    expect(ratedAt(undefined, now)).toBe(now);
  });
});

describe('the fingerprint of a request', () => {
  it('is the same for the same body whatever the order of its keys', () => {
    expect(requestHash(rating({ language: 'vi', channel: 'qr' }).body)).toEqual(
      requestHash({ ...rating().body, channel: 'qr', language: 'vi' }),
    );
    expect(requestHash(rating({ answers: { overall: 3 } }).body)).not.toEqual(requestHash(rating().body));
  });
});
