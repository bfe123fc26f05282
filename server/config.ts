import path from 'node:path';
import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

const configSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
    PG_DATA_DIR: z.string().min(1).default('data/pg'),
    PUBLIC_BASE_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SEED_DEMO: booleanFlag.default(true),
    TRUST_PROXY: booleanFlag.default(false),
    FOLD_INTERVAL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    RATE_LIMIT_PER_SOURCE: z.coerce.number().int().min(1).default(30),
    RATE_LIMIT_PER_KIOSK: z.coerce.number().int().min(1).default(2000),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    SIGN_IN_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
    SIGN_IN_ATTEMPTS_PER_SOURCE: z.coerce.number().int().min(1).default(30),
    REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
    SMTP_URL: z
      .url({
        protocol: /^smtps?$/,
        error: 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example.vn:587',
      })
      .optional(),
    ALERT_EMAIL_FROM: z.string().min(3).max(200).optional(),
    ALERTS: booleanFlag.default(true),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    pgDataDir: path.resolve(env.PG_DATA_DIR),
    publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://localhost:${env.PORT}`,
    logLevel: env.LOG_LEVEL,
    seedDemo: env.SEED_DEMO,
    trustProxy: env.TRUST_PROXY,
    foldIntervalMs: env.FOLD_INTERVAL_MS,
    requestTimeoutMs: env.REQUEST_TIMEOUT_SECONDS * 1000,
    shutdownGraceMs: env.SHUTDOWN_GRACE_SECONDS * 1000,
    /** Whether this process evaluates alert rules and sends alerts (one process of several may). */
    alerts: env.ALERTS,
    /** Where alert e-mails go out; without it they wait in the outbox. */
    smtpUrl: env.SMTP_URL,
    alertEmailFrom:
      env.ALERT_EMAIL_FROM ??
      `SIPAS <sipas@${new URL(env.PUBLIC_BASE_URL ?? 'http://localhost').hostname.replace(/^localhost$|^[0-9.]+$/, 'localhost.localdomain')}>`,
    rateLimit: {
      perSource: env.RATE_LIMIT_PER_SOURCE,
      perKiosk: env.RATE_LIMIT_PER_KIOSK,
      windowSeconds: env.RATE_LIMIT_WINDOW_SECONDS,
    },
    signInLimit: {
      failuresPerAccount: env.SIGN_IN_FAILURES_PER_ACCOUNT,
      attemptsPerSource: env.SIGN_IN_ATTEMPTS_PER_SOURCE,
    },
  }));

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the configuration from environment variables, once, at start-up.
 * Empty variables count as unset so that `PORT= npm start` falls back to the default.
 *
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`),
    );
  }
  return result.data;
}

/** The configuration of a command or the server; a bad value ends the process, naming it. */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
