// Notices that this process did not run for a while: SIGSTOP, a paused VM, an event loop
// starved by synchronous work. A timer due every `everyMs` that is late by lateMs proves the
// loop ran nothing for at least that long. The driver asks on every event it receives too,
// so the stall is known before the first heartbeat, connection close or deadline of the
// wake-up is acted on — whichever of them the event loop happens to run first.

import type { Clock, TimerHandle } from '@vipd/clock';

export class StallWatch {
  readonly #clock: Clock;
  readonly #everyMs: number;
  readonly #reportAfterMs: number;
  readonly #onStall: (stalledMs: number) => void;
  #expectedAtMs = 0;
  #timer: TimerHandle | undefined;

  /**
   * `reportAfterMs`: lateness worth reporting (shorter hiccups are scheduling noise).
   * `onStall` gets the lateness: a lower bound on how long nothing ran.
   */
  constructor(
    clock: Clock,
    everyMs: number,
    reportAfterMs: number,
    onStall: (stalledMs: number) => void,
  ) {
    this.#clock = clock;
    this.#everyMs = everyMs;
    this.#reportAfterMs = reportAfterMs;
    this.#onStall = onStall;
  }

  start(): void {
    this.stop();
    this.#expectedAtMs = this.#clock.now() + this.#everyMs;
    this.#timer = this.#clock.setInterval(() => {
      this.check();
    }, this.#everyMs);
  }

  /** Reports a stall once if the watch's own timer is overdue; cheap enough for every event. */
  check(): void {
    if (this.#timer === undefined) return;
    const nowMs = this.#clock.now();
    const lateMs = nowMs - this.#expectedAtMs;
    // Node's interval counts from when its callback ran, not from when it was due.
    if (lateMs >= 0) this.#expectedAtMs = nowMs + this.#everyMs;
    if (lateMs >= this.#reportAfterMs) this.#onStall(lateMs);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
