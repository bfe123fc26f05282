import { randomInt } from 'node:crypto';
import type { Db, Trx } from '../db/database.ts';
import type { Domain } from '../domains/domain.table.ts';
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

/** Creates a desk serving the given domains, with a fresh public code unless one is given. */
export async function createDesk(
  trx: Trx,
  desk: Omit<NewDesk, 'code'> & { code?: string },
  domainIds: number[],
): Promise<Desk> {
  const created = await trx
    .insertInto('desk')
    .values({ ...desk, code: desk.code ?? generateDeskCode() })
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
