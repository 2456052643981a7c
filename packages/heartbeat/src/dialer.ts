// Dialling: one outgoing connection attempt per peer at a time, redialled after a close at
// once if the link had been healthy and with jittered backoff otherwise, so a flapping peer
// cannot spin us. Nothing a connection does before it is proven stops a dial or delays a
// reconnect.

import { dial } from './transport.js';
import type { MeshContext } from './mesh-context.js';
import type { PeerLink } from './peer-link.js';
import { CLOSE_RECONNECTING, Session } from './session.js';

/** What the mesh does with a connection the dialer opened. */
export interface DialedConnections {
  /** Listen to its frames and its close. */
  attach(session: Session): void;
  /** The WebSocket is open: start the handshake. */
  opened(session: Session): void;
}

export class Dialer {
  constructor(
    private readonly ctx: MeshContext,
    private readonly connections: DialedConnections,
  ) {}

  dial(link: PeerLink): void {
    // Only a proven connection stops a dial: an inbound one still in its handshake may be a
    // replayed hello that will never authenticate, and waiting for it would let whoever
    // parks such hellos keep us from ever reconnecting. If the peer is dialing us right
    // now too, the two connections are resolved like any duplicate.
    if (this.ctx.state !== 'running' || link.active !== null || link.dialing !== null) return;
    const { options, counters, tls, clock } = this.ctx;
    counters.dialAttempts++;
    const ws = dial(link.hostPort, tls, options.authTimeoutMs);
    const session = new Session(ws, 'outbound', link.address, link.id, clock);
    link.dialed(session);
    this.connections.attach(session);
    ws.once('open', () => {
      // Connecting was bounded by ws's handshakeTimeout; the hello exchange gets its own
      // deadline, so a slow but progressing connection is not cut halfway.
      this.connections.opened(session);
    });
  }

  /**
   * A planned reconnect (reconnect()): our own link came back and the connections to the
   * peer may sit in TCP retransmission backoff. Hang them up with CLOSE_RECONNECTING (the
   * far end gives us our normal down interval to come back instead of declaring us gone)
   * and dial a fresh one without backoff.
   *
   * The connections are detached from the link first, so their close reports nothing: the
   * peer did not go away, we hung up on purpose. Whether it is up stays as it was, and the
   * silence watch keeps running from its last heartbeat, so a redial that fails is still
   * reported 'silent' after downAfterMs, as if the old connection had stayed. Reporting
   * 'closed' instead would tell the election the peer is gone *now* and let this node claim
   * a group the peer holds before its next heartbeat could say so.
   */
  redialNow(link: PeerLink): void {
    const cut = link.detachAll();
    for (const session of cut) session.hangUp(CLOSE_RECONNECTING, 'reconnecting');
    this.ctx.options.logger.info(
      { peer: link.id, connections: cut.length, up: link.up },
      'reconnecting to peer (planned)',
    );
    this.dial(link);
  }

  /** `closed` was the link's last way to the peer: dial again, now or after a backoff. */
  redialAfterClose(link: PeerLink, closed: Session): void {
    if (this.ctx.state !== 'running' || link.active !== null || link.dialing !== null) return;
    if (link.dialPending) return;
    // A link that had been up for a while was healthy: redial at once (the peer may only
    // have restarted). Anything shorter-lived backs off, so a flapping peer cannot spin us.
    // A handover backs off too: the connection the peer moved to is most likely proven
    // before the timer fires, and then dial() does nothing.
    const stable =
      closed.authenticated &&
      !link.awaitingHandover &&
      link.stableAt(this.ctx.clock.now(), this.ctx.options.downAfterMs);
    link.scheduleDial(link.redialDelayMs(stable), () => {
      this.dial(link);
    });
  }
}
