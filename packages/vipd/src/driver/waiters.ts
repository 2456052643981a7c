// Promises that resolve once a condition on the driver's state holds, or when their time is
// up. The driver checks them after every step: only a step (or a timer that removes lingering
// VIPs) can make a condition true.

import type { Clock, TimerHandle } from '@vipd/clock';

interface Waiter {
  readonly done: () => boolean;
  readonly resolve: (ok: boolean) => void;
  readonly timer: TimerHandle;
}

export class Waiters {
  readonly #clock: Clock;
  readonly #waiting = new Set<Waiter>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** true once done() holds; at the timeout, whatever done() says then. */
  waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        done,
        resolve,
        timer: this.#clock.setTimeout(() => {
          this.#waiting.delete(waiter);
          resolve(done());
        }, timeoutMs),
      };
      this.#waiting.add(waiter);
    });
  }

  /** The state changed: resolve every waiter whose condition now holds. */
  check(): void {
    for (const waiter of this.#waiting) {
      if (!waiter.done()) continue;
      this.#waiting.delete(waiter);
      this.#clock.clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
  }

  /** The driver stopped: every waiter resolves false now. */
  cancelAll(): void {
    for (const waiter of this.#waiting) {
      this.#clock.clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.#waiting.clear();
  }
}
