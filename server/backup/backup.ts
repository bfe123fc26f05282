import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';

/**
 * A backup is a gzipped text file: one JSON header line, then every table's rows in
 * PostgreSQL's COPY text format, each table ended by a `\.` line (a line COPY never
 * writes as data), then one JSON trailer line with the row counts, so that a cut-off
 * file is refused rather than half restored.
 */
export const BACKUP_FORMAT = 'sipas-backup/1';
const END_OF_TABLE = '\\.';

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  createdAt: string;
  /** Last migration of the schema the rows belong to. */
  migration: string;
  tables: { name: string; columns: string[] }[];
}

interface BackupTrailer {
  rows: Record<string, number>;
}

// Kysely's own bookkeeping is recreated by the migrations on the other side.
const NOT_BACKED_UP = new Set(['kysely_migration', 'kysely_migration_lock']);

/** The platform's tables, each after the tables it refers to, with their columns. */
async function tablesInLoadOrder(client: pg.ClientBase): Promise<BackupHeader['tables']> {
  const { rows: columns } = await client.query<{ table_name: string; column_name: string }>(`
    select c.table_name, c.column_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
    order by c.table_name, c.ordinal_position
  `);
  const { rows: references } = await client.query<{ child: string; parent: string }>(`
    select distinct child.relname as child, parent.relname as parent
    from pg_constraint k
    join pg_class child on child.oid = k.conrelid
    join pg_class parent on parent.oid = k.confrelid
    join pg_namespace n on n.oid = child.relnamespace
    where k.contype = 'f' and n.nspname = 'public' and child.oid <> parent.oid
  `);
  const columnsOf = new Map<string, string[]>();
  for (const row of columns) {
    if (NOT_BACKED_UP.has(row.table_name)) continue;
    columnsOf.set(row.table_name, [...(columnsOf.get(row.table_name) ?? []), row.column_name]);
  }
  const ordered: BackupHeader['tables'] = [];
  const placed = new Set<string>();
  const place = (name: string, path: string[]) => {
    if (placed.has(name)) return;
    if (path.includes(name)) throw new Error(`tables refer to each other in a cycle: ${[...path, name].join(' → ')}`);
    for (const { parent } of references.filter((reference) => reference.child === name))
      if (columnsOf.has(parent)) place(parent, [...path, name]);
    placed.add(name);
    ordered.push({ name, columns: columnsOf.get(name)! });
  };
  for (const name of [...columnsOf.keys()].sort()) place(name, []);
  return ordered;
}

const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const columnList = (columns: string[]) => columns.map(identifier).join(', ');

/**
 * Writes every table of the database to `output` (uncompressed; the caller gzips) from
 * one read-only snapshot, so that a backup taken while ratings arrive is consistent:
 * every rating with its answers, and rollups that match the ratings.
 */
export async function writeBackup(
  client: pg.ClientBase,
  migration: string,
  output: Writable,
  onTable: (name: string, rows: number) => void = () => {},
): Promise<BackupTrailer> {
  const write = async (text: string | Buffer) => {
    if (!output.write(text)) await once(output, 'drain');
  };
  await client.query('begin isolation level repeatable read, read only');
  try {
    const tables = await tablesInLoadOrder(client);
    const header: BackupHeader = { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), migration, tables };
    await write(`${JSON.stringify(header)}\n`);
    const rows: Record<string, number> = {};
    for (const table of tables) {
      let count = 0;
      const stream = client.query(
        copyTo(`copy ${identifier(table.name)} (${columnList(table.columns)}) to stdout`),
      ) as Readable;
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
        await write(chunk);
      }
      await write(`${END_OF_TABLE}\n`);
      rows[table.name] = count;
      onTable(table.name, count);
    }
    const trailer: BackupTrailer = { rows };
    await write(`${JSON.stringify(trailer)}\n`);
    await client.query('commit');
    return trailer;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

export class BackupFormatError extends Error {
  override name = 'BackupFormatError';
}

/** The next line parsed as JSON, or undefined at the end or on a line that is not JSON. */
async function jsonLine<T>(lines: AsyncIterator<string>): Promise<Partial<T> | undefined> {
  const line = await lines.next();
  if (line.done) return undefined;
  try {
    return JSON.parse(line.value) as Partial<T>;
  } catch {
    return undefined;
  }
}

