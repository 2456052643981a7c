// Warnings for refused requests, at most one per interval. Every bad token used to write its
// own line: a flood of them trips journald's rate limit, which then drops the lines that
// matter (transitions, takeovers). The count lives in vipd_api_requests_rejected_total; the
// log keeps one line per interval that says how many refusals it did not write.

import type { Logger } from 'pino';

export class RefusalLog {
  readonly #log: Logger;
  readonly #intervalMs: number;
  readonly #now: () => number;
  #lastWrittenAtMs = Number.NEGATIVE_INFINITY;
  #suppressed = 0;

  constructor(options: { log: Logger; intervalMs: number; now: () => number }) {
    this.#log = options.log;
    this.#intervalMs = options.intervalMs;
    this.#now = options.now;
  }

  /** Write the warning unless one was written less than an interval ago. */
  warn(fields: Record<string, unknown>, message: string): void {
    const now = this.#now();
    if (now - this.#lastWrittenAtMs < this.#intervalMs) {
      this.#suppressed += 1;
      return;
    }
    const suppressed = this.#suppressed;
    this.#lastWrittenAtMs = now;
    this.#suppressed = 0;
    this.#log.warn(
      { ...fields, suppressed },
      suppressed === 0
        ? message
        : `${message} (${suppressed} more refused since the last warning, not logged one by one)`,
    );
  }

  /** On close: the refusals since the last line would otherwise never be mentioned. */
  flush(message: string): void {
    if (this.#suppressed === 0) return;
    this.#log.warn(
      { suppressed: this.#suppressed },
      `${message}: ${this.#suppressed} refused since the last warning, not logged one by one`,
    );
    this.#suppressed = 0;
  }
}
