// Frames out: this node's hello and heartbeats, signed, numbered from one sequence per
// incarnation, with backpressure. A heartbeat is never queued behind one the peer has not
// read yet; a socket that stays backed up past sendStallTimeoutMs is cut.

import { randomBytes } from 'node:crypto';
import { encodeGroups, encodeWithGroups, type FrameHeader } from './codec.js';
import { INCARNATION_BYTES, type ConnectionRole } from './frame.js';
import type { MeshContext } from './mesh-context.js';
import type { PeerLink } from './peer-link.js';
import type { Session } from './session.js';
import type { WireGroupState } from './types.js';

export const EMPTY_STATE = encodeGroups({});

/** Where the datagram copy of a heartbeat goes (README "Datagram path"). */
export interface DatagramOutlet {
  send(link: PeerLink, frame: Buffer): void;
  probe(link: PeerLink, frame: Buffer, lingerMs: number, refused: () => void): void;
}

export class HeartbeatSender {
  #incarnation = '';
  #seq = 0;
  /** The encoded state section, copied into every heartbeat. */
  #localState: Buffer = EMPTY_STATE;

  /** Null while the datagram path is off. */
  datagrams: DatagramOutlet | null = null;

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

  /**
   * A heartbeat on `session`. On the connection in use the same bytes also go out as a
   * datagram, even while the socket is backed up: a stalled stream is what they are for.
   */
  heartbeat(link: PeerLink, session: Session, now: number): void {
    if (!session.open || session.peerNonce === null) return;
    const { datagrams } = this;
    const copy = datagrams !== null && link.active === session;
    const backedUp = session.ws.bufferedAmount > 0;
    if (backedUp && !copy) {
      this.backedUp(link, session, now);
      return;
    }
    const frame = this.frame(link, session.role, session.peerNonce, now);
    if (copy) {
      link.addressedBy(session.role, session.peerNonce);
      datagrams.send(link, frame);
    }
    if (backedUp) {
      this.backedUp(link, session, now);
      return;
    }
    session.flowing();
    const { counters, events } = this.ctx;
    session.ws.send(frame, (error) => {
      if (error === undefined) this.drained(link, session);
    });
    counters.heartbeatsSent++;
    if (events.wanted('sent')) events.emit('sent', link.id);
  }

  /**
   * No connection in use: the heartbeat goes out as a datagram alone, signed as on the last
   * connection that was (the peer checks incarnation and seq, not the nonce). Nothing before
   * a first connection: the peer would refuse an incarnation no connection proved.
   */
  datagramOnly(link: PeerLink, now: number): void {
    const addressing = link.datagramAddressing;
    if (this.datagrams === null || link.active !== null || addressing === null) return;
    this.datagrams.send(link, this.frame(link, addressing.role, addressing.nonce, now));
  }

  /**
   * The connection in use just closed: the current heartbeat as a probe datagram (see
   * DatagramOutlet.probe), signed as datagramOnly signs. `refused`: the peer's port is closed.
   */
  probe(link: PeerLink, now: number, lingerMs: number, refused: () => void): void {
    const addressing = link.datagramAddressing;
    if (this.datagrams === null || link.active !== null || addressing === null) return;
    const frame = this.frame(link, addressing.role, addressing.nonce, now);
    this.datagrams.probe(link, frame, lingerMs, refused);
  }

  private frame(link: PeerLink, role: ConnectionRole, nonce: string, now: number): Buffer {
    const { options, keys } = this.ctx;
    const header: FrameHeader = {
      kind: 'heartbeat',
      role,
      receiverId: link.id,
      incarnation: this.#incarnation,
      nonce,
      seq: ++this.#seq,
      sentAtMs: now,
      ...link.echoAt(now),
      clusterName: options.clusterName,
      nodeId: options.nodeId,
    };
    return encodeWithGroups(header, this.#localState, keys.key);
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