/** Reads the header of a backup, leaving the lines iterator at the first table's rows. */
export async function readHeader(lines: AsyncIterator<string>): Promise<BackupHeader> {
  const header = await jsonLine<BackupHeader>(lines);
  if (header?.format !== BACKUP_FORMAT || !Array.isArray(header.tables) || typeof header.migration !== 'string')
    throw new BackupFormatError('this file is not a SIPAS backup');
  return header as BackupHeader;
}

/** Opens a backup's text as lines. */
export function backupLines(input: Readable): AsyncIterator<string> {
  return createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
}

/**
 * Loads a backup into a database migrated to the backup's schema, in one transaction:
 * every table is emptied (the migrations' reference data included) and refilled, and the
 * id sequences continue after the restored ids. Nothing stays if any part fails, and a
 * file cut short is refused by its missing trailer.
 */
export async function restoreBackup(
  client: pg.ClientBase,
  header: BackupHeader,
  lines: AsyncIterator<string>,
  onTable: (name: string, rows: number) => void = () => {},
): Promise<Record<string, number>> {
  await client.query('begin');
  try {
    const present = await tablesInLoadOrder(client);
    const known = new Set(present.map((table) => table.name));
    for (const table of header.tables)
      if (!known.has(table.name)) throw new BackupFormatError(`the database has no table ${table.name}`);
    await client.query(`truncate ${present.map((table) => identifier(table.name)).join(', ')} restart identity`);

    const rows: Record<string, number> = {};
    for (const table of header.tables) {
      const count = await copyTableIn(client, table, lines);
      rows[table.name] = count;
      onTable(table.name, count);
    }

    const trailer = await jsonLine<BackupTrailer>(lines);
    if (!trailer?.rows) throw new BackupFormatError('the backup is cut short: its last line is missing');
    for (const [name, count] of Object.entries(rows))
      if (trailer.rows[name] !== count)
        throw new BackupFormatError(`table ${name}: ${count} rows read, the backup says ${trailer.rows[name]}`);

    await continueIdentities(client);
    await client.query('commit');
    return rows;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

/** Streams one table's lines, up to its `\\.` line, into COPY … FROM STDIN; gives the row count. */
async function copyTableIn(
  client: pg.ClientBase,
  table: BackupHeader['tables'][number],
  lines: AsyncIterator<string>,
): Promise<number> {
  const stream = client.query(
    copyFrom(`copy ${identifier(table.name)} (${columnList(table.columns)}) from stdin`),
  ) as Writable;
  const settled = new Promise<void>((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
  });
  settled.catch(() => {});
  try {
    let count = 0;
    for (;;) {
      const line = await lines.next();
      if (line.done) throw new BackupFormatError(`the backup ends in the middle of table ${table.name}`);
      if (line.value === END_OF_TABLE) break;
      count++;
      // A bad row ends the load at once rather than at the table's end.
      if (!stream.write(`${line.value}\n`)) await Promise.race([once(stream, 'drain'), settled]);
    }
    stream.end();
    await settled;
    return count;
  } catch (error) {
    // The connection stays in COPY mode until the server is told the copy failed.
    if (!stream.destroyed) {
      const closed = once(stream, 'close').catch(() => {});
      stream.destroy(error as Error);
      await closed;
    }
    throw error;
  }
}

/** Sets every identity column's sequence past the largest id restored. */
async function continueIdentities(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' and is_identity = 'YES'
  `);
  for (const { table_name: table, column_name: column } of rows) {
    await client.query(
      `select setval(pg_get_serial_sequence($1, $2), coalesce((select max(${identifier(column)}) from ${identifier(table)}), 0) + 1, false)`,
      [identifier(table), column],
    );
  }
}

/** Whether the database holds units, accounts or ratings: a restore never overwrites those. */
export async function holdsPlatformData(client: pg.ClientBase): Promise<boolean> {
  for (const table of ['unit', 'official', 'response']) {
    const { rows } = await client.query<{ present: boolean }>('select to_regclass($1) is not null as present', [table]);
    if (!rows[0]!.present) continue;
    const used = await client.query(`select 1 from ${identifier(table)} limit 1`);
    if (used.rowCount) return true;
  }
  return false;
}
