// Log lines for rejected frames, at most one per reason per second: a peer with the wrong
// key or a garbage flood must not turn the log into the attack's amplifier. The count of
// lines left out is carried on the next line. Frames and keys are never logged.

import type {
  ConnectionDropReason,
  DatagramRejectReason,
  MeshLogger,
  RejectReason,
} from './types.js';

const WINDOW_MS = 1000;

export class RejectLog {
  private readonly lastLoggedAtMs = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();

  constructor(private readonly logger: MeshLogger) {}

  rejected(
    nowMs: number,
    reason:
      | RejectReason
      | ConnectionDropReason
      | 'auth-timeout'
      | 'tls'
      | `datagram:${DatagramRejectReason}`,
    fields: Readonly<Record<string, unknown>>,
    message: string,
  ): void {
    const last = this.lastLoggedAtMs.get(reason);
    if (last !== undefined && nowMs - last < WINDOW_MS) {
      this.suppressed.set(reason, (this.suppressed.get(reason) ?? 0) + 1);
      return;
    }
    const suppressed = this.suppressed.get(reason) ?? 0;
    this.suppressed.delete(reason);
    this.lastLoggedAtMs.set(reason, nowMs);
    this.logger.warn({ ...fields, reason, suppressedSinceLastLine: suppressed }, message);
  }
}
