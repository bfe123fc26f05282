import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type PostgresPool, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

/**
 * How the platform's connections read PostgreSQL's types (set per pool, not on the `pg`
 * module, so that nothing else in the process is changed): int8 counts and ids stay far
 * below 2^53; numeric thresholds are percentages; dates are calendar days in Vietnam time
 * and must not be shifted by the server's time zone.
 */
const PARSERS = new Map<number, (value: string) => unknown>([
  [pg.types.builtins.INT8, Number],
  [pg.types.builtins.NUMERIC, Number],
  [pg.types.builtins.DATE, (value: string) => value],
]);
export const platformTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    (format ?? 'text') === 'text' && PARSERS.has(oid)
      ? PARSERS.get(oid)!
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

const PREPARED = '/* prepared */';

/**
 * A statement that PostgreSQL parses and plans once per connection rather than on every
 * run: for the few statements on the hot path of ratings, whose text never changes (lists
 * go in as arrays). Every other statement is sent unnamed as usual, so that statements of
 * varying text never pile up in the server's memory. (The pool below names the statements
 * that begin with the marker this adds.)
 *
 * @example await preparedStatement(sql`select … where id = any(${ids}::int[])`).execute(db)
 */
export function preparedStatement<Row>(statement: RawBuilder<Row>): RawBuilder<Row> {
  return sql<Row>`${sql.raw(PREPARED)}
${statement}`;
}

const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `sipas_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** The pool as Kysely sees it, sending statements marked PREPARED as named statements. */
function preparingPool(pool: pg.Pool): PostgresPool {
  return {
    connect: async () => {
      const client = await pool.connect();
      // A connection lost while the client is checked out but between statements (the
      // database restarting under an open transaction) is reported as an 'error' event,
      // which would end the process unheard. The client is then discarded on release.
      let lost: Error | undefined;
      const onError = (error: Error) => (lost = error);
      client.on('error', onError);
      return {
        query: ((textOrCursor: string | pg.Submittable, parameters?: unknown[]) =>
          typeof textOrCursor === 'string' && textOrCursor.startsWith(PREPARED)
            ? client.query({ name: statementName(textOrCursor), text: textOrCursor, values: parameters })
            : client.query(textOrCursor as string, parameters)) as never,
        release: () => {
          client.off('error', onError);
          client.release(lost);
        },
      };
    },
    end: () => pool.end(),
  };
}

export interface ConnectOptions {
  max?: number;
  applicationName?: string;
}

/** Opens a pooled Kysely connection to `url`. */
export function connectDatabase(url: string, options: ConnectOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'sipas',
    // Without these a restarted PostgreSQL leaves the pool holding dead sockets.
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    types: platformTypes,
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool discards it and the next query opens a fresh one.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
}
