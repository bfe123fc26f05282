export interface RatingLoad {
  /** Idempotency key → id, for every rating the server acknowledged (201 or 200). */
  acknowledged: Map<string, number>;
  /** Answers no client should ever get: anything but 200, 201 and 503. */
  unexpected: string[];
  /** A key acknowledged twice with different ids. */
  conflicting: string[];
  /** Stops starting new ratings and resolves once every started one is acknowledged. */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Citizens' phones as the platform expects them: `workers` clients each send one rating
 * after another, and retry a rating with the same idempotency key until the server
 * acknowledges it, through refused connections, timeouts and 503s.
 */
export function startRatingLoad(
  baseUrl: () => string,
  desks: { code: string; domain: string }[],
  options: { workers: number; keyPrefix: string },
): RatingLoad {
  const acknowledged = new Map<string, number>();
  const unexpected: string[] = [];
  const conflicting: string[] = [];
  let stopping = false;

  async function send(key: string, body: string): Promise<void> {
    for (;;) {
      try {
        const response = await fetch(`${baseUrl()}/api/v1/public/responses`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        if (response.status === 200 || response.status === 201) {
          const { id } = JSON.parse(text) as { id: number };
          const earlier = acknowledged.get(key);
          if (earlier !== undefined && earlier !== id) conflicting.push(key);
          acknowledged.set(key, id);
          return;
        }
        if (response.status !== 503) unexpected.push(`${response.status} ${text.slice(0, 300)}`);
        // A refusal for the rating's content will not change on a retry.
        if (response.status < 500) return;
      } catch {
        // Refused, reset or timed out: the server or its database is down; try again.
      }
      await sleep(100);
    }
  }

  async function worker(index: number): Promise<void> {
    for (let sequence = 0; !stopping; sequence++) {
      const desk = desks[(index + sequence) % desks.length]!;
      const key = `${options.keyPrefix}-${String(index).padStart(4, '0')}-${String(sequence).padStart(8, '0')}`;
      await send(
        key,
        JSON.stringify({
          deskCode: desk.code,
          domain: desk.domain,
          questionnaireId: 'quick-1',
          answers: { overall: 1 + ((index + sequence) % 5) },
          language: 'vi',
          channel: 'qr',
          idempotencyKey: key,
        }),
      );
    }
  }

  const workers = Array.from({ length: options.workers }, (_, index) => worker(index));
  return {
    acknowledged,
    unexpected,
    conflicting,
    stop: async () => {
      stopping = true;
      await Promise.all(workers);
    },
  };
}
