import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Duplex, Readable, Writable } from 'node:stream';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * A backup is a gzipped text file: one JSON header line, then every table's rows in
 * PostgreSQL's COPY text format, each table ended by a `\.` line (a line COPY never
 * writes as data), then one JSON trailer line with the row counts and the SHA-256 of
 * every line before it, so that a file cut short or altered is refused rather than
 * restored.
 */
export const BACKUP_FORMAT = 'sipas-backup/2';
/**
 * Backups written before the trailer carried a checksum: still restored, with a warning
 * that their content cannot be verified.
 */
export const UNCHECKED_BACKUP_FORMAT = 'sipas-backup/1';
const END_OF_TABLE = '\\.';

export interface BackupHeader {
  format: typeof BACKUP_FORMAT | typeof UNCHECKED_BACKUP_FORMAT;
  createdAt: string;
  /** Last migration of the schema the rows belong to. */
  migration: string;
  tables: { name: string; columns: string[] }[];
}

interface BackupTrailer {
  rows: Record<string, number>;
  /** SHA-256, in hex, of the file's uncompressed text before the trailer line. */
  sha256: string;
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
  const checksum = createHash('sha256');
  const write = async (text: string | Buffer) => {
    checksum.update(text);
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
    const trailer: BackupTrailer = { rows, sha256: checksum.digest('hex') };
    if (!output.write(`${JSON.stringify(trailer)}\n`)) await once(output, 'drain');
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

/**
 * A backup's text, line by line, with the SHA-256 of the lines read so far: the writer
 * hashed what it wrote, and every line it wrote ends with a newline.
 */
export class BackupReader {
  readonly #lines: AsyncIterator<string>;
  readonly #hash = createHash('sha256');

  constructor(input: Readable) {
    this.#lines = createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  /** The next line, or undefined at the end of the file. */
  async next(): Promise<string | undefined> {
    const line = await this.#lines.next();
    if (line.done) return undefined;
    this.#hash.update(`${line.value}\n`);
    return line.value;
  }

  /** Hex SHA-256 of every line read so far. */
  checksum(): string {
    return this.#hash.copy().digest('hex');
  }
}

/** The next line parsed as JSON, or undefined at the end or on a line that is not JSON. */
async function jsonLine<T>(reader: BackupReader): Promise<Partial<T> | undefined> {
  const line = await reader.next();
  if (line === undefined) return undefined;
  try {
    return JSON.parse(line) as Partial<T>;
  } catch {
    return undefined;
  }
}

/** Reads the header of a backup, leaving the reader at the first table's rows. */
export async function readHeader(reader: BackupReader): Promise<BackupHeader> {
  const header = await jsonLine<BackupHeader>(reader);
  if (
    (header?.format !== BACKUP_FORMAT && header?.format !== UNCHECKED_BACKUP_FORMAT) ||
    !Array.isArray(header.tables) ||
    typeof header.migration !== 'string'
  )
    throw new BackupFormatError('this file is not a SIPAS backup');
  return header as BackupHeader;
}

/**
 * Reads the trailer after the last table and checks the file against it: the rows of
 * every table, and the checksum of everything before it.
 */
async function checkTrailer(reader: BackupReader, header: BackupHeader, rows: Record<string, number>): Promise<void> {
  const checksum = reader.checksum();
  const trailer = await jsonLine<BackupTrailer>(reader);
  if (!trailer?.rows) throw new BackupFormatError('the backup is cut short: its last line is missing');
  if (header.format === BACKUP_FORMAT && trailer.sha256 !== checksum)
    throw new BackupFormatError(
      "the backup's content was altered or damaged: its SHA-256 checksum does not match the one it was written with",
    );
  for (const [name, count] of Object.entries(rows))
    if (trailer.rows[name] !== count)
      throw new BackupFormatError(`table ${name}: ${count} rows read, the backup says ${trailer.rows[name]}`);
  if ((await reader.next()) !== undefined) throw new BackupFormatError('the backup goes on after its last line');
}

/**
 * Reads a whole backup without touching any database, and refuses it if it is cut short
 * or its content differs from what was written. Gives its header, and whether its content
 * could be checked (backups of the first format carry no checksum).
 */
export async function verifyBackup(reader: BackupReader): Promise<{ header: BackupHeader; checked: boolean }> {
  const header = await readHeader(reader);
  const rows: Record<string, number> = {};
  for (const table of header.tables) {
    let count = 0;
    for (;;) {
      const line = await reader.next();
      if (line === undefined) throw new BackupFormatError(`the backup ends in the middle of table ${table.name}`);
      if (line === END_OF_TABLE) break;
      count++;
    }
    rows[table.name] = count;
  }
  await checkTrailer(reader, header, rows);
  return { header, checked: header.format === BACKUP_FORMAT };
}

/**
 * Loads a backup into a database migrated to the backup's schema, in one transaction:
 * every table is emptied (the migrations' reference data included) and refilled, and the
 * id sequences continue after the restored ids. Nothing stays if any part fails: a row
 * PostgreSQL refuses, a file cut short or altered.
 */
export async function restoreBackup(
  client: pg.ClientBase,
  header: BackupHeader,
  reader: BackupReader,
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
      const count = await copyTableIn(client, table, reader);
      rows[table.name] = count;
      onTable(table.name, count);
    }
    await checkTrailer(reader, header, rows);

    await continueIdentities(client);
    await client.query('commit');
    return rows;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

/** The parts of `pg`'s connection that COPY … FROM STDIN needs, which its typings leave out. */
interface CopyConnection {
  readonly stream: Duplex;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
}

/**
 * One COPY … FROM STDIN as a query of `pg`'s client. PostgreSQL may refuse the statement
 * (a column the table lacks) or a row half-way through: its error then settles `done` at
 * once, the rows still on their way are dropped by the server, and the connection is
 * ready for the rollback.
 */
class CopyIn {
  readonly done: Promise<void>;
  /** PostgreSQL's error, when it refused the copy by itself. */
  refusal: (Error & { where?: string }) | undefined;
  #connection: CopyConnection | undefined;
  #onStart: (() => void) | undefined;
  #resolve!: () => void;
  #reject!: (error: Error) => void;
  #settled = false;
  #failed = false;

  constructor(readonly text: string) {
    this.done = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.done.catch(() => {});
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Resolves once the server takes rows, or as soon as the copy has failed. */
  started(): Promise<void> {
    if (this.#connection || this.#settled) return Promise.resolve();
    return new Promise((resolve) => (this.#onStart = resolve));
  }

  /** Sends rows; resolves once the socket can take more. */
  async send(chunk: Buffer): Promise<void> {
    if (this.#settled) return;
    this.#connection!.sendCopyFromChunk(chunk);
    if (this.#connection!.stream.writableNeedDrain)
      await Promise.race([once(this.#connection!.stream, 'drain'), this.done.catch(() => {})]);
  }

  end(): void {
    if (!this.#settled) this.#connection!.endCopyFrom();
  }

  /** Ends the copy for a reason of the client's, and waits until the server has dropped it. */
  async fail(message: string): Promise<void> {
    if (this.#settled) return;
    this.#failed = true;
    await this.started();
    if (!this.#settled) this.#connection!.sendCopyFail(message);
    await this.done.catch(() => {});
  }

  // Called by pg's client, in the order of the protocol.
  submit(connection: pg.Connection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: pg.Connection): void {
    this.#connection = connection as unknown as CopyConnection;
    this.#onStart?.();
  }
  handleCommandComplete(): void {}
  handleReadyForQuery(): void {
    this.#settled = true;
    this.#resolve();
  }
  handleError(error: Error): void {
    if (!this.#failed) this.refusal = error;
    this.#settled = true;
    this.#reject(error);
    this.#onStart?.();
  }
}

const COPY_CHUNK_BYTES = 256 * 1024;

/** Streams one table's lines, up to its `\\.` line, into COPY … FROM STDIN; gives the row count. */
async function copyTableIn(
  client: pg.ClientBase,
  table: BackupHeader['tables'][number],
  reader: BackupReader,
): Promise<number> {
  const copy = client.query(new CopyIn(`copy ${identifier(table.name)} (${columnList(table.columns)}) from stdin`));
  try {
    await copy.started();
    let count = 0;
    let pending: string[] = [];
    let pendingLength = 0;
    // A row PostgreSQL refused ends the load at once rather than at the table's end.
    while (!copy.settled) {
      const line = await reader.next();
      if (line === undefined) throw new BackupFormatError(`the backup ends in the middle of table ${table.name}`);
      if (line === END_OF_TABLE) break;
      count++;
      pending.push(line, '\n');
      pendingLength += line.length + 1;
      if (pendingLength >= COPY_CHUNK_BYTES) {
        await copy.send(Buffer.from(pending.join('')));
        pending = [];
        pendingLength = 0;
      }
    }
    if (pendingLength > 0) await copy.send(Buffer.from(pending.join('')));
    copy.end();
    await copy.done;
    return count;
  } catch (error) {
    if (copy.refusal) {
      // PostgreSQL's own words, with the table and the row it refused.
      const { message, where } = copy.refusal;
      throw new Error(`table ${table.name}: ${message}${where ? ` (${where})` : ''}`, { cause: error });
    }
    await copy.fail(error instanceof Error ? error.message : String(error));
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
