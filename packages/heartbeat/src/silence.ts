// Fires once when a peer has been silent for `downAfterMs`. One timer per peer, pushed back
// by timer.refresh() on every heartbeat (no allocation, and no early wake-ups: at a 10 ms
// interval those would cost more CPU than the heartbeats), so detection is accurate to the
// event loop's millisecond rather than quantised to whole heartbeat intervals.

import { nowMs } from './clock.js';

export class SilenceWatch {
  private lastHeardAtMs = 0;
  private timer: NodeJS.Timeout | null = null;
  /** refresh() restarts a timer with its own delay: only the full-length one may be reused. */
  private armedForMs = 0;
  private confirming: NodeJS.Immediate | null = null;

  constructor(
    private readonly downAfterMs: number,
    private readonly onSilent: (lastHeardAtMs: number) => void,
  ) {}

  heard(atMs: number): void {
    this.lastHeardAtMs = atMs;
    if (this.confirming !== null) return; // it re-arms itself from lastHeardAtMs
    if (this.timer !== null && this.armedForMs === this.downAfterMs) {
      this.timer.refresh();
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.arm(this.downAfterMs);
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
    this.armedForMs = delayMs;
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
