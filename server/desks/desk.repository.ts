import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { inScope, underUnit } from '../auth/access.ts';
import type { Db, Trx } from '../db/database.ts';
import type { Domain } from '../domains/domain.table.ts';
import type { Official } from '../officials/official.table.ts';
import type { DeskOpening } from './desk-open.ts';
import type { Desk, NewDesk } from './desk.table.ts';

// No 0/o, 1/l/i: the code is read aloud and typed from posters.
const DESK_CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const DESK_CODE_LENGTH = 8;

export function generateDeskCode(): string {
  let code = '';
  for (let i = 0; i < DESK_CODE_LENGTH; i++) code += DESK_CODE_ALPHABET[randomInt(DESK_CODE_ALPHABET.length)];
  return code;
}

export interface DeskWithContext {
  desk: Desk;
  unit: { id: number; name: string; parentName: string | null; validUntil: string | null };
  domains: Pick<Domain, 'id' | 'code' | 'name_vi' | 'name_en'>[];
}

/** What decides whether the desk takes ratings (see desk-open.ts). */
export function deskOpening(context: DeskWithContext): DeskOpening {
  return {
    active: context.desk.active,
    inactiveSince: context.desk.inactive_since,
    unitValidUntil: context.unit.validUntil,
  };
}

/** Creates a desk serving the given domains, with a fresh public code unless one is given. */
export async function createDesk(
  trx: Trx,
  desk: Omit<NewDesk, 'code'> & { code?: string },
  domainIds: number[],
): Promise<Desk> {
  const created = await trx
    .insertInto('desk')
    .values({
      ...desk,
      code: desk.code ?? generateDeskCode(),
      inactive_since: desk.active === false ? new Date() : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  if (domainIds.length > 0) {
    await trx
      .insertInto('desk_domain')
      .values(domainIds.map((domain_id) => ({ desk_id: created.id, domain_id })))
      .execute();
  }
  return created;
}

/** A desk with its unit and the domains it serves, in display order. */
export async function findDeskByCode(db: Db, code: string): Promise<DeskWithContext | undefined> {
  const row = await db
    .selectFrom('desk')
    .innerJoin('unit', 'unit.id', 'desk.unit_id')
    .leftJoin('unit as parent', 'parent.id', 'unit.parent_id')
    .selectAll('desk')
    .select(['unit.name as unit_name', 'unit.valid_until as unit_valid_until', 'parent.name as parent_name'])
    .where('desk.code', '=', code)
    .executeTakeFirst();
  if (!row) return undefined;
  const { unit_name, unit_valid_until, parent_name, ...desk } = row;
  const domains = await db
    .selectFrom('desk_domain')
    .innerJoin('domain', 'domain.id', 'desk_domain.domain_id')
    .select(['domain.id', 'domain.code', 'domain.name_vi', 'domain.name_en'])
    .where('desk_domain.desk_id', '=', desk.id)
    .where('domain.active', '=', true)
    .orderBy('domain.position')
    .execute();
  return {
    desk,
    unit: { id: desk.unit_id, name: unit_name, parentName: parent_name, validUntil: unit_valid_until },
    domains,
  };
}

export async function findDeskById(db: Db, id: number): Promise<DeskWithContext | undefined> {
  const desk = await db.selectFrom('desk').select('code').where('id', '=', id).executeTakeFirst();
  return desk ? findDeskByCode(db, desk.code) : undefined;
}

/** Desks in the official's scope, under `unitId` when given, or the one desk `deskId`. */
export function listDesks(db: Db, official: Official, filter: { unitId?: number; deskId?: number }) {
  const { unitId, deskId } = filter;
  return db
    .selectFrom('desk')
    .innerJoin('unit', 'unit.id', 'desk.unit_id')
    .select([
      'desk.id',
      'desk.code',
      'desk.name',
      'desk.unit_id',
      'unit.name as unit_name',
      'desk.questionnaire_code',
      'desk.kiosk_idle_seconds',
      'desk.active',
    ])
    .select(
      sql<string[]>`coalesce((
        select array_agg(domain.code order by domain.position)
        from desk_domain join domain on domain.id = desk_domain.domain_id
        where desk_domain.desk_id = desk.id), '{}')`.as('domains'),
    )
    .select(
      sql<number>`(select count(*) from kiosk_device d where d.desk_id = desk.id and d.revoked_at is null)::integer`.as(
        'device_count',
      ),
    )
    .where(inScope(official, sql.ref('desk.unit_id')))
    .$if(unitId !== undefined, (query) => query.where(underUnit(sql.ref('desk.unit_id'), unitId!)))
    .$if(deskId !== undefined, (query) => query.where('desk.id', '=', deskId!))
    .orderBy('unit.name')
    .orderBy('desk.name')
    .execute();
}

export interface DeskChanges {
  name?: string;
  questionnaireCode?: string;
  kioskIdleSeconds?: number;
  active?: boolean;
  domainIds?: number[];
}

/** Changes a desk; stopping it records when, so that ratings made before still count. */
export async function updateDesk(trx: Trx, id: number, changes: DeskChanges): Promise<void> {
  const columns = {
    ...(changes.name !== undefined ? { name: changes.name } : {}),
    ...(changes.questionnaireCode !== undefined ? { questionnaire_code: changes.questionnaireCode } : {}),
    ...(changes.kioskIdleSeconds !== undefined ? { kiosk_idle_seconds: changes.kioskIdleSeconds } : {}),
    ...(changes.active !== undefined
      ? {
          active: changes.active,
          inactive_since: changes.active ? null : sql<Date>`coalesce(desk.inactive_since, now())`,
        }
      : {}),
  };
  if (Object.keys(columns).length > 0) await trx.updateTable('desk').set(columns).where('id', '=', id).execute();
  if (changes.domainIds) {
    await trx.deleteFrom('desk_domain').where('desk_id', '=', id).execute();
    await trx
      .insertInto('desk_domain')
      .values(changes.domainIds.map((domain_id) => ({ desk_id: id, domain_id })))
      .execute();
  }
}

/** The active desks of one unit, by name. */
export async function activeDeskIds(db: Db, unitId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('desk')
    .select('id')
    .where('unit_id', '=', unitId)
    .where('active', '=', true)
    .orderBy('name')
    .execute();
  return rows.map((row) => row.id);
}
