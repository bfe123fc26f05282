import type { Survey } from '../lib/public-api.ts';

export type KioskScreen = 'domain' | 'rate' | 'reasons' | 'thanks';

export interface KioskRating {
  domain: string;
  score: number;
  reasons: string[];
  /** When the face was tapped (epoch ms): the time the rating counts in, even if sent days later. */
  ratedAt: number;
}

export interface KioskTiming {
  /** Back to the first screen after this long without a touch. */
  idleMs: number;
  /** How long the thank-you screen stays. */
  thanksMs: number;
  /** Face taps closer together than this count once. */
  repeatWindowMs: number;
}

/**
 * One citizen at the kiosk: (domain →) face → (reasons →) thanks → reset. A face tap is
 * the rating; reasons only add to it, so a citizen who walks away from the reasons
 * screen still counts once the idle time has passed.
 */
export class KioskSession {
  screen = $state<KioskScreen>('rate');
  domain = $state<string | undefined>();
  score = $state<number | undefined>();
  reasons = $state<string[]>([]);
  readonly #survey: Survey;
  readonly #timing: KioskTiming;
  readonly #record: (rating: KioskRating) => void;
  readonly #onReset: () => void;
  /** Epoch milliseconds of the face tap. */
  #ratedAt = 0;
  #lastTapAt = -Infinity;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(survey: Survey, timing: KioskTiming, record: (rating: KioskRating) => void, onReset: () => void) {
    this.#survey = survey;
    this.#timing = timing;
    this.#record = record;
    this.#onReset = onReset;
    this.reset();
  }

  get asksDomain(): boolean {
    return this.#survey.domains.length > 1;
  }

  chooseDomain(code: string): void {
    if (this.screen !== 'domain') return;
    this.domain = code;
    this.screen = 'rate';
    this.touch();
  }

  tap(score: number): void {
    const now = performance.now();
    if (this.screen !== 'rate' || now - this.#lastTapAt < this.#timing.repeatWindowMs) return;
    this.#lastTapAt = now;
    this.score = score;
    this.#ratedAt = Date.now();
    const questionnaire = this.#survey.questionnaire;
    if (score <= questionnaire.reasonsAtOrBelow && questionnaire.reasons.length > 0) {
      this.screen = 'reasons';
      this.touch();
    } else {
      this.finish();
    }
  }

  toggleReason(code: string): void {
    this.reasons = this.reasons.includes(code)
      ? this.reasons.filter((reason) => reason !== code)
      : [...this.reasons, code];
    this.touch();
  }

  /** Records the rating (with any reasons chosen) and thanks the citizen. */
  finish(): void {
    if (this.score === undefined || this.domain === undefined || this.screen === 'thanks') return;
    this.#record({ domain: this.domain, score: this.score, reasons: [...this.reasons], ratedAt: this.#ratedAt });
    this.screen = 'thanks';
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.reset(), this.#timing.thanksMs);
  }

  /** Any touch restarts the idle countdown (the thank-you screen keeps its own short one). */
  touch(): void {
    if (this.screen === 'thanks') return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.screen === 'reasons' ? this.finish() : this.reset()), this.#timing.idleMs);
  }

  reset(): void {
    clearTimeout(this.#timer);
    this.domain = this.asksDomain ? undefined : this.#survey.domains[0]?.code;
    this.score = undefined;
    this.reasons = [];
    this.screen = this.asksDomain ? 'domain' : 'rate';
    this.#onReset();
  }
}
