// Frames out: this node's hello and heartbeats, signed, numbered from one sequence per
// incarnation, with backpressure. A heartbeat is never queued behind one the peer has not
// read yet; a socket that stays backed up past sendStallTimeoutMs is cut.

import { randomBytes } from 'node:crypto';
import { encodeGroups, encodeWithGroups, type FrameHeader } from './codec.js';
import { INCARNATION_BYTES } from './frame.js';
import type { MeshContext } from './mesh-context.js';
import type { PeerLink } from './peer-link.js';
import type { Session } from './session.js';
import type { WireGroupState } from './types.js';

export const EMPTY_STATE = encodeGroups({});

export class HeartbeatSender {
  #incarnation = '';
  #seq = 0;
  /** The encoded state section, copied into every heartbeat. */
  #localState: Buffer = EMPTY_STATE;

  constructor(private readonly ctx: MeshContext) {}

  /** This process's incarnation on the wire, new at every start. */
  get incarnation(): string {
    return this.#incarnation;
  }

  /** A new incarnation: the peers see a restart, and seqs start over. */
  restart(): void {
    this.#incarnation = randomBytes(INCARNATION_BYTES).toString('hex');
    this.#seq = 0;
  }

  setLocalState(groups: Readonly<Record<string, WireGroupState>>, hears?: readonly string[]): void {
    // Encoded once here, copied into every frame until the next change.
    this.#localState = encodeGroups(groups, hears);
  }

  hello(session: Session): void {
    if (!session.open || session.peerId === null) return;
    const { options, clock, keys } = this.ctx;
    const header: FrameHeader = {
      kind: 'hello',
      role: session.role,
      receiverId: session.peerId,
      incarnation: this.#incarnation,
      nonce: session.localNonce,
      seq: ++this.#seq,
      sentAtMs: clock.now(),
      echoSentAtMs: 0,
      echoHeldMs: 0,
      clusterName: options.clusterName,
      nodeId: options.nodeId,
    };
    session.ws.send(encodeWithGroups(header, EMPTY_STATE, keys.key));
  }

  heartbeat(link: PeerLink, session: Session, now: number): void {
    if (!session.open || session.peerNonce === null) return;
    if (session.ws.bufferedAmount > 0) {
      this.backedUp(link, session, now);
      return;
    }
    session.flowing();
    const { options, counters, events, keys } = this.ctx;
    const header: FrameHeader = {
      kind: 'heartbeat',
      role: session.role,
      receiverId: link.id,
      incarnation: this.#incarnation,
      nonce: session.peerNonce,
      seq: ++this.#seq,
      sentAtMs: now,
      ...link.echoAt(now),
      clusterName: options.clusterName,
      nodeId: options.nodeId,
    };
    session.ws.send(encodeWithGroups(header, this.#localState, keys.key), (error) => {
      if (error === undefined) this.drained(link, session);
    });
    counters.heartbeatsSent++;
    if (events.wanted('sent')) events.emit('sent', link.id);
  }

  /**
   * The previous heartbeat is still queued: sending another would only queue stale state
   * behind it. Skip it (the latest state goes out once the socket drains) and cut the peer
   * if the socket stays backed up.
   */
  private backedUp(link: PeerLink, session: Session, now: number): void {
    const { options, counters } = this.ctx;
    counters.heartbeatsSkipped++;
    const stalledMs = session.backedUp(now);
    if (stalledMs < options.sendStallTimeoutMs) return;
    counters.stalledPeersCut++;
    options.logger.warn(
      {
        peer: link.id,
        remote: session.remote,
        bufferedBytes: session.ws.bufferedAmount,
        stalledMs: Math.round(stalledMs),
      },
      'peer is not reading its heartbeats; cutting the connection',
    );
    session.terminate();
  }

  private drained(link: PeerLink, session: Session): void {
    if (!session.takeResend()) return;
    if (link.active === session || link.standby === session) {
      this.heartbeat(link, session, this.ctx.clock.now());
    }
  }
}
