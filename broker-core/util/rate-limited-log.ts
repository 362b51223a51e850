/**
 * Warnings a peer can cause at will (refused requests, malformed headers) are logged one by one up to a
 * number per window; the rest of the window is counted and summed up in one line when it ends, so a
 * flood of bad requests cannot flood the log.
 */
import type { Logger } from './logger';

export interface RateLimitedLogOptions {
  windowMs: number;
  perWindowMax: number;
  /** The line that sums up a window's suppressed warnings. */
  summary: (suppressed: number) => { message: string; fields?: Record<string, unknown> };
}

export class RateLimitedLog {
  readonly #logger: Logger;
  readonly #options: RateLimitedLogOptions;
  #windowStartedMs = 0;
  #loggedInWindow = 0;
  #suppressedInWindow = 0;
  #summaryTimer: NodeJS.Timeout | undefined;

  constructor(logger: Logger, options: RateLimitedLogOptions) {
    this.#logger = logger;
    this.#options = options;
  }

  warn(message: string, fields?: Record<string, unknown>): void {
    const now = Date.now();
    if (now - this.#windowStartedMs >= this.#options.windowMs) {
      this.#windowStartedMs = now;
      this.#loggedInWindow = 0;
    }
    if (this.#loggedInWindow < this.#options.perWindowMax) {
      this.#loggedInWindow++;
      this.#logger.warn(message, fields);
      return;
    }
    this.#suppressedInWindow++;
    this.#summaryTimer ??= setTimeout(() => this.flush(), this.#windowStartedMs + this.#options.windowMs - now).unref();
  }

  /** Writes the summary of the warnings suppressed so far (at the window's end, and at shutdown). */
  flush(): void {
    if (this.#summaryTimer) clearTimeout(this.#summaryTimer);
    this.#summaryTimer = undefined;
    if (this.#suppressedInWindow === 0) return;
    const { message, fields } = this.#options.summary(this.#suppressedInWindow);
    this.#logger.warn(message, fields);
    this.#suppressedInWindow = 0;
  }
}
