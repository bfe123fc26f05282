import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { connectDatabase } from '../server/db/connect.ts';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts';
import { migrateToLatest } from '../server/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a database on the test server with rights to CREATE DATABASE. */
    adminDatabaseUrl: string;
    /** Name of the migrated template that each test file clones. */
    templateDatabase: string;
  }
}

interface RunDatabase {
  adminDatabaseUrl: string;
  templateDatabase: string;
  stop(): Promise<void>;
}

/**
 * The run's database, shared by every project that needs one (this module is loaded once
 * per project, in the one main process, hence a global) and stopped after the last.
 */
const shared = globalThis as { sipasRunDatabase?: { database: Promise<RunDatabase>; users: number } };

/**
 * Starts PostgreSQL once for the whole run — the embedded server in a throw-away folder
 * with durability off, or the server of DATABASE_URL — and migrates a template database
 * that every test file clones (CREATE DATABASE … TEMPLATE), so files never share rows.
 */
export default async function setup(project: TestProject) {
  const run = (shared.sipasRunDatabase ??= { database: startRunDatabase(), users: 0 });
  run.users++;
  const { adminDatabaseUrl, templateDatabase } = await run.database;
  project.provide('adminDatabaseUrl', adminDatabaseUrl);
  project.provide('templateDatabase', templateDatabase);
  return async () => {
    if (--run.users > 0) return;
    delete shared.sipasRunDatabase;
    await (await run.database).stop();
  };
}

async function startRunDatabase(): Promise<RunDatabase> {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const templateDatabase = `sipas_template_${runId}`;
  let adminDatabaseUrl: string;
  let stopServer = async () => {};
  let dataDir: string | undefined;

  if (process.env.DATABASE_URL) {
    adminDatabaseUrl = process.env.DATABASE_URL;
  } else {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sipas-test-pg-'));
    await fs.chmod(dataDir, 0o755);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'pg'),
      database: 'postgres',
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    });
    adminDatabaseUrl = server.adminUrl;
    stopServer = () => server.stop();
  }

  await runAdmin(adminDatabaseUrl, `create database ${templateDatabase}`);
  const templateUrl = withDatabase(adminDatabaseUrl, templateDatabase);
  const db = connectDatabase(templateUrl, { max: 2 });
  try {
    await migrateToLatest(db);
  } finally {
    await db.destroy();
  }

  return {
    adminDatabaseUrl,
    templateDatabase,
    stop: async () => {
      await dropDatabasesOfRun(adminDatabaseUrl, runId);
      await stopServer();
      if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function runAdmin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function dropDatabasesOfRun(url: string, runId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(`select datname from pg_database where datname like $1`, [
      `%${runId}%`,
    ]);
    for (const { datname } of rows) await client.query(`drop database if exists "${datname}" with (force)`);
  } finally {
    await client.end();
  }
}
