import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has defaults for a fresh machine: embedded database in ./data/pg, port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.pgDataDir).toMatch(/data\/pg$/);
    expect(config.publicBaseUrl).toBe('http://localhost:3000');
    expect(config.seedDemo).toBe(true);
  });

  it('reads every setting, trimming a trailing slash from the public URL', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://sipas@db.example:5432/sipas',
      PG_DATA_DIR: '/var/lib/sipas/pg',
      PUBLIC_BASE_URL: 'https://hailong.example.gov.vn/',
      LOG_LEVEL: 'warn',
      SEED_DEMO: 'false',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgres://sipas@db.example:5432/sipas',
      pgDataDir: '/var/lib/sipas/pg',
      publicBaseUrl: 'https://hailong.example.gov.vn',
      logLevel: 'warn',
      seedDemo: false,
    });
  });

  it('stops with a message naming each bad variable', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', PUBLIC_BASE_URL: 'not a url', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['PORT', 'DATABASE_URL', 'PUBLIC_BASE_URL', 'LOG_LEVEL']) expect(message).toContain(name);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(3000);
  });
});
