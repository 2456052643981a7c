// Is the peer alive: 'peer-up' on its first heartbeat, 'peer-down' when it falls silent for
// downAfterMs or its connection in use closes, and a silent connection cut once it has been
// useless for cutSilentAfterMs. The deadlines themselves are the link's (SilenceWatch).

import type { MeshContext } from './mesh-context.js';
import type { HeartbeatPath, PeerLink } from './peer-link.js';
import { CLOSE_RECONNECTING } from './session.js';
import type { PeerDownReason } from './types.js';

/**
 * How recent a heartbeat must be for its path to count as working (PeerStatus.path), and
 * how long a peer whose connection closed while its datagrams arrived gets to prove it
 * lives: two intervals, so one late datagram is not taken for a crash.
 */
export const DATAGRAM_WINDOW_INTERVALS = 2;

export class Liveness {
  constructor(private readonly ctx: MeshContext) {}

  /** A heartbeat from the peer was accepted, from `remote` by `path`. */
  heard(
    link: PeerLink,
    remote: string,
    path: HeartbeatPath,
    incarnation: string,
    now: number,
    echo: Echo,
  ): void {
    const cameUp = link.heard(now, echo.echoSentAtMs, echo.echoHeldMs, path);
    this.ctx.counters.heartbeatsReceived++;
    if (!cameUp) return;
    this.ctx.options.logger.info({ peer: link.id, remote, path, incarnation }, 'peer up');
    this.ctx.events.emit('peer-up', link.id);
  }

  /** downAfterMs without a heartbeat. */
  silent(link: PeerLink): void {
    if (!link.up || this.ctx.state !== 'running') return;
    // The connection stays: if the peer (or this host) was only overloaded, its heartbeats
    // resume on it and the peer comes back up without a reconnect. See longSilent.
    this.markDown(link, 'silent');
  }

  /**
   * Silent for cutSilentAfterMs: the connection is useless (blackholed path, hung peer) and
   * TCP's retransmission backoff could keep it so long after the path heals. Cut it and
   * redial, so the link is back as soon as the path or the peer is.
   */
  longSilent(link: PeerLink): void {
    const { options, state } = this.ctx;
    if (state !== 'running') return;
    for (const session of link.connections()) {
      if (!session.authenticated) continue; // a handshake in progress is the cure
      options.logger.info(
        { peer: link.id, remote: session.remote, silentMs: options.cutSilentAfterMs },
        'cutting a silent connection to redial',
      );
      // The far end may be the one that stalled: on waking it reads this close, and must
      // not take a peer that is about to redial for one that crashed.
      session.hangUp(CLOSE_RECONNECTING, 'silent too long; redialing');
    }
  }

  /**
   * The connection in use closed. A crashed process closes it; so does a far end that cut
   * a stalled connection, or this node cutting its own, or a redial failing. While the
   * peer's datagrams arrive (one within the down interval) the close alone proves nothing:
   * 'closed' follows only if no heartbeat arrives by either path within `confirmMs` of it.
   * Without datagrams (switched off, filtered, or an older peer), or with `confirmMs` 0 (the
   * peer said it is shutting down), at once. `probe` sends the current heartbeat as a
   * datagram at once, from a socket that hears ICMP: a crashed process's port is closed and
   * its kernel says so within a round trip, when no cut or stall would, so 'closed' follows
   * then rather than after `confirmMs` (where ICMP is filtered, `confirmMs` decides).
   */
  connectionLost(link: PeerLink, now: number, confirmMs: number, probe?: Probe): void {
    if (confirmMs === 0 || !link.datagramsFlowing(now, this.ctx.options.downAfterMs)) {
      this.markDown(link, 'closed');
      return;
    }
    this.ctx.options.logger.info(
      { peer: link.id, confirmMs },
      "connection closed but the peer's datagrams arrive: it stays up while they do",
    );
    link.confirmClosed(now, confirmMs, () => {
      if (this.ctx.state === 'running') this.markDown(link, 'closed');
    });
    probe?.(confirmMs, () => {
      if (this.ctx.state !== 'running' || !link.confirmingClose || link.active !== null) return;
      this.ctx.options.logger.info(
        { peer: link.id },
        "the peer's heartbeat port is unreachable: its process is gone",
      );
      this.markDown(link, 'closed');
    });
  }

  markDown(link: PeerLink, reason: PeerDownReason): void {
    link.markDown(reason);
    this.ctx.options.logger.info(
      { peer: link.id, reason, lastHeartbeatAtMs: link.lastHeartbeatAtMs },
      'peer down',
    );
    this.ctx.events.emit('peer-down', link.id, reason);
  }
}

/** Sends a probe datagram; `refused` runs if the peer's port answers unreachable in `lingerMs`. */
export type Probe = (lingerMs: number, refused: () => void) => void;

/** The echo a heartbeat carries: our sentAtMs it answers, and how long the peer held it. */
export interface Echo {
  readonly echoSentAtMs: number;
  readonly echoHeldMs: number;
}
