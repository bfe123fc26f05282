import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../server/db/database.ts';
import { createDesk, generateDeskCode } from '../server/desks/desk.repository.ts';
import type { Desk } from '../server/desks/desk.table.ts';
import { issueDossierToken } from '../server/dossiers/dossier.repository.ts';
import type { SubmissionBody } from '../server/responses/submission.schema.ts';
import { writeBatch, type Submission } from '../server/responses/write-batch.ts';
import { createUnit } from '../server/units/unit.repository.ts';
import type { NewUnit, Unit } from '../server/units/unit.table.ts';

let sequence = 0;
const unique = () => `${Date.now().toString(36)}${(sequence++).toString(36)}${randomBytes(2).toString('hex')}`;

export async function domainIds(db: Db, codes: string[]): Promise<number[]> {
  const rows = await db.selectFrom('domain').select(['id', 'code']).where('code', 'in', codes).execute();
  return codes.map((code) => {
    const row = rows.find((candidate) => candidate.code === code);
    if (!row) throw new Error(`unknown domain ${code}`);
    return row.id;
  });
}

export function makeUnit(db: Db, overrides: Partial<NewUnit> = {}): Promise<Unit> {
  return db.transaction().execute((trx) =>
    createUnit(trx, {
      code: `U-${unique()}`,
      name: `Xã Thử Nghiệm ${sequence}`,
      kind: 'commune',
      parent_id: null,
      valid_from: null,
      valid_until: null,
      merged_into_id: null,
      ...overrides,
    }),
  );
}

export async function makeDesk(
  db: Db,
  options: {
    unit?: Unit;
    domains?: string[];
    questionnaire?: 'quick' | 'full';
    active?: boolean;
    kioskIdleSeconds?: number;
  } = {},
): Promise<{ desk: Desk; unit: Unit }> {
  const unit = options.unit ?? (await makeUnit(db));
  const ids = await domainIds(db, options.domains ?? ['land', 'civil_status']);
  const desk = await db.transaction().execute((trx) =>
    createDesk(
      trx,
      {
        unit_id: unit.id,
        code: generateDeskCode(),
        name: `Quầy ${sequence++}`,
        questionnaire_code: options.questionnaire ?? 'quick',
        active: options.active ?? true,
        kiosk_idle_seconds: options.kioskIdleSeconds ?? 20,
      },
      ids,
    ),
  );
  return { desk, unit };
}

export async function makeDossierToken(
  db: Db,
  desk: Desk,
  options: { domain?: string; validDays?: number; now?: Date } = {},
): Promise<string> {
  const [domainId] = await domainIds(db, [options.domain ?? 'land']);
  const { token } = await issueDossierToken(db, {
    deskId: desk.id,
    domainId: domainId!,
    validDays: options.validDays ?? 30,
    ...(options.now ? { now: options.now } : {}),
  });
  return token;
}

/** A valid quick rating for a desk; override any field. */
export function quickRating(
  overrides: Partial<Record<keyof SubmissionBody, unknown>> & Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    deskCode: 'missing',
    domain: 'land',
    questionnaireId: 'quick-1',
    answers: { overall: 5 },
    language: 'vi',
    channel: 'qr',
    clientTime: new Date().toISOString(),
    idempotencyKey: randomUUID(),
    ...overrides,
  };
}

const UNLIMITED = { rateLimit: { perSource: 1e9, perKiosk: 1e9, windowSeconds: 600 } };

/**
 * Writes ratings through the real path (the batch writer, as the API does), one per score,
 * all made at `at` and received a minute later; resolves with their ids. Every one must be
 * written: a refusal fails the calling test.
 *
 * @example await writeRatings(db, desk, { scores: [5, 4, 2], at: '2026-05-10T09:00:00+07:00' })
 */
export async function writeRatings(
  db: Db,
  desk: Desk,
  options: { scores: number[]; at: string; domain?: string; body?: Partial<SubmissionBody> },
): Promise<number[]> {
  const submissions: Submission[] = options.scores.map((score) => ({
    body: {
      deskCode: desk.code,
      domain: options.domain ?? 'land',
      questionnaireId: 'quick-1',
      answers: { overall: score },
      language: 'vi',
      channel: 'qr',
      clientTime: options.at,
      idempotencyKey: randomUUID(),
      ...options.body,
    },
    bucket: Buffer.from('test-ratings'),
    receivedAt: new Date(Date.parse(options.at) + 60_000),
  }));
  const ids: number[] = [];
  for (let start = 0; start < submissions.length; start += 250) {
    for (const outcome of await writeBatch(db, submissions.slice(start, start + 250), UNLIMITED)) {
      if (!outcome.ok) throw new Error(`a test rating was refused: ${outcome.error.code}`);
      ids.push(outcome.id);
    }
  }
  return ids;
}

/** `satisfied` scores of 4 and the rest 2, out of `total`: a share known in advance. */
export function scoresOf(satisfied: number, total: number): number[] {
  return Array.from({ length: total }, (_, index) => (index < satisfied ? 4 : 2));
}
