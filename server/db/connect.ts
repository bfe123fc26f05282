import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

// int8 counts and ids stay far below 2^53; numeric thresholds are percentages; dates
// are calendar days in Vietnam time and must not be shifted by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

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
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool discards it and the next query opens a fresh one.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
