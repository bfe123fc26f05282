import { sql } from 'kysely';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from '../server/db/database.ts';
import { mulberry32 } from '../server/demo/seed-demo.ts';

/**
 * Realistic national data for the report benchmarks: 34 provinces, about 3,300 communes
 * and wards plus agencies, their desks, every domain, three years of ratings loaded
 * with COPY. Everything derives from fixed seeds, so runs are comparable.
 */

export interface NationalUnits {
  countryId: number;
  provinces: { id: number; communes: number[] }[];
  desks: { id: number; code: string; unitId: number; domains: number[]; provinceIndex: number }[];
  domainCodes: Map<number, string>;
  overallQuestionId: number;
}

const PROVINCES = 34;
const COMMUNES_PER_PROVINCE = 97; // 34 × 97 = 3,298 communes and wards
const AGENCIES_PER_PROVINCE = 3; // a public-service centre, a hospital, a school

/** Creates the units (with their closure), desks and targets in a few bulk statements. */
export async function createNationalUnits(db: Db): Promise<NationalUnits> {
  const random = mulberry32(34);
  const domains = await db.selectFrom('domain').select(['id', 'code']).orderBy('position').execute();
  const domainId = (code: string) => domains.find((domain) => domain.code === code)!.id;
  const communeDomains = [
    'land',
    'construction',
    'civil_status',
    'certification',
    'labour_social',
    'environment',
    'justice',
    'other',
  ].map(domainId);
  const agencyDomains = [['land', 'construction', 'business_investment', 'transport'], ['health'], ['education']].map(
    (codes) => codes.map(domainId),
  );
  const overall = await db
    .selectFrom('question')
    .select('id')
    .where('questionnaire_id', '=', 'quick-1')
    .where('role', '=', 'overall')
    .executeTakeFirstOrThrow();

  return db.transaction().execute(async (trx) => {
    const country = await trx
      .insertInto('unit')
      .values({
        code: 'BENCH-VN',
        name: 'Toàn quốc (dữ liệu đo)',
        kind: 'country',
        parent_id: null,
        valid_from: null,
        valid_until: null,
        merged_into_id: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const provinceRows = await trx
      .insertInto('unit')
      .values(
        Array.from({ length: PROVINCES }, (_, index) => ({
          code: `BENCH-P${index + 1}`,
          name: `Tỉnh đo ${index + 1}`,
          kind: 'province' as const,
          parent_id: country.id,
          valid_from: null,
          valid_until: null,
          merged_into_id: null,
        })),
      )
      .returning('id')
      .execute();
    const provinces: NationalUnits['provinces'] = [];
    const desks: { unit_id: number; code: string; name: string; domains: number[]; provinceIndex: number }[] = [];
    const closure: { unit_id: number; ancestor_id: number }[] = [{ unit_id: country.id, ancestor_id: country.id }];
    for (const [index, province] of provinceRows.entries()) {
      closure.push(
        { unit_id: province.id, ancestor_id: province.id },
        { unit_id: province.id, ancestor_id: country.id },
      );
      const children = await trx
        .insertInto('unit')
        .values(
          Array.from({ length: COMMUNES_PER_PROVINCE + AGENCIES_PER_PROVINCE }, (_, child) => ({
            code: `BENCH-P${index + 1}-${child + 1}`,
            name:
              child < COMMUNES_PER_PROVINCE
                ? `Xã đo ${index + 1}.${child + 1}`
                : `Cơ quan đo ${index + 1}.${child + 1}`,
            kind: child < COMMUNES_PER_PROVINCE ? ('commune' as const) : ('agency' as const),
            // The second and third agencies are a hospital and a school.
            agency_sector: ([null, 'health', 'education'] as const)[child - COMMUNES_PER_PROVINCE] ?? null,
            parent_id: province.id,
            valid_from: '2025-07-01',
            valid_until: null,
            merged_into_id: null,
          })),
        )
        .returning('id')
        .execute();
      provinces.push({ id: province.id, communes: children.slice(0, COMMUNES_PER_PROVINCE).map((child) => child.id) });
      children.forEach((child, position) => {
        closure.push(
          { unit_id: child.id, ancestor_id: child.id },
          { unit_id: child.id, ancestor_id: province.id },
          { unit_id: child.id, ancestor_id: country.id },
        );
        const agency = position >= COMMUNES_PER_PROVINCE;
        const deskCount = agency ? 1 : random() < 0.5 ? 1 : 2;
        for (let desk = 0; desk < deskCount; desk++) {
          desks.push({
            unit_id: child.id,
            code: `b${index}x${position}d${desk}`.replace(/_/g, ''),
            name: `Quầy ${desk + 1}`,
            domains: agency
              ? agencyDomains[position - COMMUNES_PER_PROVINCE]!
              : communeDomains.filter(() => random() < 0.6),
            provinceIndex: index,
          });
        }
      });
    }
    for (let start = 0; start < closure.length; start += 5000) {
      await trx
        .insertInto('unit_closure')
        .values(closure.slice(start, start + 5000))
        .execute();
    }
    const created: NationalUnits['desks'] = [];
    for (let start = 0; start < desks.length; start += 2000) {
      const chunk = desks
        .slice(start, start + 2000)
        .map((desk) => ({ ...desk, domains: desk.domains.length > 0 ? desk.domains : [communeDomains[0]!] }));
      const rows = await trx
        .insertInto('desk')
        .values(chunk.map(({ unit_id, code, name }) => ({ unit_id, code, name })))
        .returning(['id', 'code', 'unit_id'])
        .execute();
      await trx
        .insertInto('desk_domain')
        .values(
          rows.flatMap((row, position) =>
            chunk[position]!.domains.map((domain_id) => ({ desk_id: row.id, domain_id })),
          ),
        )
        .execute();
      rows.forEach((row, position) =>
        created.push({
          id: row.id,
          code: row.code,
          unitId: row.unit_id,
          domains: chunk[position]!.domains,
          provinceIndex: chunk[position]!.provinceIndex,
        }),
      );
    }
    const thisYear = new Date().getFullYear();
    await trx
      .insertInto('target')
      .values(
        provinces.flatMap((province) =>
          [thisYear - 1, thisYear].flatMap((year) => [
            { unit_id: province.id, year, metric: 'tthc' as const, domain_id: null, threshold: 90 },
            ...['land', 'construction', 'health', 'education'].map((code) => ({
              unit_id: province.id,
              year,
              metric: 'domain' as const,
              domain_id: domainId(code),
              threshold: code === 'land' || code === 'construction' ? 85 : 90,
            })),
          ]),
        ),
      )
      .execute();
    return {
      countryId: country.id,
      provinces,
      desks: created,
      domainCodes: new Map(domains.map((domain) => [domain.id, domain.code])),
      overallQuestionId: overall.id,
    };
  });
}

const DAY = 86_400_000;
// Receipt ratings need receipt codes; the load is about volume, so it uses the other channels.
const CHANNELS = ['qr', 'kiosk', 'portal'] as const;

interface Rating {
  desk: NationalUnits['desks'][number];
  domain: number;
  channel: string;
  at: Date;
  score: number;
}

/** The rating with a given id: the same every time, so responses and answers load apart. */
function ratingOf(id: number, units: NationalUnits, from: number, span: number): Rating {
  const random = mulberry32(id * 2654435761);
  const desk = units.desks[Math.floor(random() * units.desks.length)]!;
  const domain = desk.domains[Math.floor(random() * desk.domains.length)]!;
  const day = Math.floor(random() * (span / DAY));
  // Office hours in Vietnam, 07:30–17:00.
  const at = new Date(from + day * DAY + (7.5 + random() * 9.5) * 3_600_000);
  const share = 0.78 + (desk.provinceIndex % 7) * 0.02 + (domain % 3) * 0.01;
  const draw = random();
  const score =
    draw < share
      ? draw < share * 0.45
        ? 5
        : 4
      : draw < share + (1 - share) / 2
        ? 3
        : draw < share + (1 - share) * 0.8
          ? 2
          : 1;
  return { desk, domain, channel: CHANNELS[Math.floor(random() * 3)]!, at, score };
}

async function copyRows(
  client: pg.PoolClient,
  statement: string,
  ids: { first: number; last: number },
  row: (id: number) => string,
  onRows: (count: number) => void,
) {
  const stream = client.query(copyFrom(statement));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const chunk = 5000;
  for (let start = ids.first; start <= ids.last; start += chunk) {
    let text = '';
    const end = Math.min(ids.last, start + chunk - 1);
    for (let id = start; id <= end; id++) text += row(id);
    if (!stream.write(text)) await new Promise((resolve) => stream.once('drain', resolve));
    onRows(end - start + 1);
  }
  stream.end();
  await done;
}

/**
 * Loads `count` more ratings over the last three years with COPY, responses then their
 * answers, without the per-row checks of foreign keys (the generator only uses ids it
 * created). The caller recomputes the rollups.
 */
export async function loadRatings(
  db: Db,
  pool: pg.Pool,
  units: NationalUnits,
  count: number,
  onProgress: (phase: string, done: number, total: number) => void,
): Promise<void> {
  const { max } = await db
    .selectFrom('response')
    .select(sql<number>`coalesce(max(id), 0)`.as('max'))
    .executeTakeFirstOrThrow();
  const ids = { first: Number(max) + 1, last: Number(max) + count };
  const to = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) - 7 * 3_600_000;
  const from = to - 3 * 365 * DAY;
  const client = await pool.connect();
  // Indexes in an order other than the ids' are built once after the load rather than
  // row by row, and checkpoints are spaced out while it runs: as a bulk load would be done.
  const { rows: deferredIndexes } = await client.query<{ name: string; definition: string }>(`
    select i.indexname as name, i.indexdef as definition from pg_indexes i
    join pg_class c on c.relname = i.indexname join pg_index x on x.indexrelid = c.oid
    where i.schemaname = 'public' and i.tablename in ('response', 'response_answer') and not x.indisunique
  `);
  await client.query(`alter system set max_wal_size = '16GB'`);
  await client.query('select pg_reload_conf()');
  try {
    for (const index of deferredIndexes) await client.query(`drop index ${index.name}`);
    await client.query('alter table response alter column id set generated by default');
    await client.query('alter table response disable trigger all');
    await client.query('alter table response_answer disable trigger all');
    let done = 0;
    await copyRows(
      client,
      'copy response (id, idempotency_key, request_hash, desk_id, unit_id, domain_id, questionnaire_id, channel, language, client_time, rated_at, received_at) from stdin (format csv)',
      ids,
      (id) => {
        const rating = ratingOf(id, units, from, to - from);
        const at = rating.at.toISOString();
        return `${id},bench-${id.toString().padStart(10, '0')},\\x00,${rating.desk.id},${rating.desk.unitId},${rating.domain},quick-1,${rating.channel},vi,${at},${at},${at}\n`;
      },
      (rows) => onProgress('responses', (done += rows), count),
    );
    done = 0;
    await copyRows(
      client,
      'copy response_answer (response_id, question_id, score) from stdin (format csv)',
      ids,
      (id) => `${id},${units.overallQuestionId},${ratingOf(id, units, from, to - from).score}\n`,
      (rows) => onProgress('answers', (done += rows), count),
    );
  } finally {
    await client.query(`set maintenance_work_mem = '1GB'`).catch(() => {});
    for (const index of deferredIndexes) await client.query(index.definition);
    await client.query('alter system reset max_wal_size').catch(() => {});
    await client.query('select pg_reload_conf()').catch(() => {});
    await client.query('alter table response enable trigger all').catch(() => {});
    await client.query('alter table response_answer enable trigger all').catch(() => {});
    await client.query('alter table response alter column id set generated always').catch(() => {});
    await client
      .query(`select setval(pg_get_serial_sequence('response', 'id'), (select max(id) from response))`)
      .catch(() => {});
    client.release();
  }
  await pool.query('analyze response, response_answer');
}
