// Round-trip time and jitter of one peer, from echoed timestamps. Smoothed RTT as TCP does
// (RFC 6298 §2, gain 1/8); jitter as RTP does (RFC 3550 §6.4.1, gain 1/16 on the change
// between consecutive samples), so one late heartbeat moves jitter but barely the RTT.

/** A sample above this is not an RTT but a peer echoing something old; ignore it. */
const MAX_PLAUSIBLE_RTT_MS = 60_000;

export class RttEstimator {
  private smoothedMs: number | null = null;
  private jitter: number | null = null;
  private lastSampleMs: number | null = null;

  get rttMs(): number | null {
    return this.smoothedMs;
  }

  get jitterMs(): number | null {
    return this.jitter;
  }

  get lastRttMs(): number | null {
    return this.lastSampleMs;
  }

  /** Returns false (and learns nothing) for a sample that cannot be an RTT. */
  addSample(rttMs: number): boolean {
    if (!Number.isFinite(rttMs) || rttMs < 0 || rttMs > MAX_PLAUSIBLE_RTT_MS) return false;
    if (this.smoothedMs === null || this.lastSampleMs === null || this.jitter === null) {
      this.smoothedMs = rttMs;
      this.jitter = 0;
    } else {
      this.smoothedMs += (rttMs - this.smoothedMs) / 8;
      this.jitter += (Math.abs(rttMs - this.lastSampleMs) - this.jitter) / 16;
    }
    this.lastSampleMs = rttMs;
    return true;
  }
}
