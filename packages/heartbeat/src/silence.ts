// Fires once when a peer has been silent for `downAfterMs`. One timer per peer, re-armed
// only when it fires early (not on every heartbeat), so detection is accurate to the
// event loop's millisecond rather than quantised to whole heartbeat intervals.

import { nowMs } from './clock.js';

export class SilenceWatch {
  private lastHeardAtMs = 0;
  private timer: NodeJS.Timeout | null = null;
  private confirming: NodeJS.Immediate | null = null;

  constructor(
    private readonly downAfterMs: number,
    private readonly onSilent: (lastHeardAtMs: number) => void,
  ) {}

  heard(atMs: number): void {
    this.lastHeardAtMs = atMs;
    if (this.timer === null && this.confirming === null) this.arm(this.downAfterMs);
  }

  cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.confirming !== null) clearImmediate(this.confirming);
    this.timer = null;
    this.confirming = null;
  }

  private remainingMs(): number {
    return this.lastHeardAtMs + this.downAfterMs - nowMs();
  }

  private arm(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = null;
      this.deadlineReached();
    }, delayMs);
  }

  private deadlineReached(): void {
    const remainingMs = this.remainingMs();
    if (remainingMs > 0) {
      this.arm(Math.ceil(remainingMs));
      return;
    }
    // Decide only after the event loop's poll phase (setImmediate runs after it): if this
    // process itself was stalled, the peer's heartbeats may be sitting unread in the socket.
    this.confirming = setImmediate(() => {
      this.confirming = null;
      const stillRemainingMs = this.remainingMs();
      if (stillRemainingMs > 0) this.arm(Math.ceil(stillRemainingMs));
      else this.onSilent(this.lastHeardAtMs);
    });
  }
}
