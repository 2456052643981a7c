// Delays between dial attempts to a peer that is not answering: exponential with
// decorrelated jitter (cockatiel's generator, the one Polly ships), so nodes that lost each
// other at the same moment do not redial in lockstep, and capped low so a recovered peer
// is back within a few heartbeat intervals.

import { ExponentialBackoff, type IBackoff } from 'cockatiel';

export class ReconnectBackoff {
  private readonly factory: ExponentialBackoff<unknown>;
  private step: IBackoff<unknown> | null = null;

  constructor(
    private readonly minDelayMs: number,
    private readonly maxDelayMs: number,
  ) {
    this.factory = new ExponentialBackoff({ initialDelay: minDelayMs, maxDelay: maxDelayMs });
  }

  /** Delay before the next attempt; each call backs off further until reset(). */
  nextDelayMs(): number {
    this.step = this.step === null ? this.factory.next() : this.step.next(undefined);
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, this.step.duration));
  }

  reset(): void {
    this.step = null;
  }
}
