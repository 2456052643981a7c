// The one logical link to a configured peer. Connections come and go underneath (dialed,
// accepted, duplicates resolved, replaced after a restart); the link carries what outlives
// them: whether the peer is up, its incarnation and last sequence number, RTT, backoff.

import type { HostPort } from './address.js';
import { ReconnectBackoff } from './backoff.js';
import { RttEstimator } from './rtt.js';
import type { Session } from './session.js';
import { SilenceWatch } from './silence.js';
import type { PeerStatus } from './types.js';

export class PeerLink {
  /** The authenticated connection heartbeats go out on. */
  active: Session | null = null;
  /** Every open connection attributed to this peer, authenticated or not. */
  readonly sessions = new Set<Session>();
  /** Our outgoing connection attempt, until it authenticates or fails. */
  dialing: Session | null = null;
  dialTimer: NodeJS.Timeout | null = null;
  up = false;
  /**
   * The far end closed our active connection as a duplicate: the peer is still up and
   * another connection is finishing its handshake; report 'closed' only if none does.
   */
  awaitingHandover = false;
  lastHeartbeatAtMs: number | null = null;
  incarnation: string | null = null;
  /** Highest seq passed on to listeners for this incarnation, over all connections. */
  lastSeq = -1;
  /** The peer's sentAtMs in its latest heartbeat, and when we got it: echoed for its RTT. */
  echoSentAtMs = 0;
  echoReceivedAtMs = 0;
  linkUpAtMs = 0;
  readonly rtt = new RttEstimator();
  readonly backoff: ReconnectBackoff;
  readonly silence: SilenceWatch;

  constructor(
    readonly id: string,
    readonly address: string,
    readonly hostPort: HostPort,
    reconnect: { readonly minDelayMs: number; readonly maxDelayMs: number },
    downAfterMs: number,
    onSilent: (link: PeerLink) => void,
  ) {
    this.backoff = new ReconnectBackoff(reconnect.minDelayMs, reconnect.maxDelayMs);
    this.silence = new SilenceWatch(downAfterMs, () => {
      onSilent(this);
    });
  }

  /** A connection that has the peer's hello and may still authenticate. */
  hasHandoverCandidate(): boolean {
    for (const session of this.sessions) {
      if (!session.dead && !session.retiring && session.peerNonce !== null) return true;
    }
    return false;
  }

  status(): PeerStatus {
    return {
      id: this.id,
      address: this.address,
      up: this.up,
      rttMs: this.rtt.rttMs,
      jitterMs: this.rtt.jitterMs,
      lastRttMs: this.rtt.lastRttMs,
      lastHeartbeatAtMs: this.lastHeartbeatAtMs,
      incarnation: this.incarnation,
      direction: this.active?.direction ?? null,
    };
  }
}
