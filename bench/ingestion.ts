import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';

export interface LoadResult {
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Answers other than 2xx, and connection errors or timeouts. */
  errors: number;
  /** Ids the server answered 201 with: ratings it says it has committed. */
  acknowledgedIds: number[];
}

export interface LoadOptions {
  connections: number;
  seconds: number;
  desks: { code: string; domain: string }[];
  /** Starts every idempotency key, to find this run's ratings in the database. */
  keyPrefix: string;
  /** The network each rating comes from, behind a trusted proxy (X-Forwarded-For). */
  forwardedFor?: () => string;
  /** Ratings per second offered in all (unset: as many as the server takes). */
  rate?: number;
}

/**
 * Drives POST /api/v1/public/responses with autocannon from this process: every request
 * is a new rating with its own idempotency key, spread over the given desks.
 */
export async function loadRatings(
  baseUrl: string,
  options: LoadOptions,
  onSecond: (elapsed: number) => void,
): Promise<LoadResult> {
  let sequence = 0;
  const acknowledgedIds: number[] = [];
  const instance = autocannon({
    url: `${baseUrl}/api/v1/public/responses`,
    connections: options.connections,
    duration: options.seconds,
    ...(options.rate ? { overallRate: options.rate } : {}),
    timeout: 10,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const desk = options.desks[sequence % options.desks.length]!;
          sequence++;
          return {
            ...request,
            ...(options.forwardedFor
              ? { headers: { ...request.headers, 'x-forwarded-for': options.forwardedFor() } }
              : {}),
            body: JSON.stringify({
              deskCode: desk.code,
              domain: desk.domain,
              questionnaireId: 'quick-1',
              answers: { overall: 1 + (sequence % 5) },
              language: 'vi',
              channel: 'qr',
              clientTime: new Date().toISOString(),
              idempotencyKey: `${options.keyPrefix}-${randomBytes(8).toString('hex')}-${sequence}`,
            }),
          };
        },
        onResponse: (status, body) => {
          if (status === 201) acknowledgedIds.push((JSON.parse(body) as { id: number }).id);
        },
      },
    ],
  });
  let elapsed = 0;
  const ticker = setInterval(() => onSecond(++elapsed), 1000);
  const result = await instance;
  clearInterval(ticker);
  return {
    connections: options.connections,
    seconds: options.seconds,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    acknowledgedIds,
  };
}
