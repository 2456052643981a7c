// Delays between dial attempts to a peer that is not answering: exponential, doubling from
// minDelayMs, with cockatiel's "half jitter" (each delay uniform in [d/2, d)) so nodes that
// lost each other at the same moment do not redial in lockstep — including at the cap,
// where the decorrelated-jitter generator would settle on exactly maxDelay for everyone.
// Capped low so a recovered peer is back within a few heartbeat intervals.

import { ExponentialBackoff, halfJitterGenerator, type IBackoff } from 'cockatiel';

export class ReconnectBackoff {
  private readonly factory: ExponentialBackoff<unknown>;
  private step: IBackoff<unknown> | null = null;

  constructor(minDelayMs: number, maxDelayMs: number) {
    this.factory = new ExponentialBackoff({
      generator: halfJitterGenerator,
      initialDelay: minDelayMs,
      maxDelay: maxDelayMs,
    });
  }

  /** Delay before the next attempt; each call backs off further until reset(). */
  nextDelayMs(): number {
    this.step = this.step === null ? this.factory.next() : this.step.next(undefined);
    return this.step.duration;
  }

  reset(): void {
    this.step = null;
  }
}
