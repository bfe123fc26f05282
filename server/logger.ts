import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Errors keep only their name, message, code and stack: database
 * errors carry a `detail` with row values (possibly a citizen's comment), which must
 * never reach the logs.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: {
      err: (error: unknown) => {
        if (!(error instanceof Error)) return { message: String(error) };
        return {
          type: error.name,
          message: error.message,
          code: (error as { code?: unknown }).code,
          stack: error.stack,
        };
      },
    },
  });
}
