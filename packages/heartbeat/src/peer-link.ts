// The one logical link to a configured peer. Connections come and go underneath (dialed,
// accepted, duplicates resolved, replaced after a restart); the link carries what outlives
// them: whether the peer is up, its incarnation and last sequence number, RTT, backoff.

import type { HostPort } from './address.js';
import { ReconnectBackoff } from './backoff.js';
import { RttEstimator } from './rtt.js';
import { CLOSE_DUPLICATE, CLOSE_SUPERSEDED, type Session } from './session.js';
import { SilenceWatch } from './silence.js';
import type { PeerStatus } from './types.js';

export interface LinkTiming {
  readonly downAfterMs: number;
  readonly cutSilentAfterMs: number;
  readonly reconnectMinDelayMs: number;
  readonly reconnectMaxDelayMs: number;
}

/** A connection the link no longer wants, and the close code that tells the far end why. */
export interface Retirement {
  readonly session: Session;
  readonly code: number;
  readonly reason: string;
}

export interface Adoption {
  /** The incarnation this one replaced: the peer restarted. */
  readonly restartedFrom: string | null;
  readonly retire: readonly Retirement[];
}

/**
 * Of two authenticated connections to one peer, the one both ends keep, decided without
 * talking: the one the lower node id dialed; if the same side dialed both, the newer
 * (the older is likely a half-open leftover).
 */
export function preferredConnection<C extends { dialedBy(selfId: string): string | null }>(
  selfId: string,
  peerId: string,
  current: C,
  candidate: C,
): C {
  const lower = selfId < peerId ? selfId : peerId;
  const currentPreferred = current.dialedBy(selfId) === lower;
  const candidatePreferred = candidate.dialedBy(selfId) === lower;
  if (currentPreferred !== candidatePreferred) return currentPreferred ? current : candidate;
  return candidate;
}

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
  /** Fires at downAfterMs of silence: the peer is down. */
  readonly silence: SilenceWatch;
  /** Fires at cutSilentAfterMs of silence: the connection is useless, redial. */
  readonly longSilence: SilenceWatch;

  constructor(
    readonly id: string,
    readonly address: string,
    readonly hostPort: HostPort,
    timing: LinkTiming,
    on: { silent(link: PeerLink): void; longSilent(link: PeerLink): void },
  ) {
    this.backoff = new ReconnectBackoff(timing.reconnectMinDelayMs, timing.reconnectMaxDelayMs);
    this.silence = new SilenceWatch(timing.downAfterMs, () => {
      on.silent(this);
    });
    this.longSilence = new SilenceWatch(timing.cutSilentAfterMs, () => {
      on.longSilent(this);
    });
  }

  heard(atMs: number): void {
    this.lastHeartbeatAtMs = atMs;
    this.silence.heard(atMs);
    this.longSilence.heard(atMs);
  }

  /** The mesh's interval tick: lets the silence watches arm a timer near their deadline. */
  tick(atMs: number, horizonMs: number): void {
    this.silence.tick(atMs, horizonMs);
    this.longSilence.tick(atMs, horizonMs);
  }

  quiet(): void {
    this.silence.cancel();
    this.longSilence.cancel();
  }

  /**
   * Take a connection that just authenticated with `incarnation`. A new incarnation retires
   * the connections of the old one (that process is gone); a second connection of the same
   * incarnation is resolved by preferredConnection. Returns what to close.
   */
  adopt(session: Session, incarnation: string, selfId: string): Adoption {
    const retire: Retirement[] = [];
    const previous = this.incarnation;
    if (previous !== incarnation) {
      this.incarnation = incarnation;
      this.lastSeq = -1;
      this.echoSentAtMs = 0;
      for (const other of this.sessions) {
        if (other === session || !other.authenticated || other.retiring) continue;
        retire.push({ session: other, code: CLOSE_SUPERSEDED, reason: 'superseded' });
        if (this.active === other) this.active = null;
      }
    }
    const current = this.active;
    if (current === null) {
      this.active = session;
    } else if (preferredConnection(selfId, this.id, current, session) === session) {
      this.active = session;
      retire.push({ session: current, code: CLOSE_DUPLICATE, reason: 'duplicate link' });
    } else {
      retire.push({ session, code: CLOSE_DUPLICATE, reason: 'duplicate link' });
    }
    if (this.active === session) this.awaitingHandover = false;
    return {
      restartedFrom: previous !== null && previous !== incarnation ? previous : null,
      retire,
    };
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
