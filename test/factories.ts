import { randomBytes, randomUUID } from 'node:crypto';
import type { Db } from '../server/db/database.ts';
import { createDesk, generateDeskCode } from '../server/desks/desk.repository.ts';
import type { Desk } from '../server/desks/desk.table.ts';
import { issueDossierToken } from '../server/dossiers/dossier.repository.ts';
import type { SubmissionBody } from '../server/responses/submission.schema.ts';
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
