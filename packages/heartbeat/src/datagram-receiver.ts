// Datagrams in (README "Datagram path"). A datagram is a copy of a heartbeat frame, signed
// like every frame, but it arrives outside any connection: no handshake vouches for it. So
// it may only confirm what a connection established: it must come from a configured
// address of the peer it names, be signed for this node, belong to the
// incarnation the peer's last authenticated connection proved, and carry a seq above the
// last heartbeat delivered from it (which also drops the copy of a heartbeat the stream
// delivered first). A replay is stale, a forgery fails the MAC, a restart must prove
// itself on a connection before its datagrams count.

import { decodeSigned, type GroupsCache } from './codec.js';
import { formatHostPort } from './address.js';
import { HeartbeatDecodeError } from './errors.js';
import type { HeartbeatFrame } from './frame.js';
import type { Liveness } from './liveness.js';
import type { MeshContext } from './mesh-context.js';
import type { PeerLink } from './peer-link.js';
import { emitHeartbeat } from './receiver.js';
import type { DatagramRejectReason } from './types.js';

/** An address peers are configured at: who may speak from it. */
export interface DatagramSource {
  /** Ids of the peers configured at this address (several on one host, as in tests). */
  readonly peers: readonly string[];
  /** The group section last decoded from it (exact by bytes, whichever peer sent it). */
  readonly groups: GroupsCache;
}

/** What the judge needs to know about the link a datagram names. */
export interface DatagramLinkState {
  readonly id: string;
  /** The peer's incarnation its last authenticated connection proved; null before one. */
  readonly incarnation: string | null;
  /** Highest seq delivered for that incarnation, by either path. */
  readonly lastSeq: number;
}

export type DatagramVerdict =
  | {
      readonly action: 'reject';
      readonly reason: DatagramRejectReason;
      readonly detail: string;
    }
  /** The heartbeat was delivered already (normally by the stream): seq equal to the last. */
  | { readonly action: 'duplicate' }
  /** Older than the last heartbeat delivered. */
  | { readonly action: 'stale' }
  | { readonly action: 'deliver' };

/**
 * Judges an authentic frame (its MAC held) from a configured peer's address: `link` is the
 * link of the peer the frame names, if one is configured at that address. Pure.
 */
export function judgeDatagram(
  frame: HeartbeatFrame,
  link: DatagramLinkState | undefined,
  selfId: string,
): DatagramVerdict {
  if (link === undefined) {
    return reject(
      'datagram-unknown-source',
      `"${frame.nodeId}" is not a peer configured at the datagram's source address`,
    );
  }
  if (frame.receiverId !== selfId) {
    return reject('wrong-receiver', `signed for "${frame.receiverId}", not for this node`);
  }
  if (frame.kind !== 'heartbeat') {
    return reject('malformed', 'a hello belongs to a connection, not to a datagram');
  }
  if (link.incarnation === null || frame.incarnation !== link.incarnation) {
    return reject(
      'datagram-unknown-incarnation',
      link.incarnation === null
        ? 'no connection has authenticated this peer yet'
        : 'not the incarnation the last authenticated connection proved',
    );
  }
  if (frame.seq > link.lastSeq) return { action: 'deliver' };
  return { action: frame.seq === link.lastSeq ? 'duplicate' : 'stale' };
}

function reject(reason: DatagramRejectReason, detail: string): DatagramVerdict {
  return { action: 'reject', reason, detail };
}

export class DatagramReceiver {
  constructor(
    private readonly ctx: MeshContext,
    private readonly links: () => ReadonlyMap<string, PeerLink>,
    /** The configured peers' addresses (canonical). */
    private readonly sources: () => ReadonlyMap<string, DatagramSource>,
    private readonly liveness: Liveness,
  ) {}

  message(bytes: Buffer, address: string, port: number): void {
    if (this.ctx.state !== 'running') return;
    const remote = formatHostPort({ host: address, port });
    const source = this.sources().get(address);
    // Before the MAC: a stranger's datagram costs a map lookup, not an HMAC.
    if (source === undefined) {
      this.reject('datagram-unknown-source', null, remote, 'not the address of a peer');
      return;
    }
    const frame = this.decode(bytes, source.groups, remote);
    if (frame === null) return;
    const { counters, clock, options } = this.ctx;
    const now = clock.now();
    const link = source.peers.includes(frame.nodeId) ? this.links().get(frame.nodeId) : undefined;
    const verdict = judgeDatagram(frame, link, options.nodeId);
    if (verdict.action === 'reject') {
      this.reject(verdict.reason, link?.id ?? null, remote, verdict.detail);
      return;
    }
    if (link === undefined) return; // judged above: an unknown peer is rejected
    switch (verdict.action) {
      case 'duplicate':
        counters.datagramsDuplicate++;
        link.datagramRepeated(now);
        return;
      case 'stale':
        counters.datagramsStale++;
        link.datagramRepeated(now);
        return;
      case 'deliver':
        counters.datagramsReceived++;
        this.liveness.heard(link, remote, 'datagram', frame.incarnation, now, frame);
        if (link.isNews(frame.seq, frame.sentAtMs, now)) emitHeartbeat(this.ctx, link, frame, now);
        return;
    }
  }

  private decode(bytes: Buffer, groups: GroupsCache, remote: string): HeartbeatFrame | null {
    const { options, keys, counters } = this.ctx;
    try {
      const signed = decodeSigned(bytes, {
        key: keys.key,
        acceptKeys: keys.acceptKeys,
        clusterName: options.clusterName,
        groupsCache: groups,
      });
      if (signed.keyIndex > 0) counters.framesUnderAcceptedKey++;
      return signed.frame;
    } catch (error) {
      if (!(error instanceof HeartbeatDecodeError)) throw error;
      this.reject(error.reason, null, remote, error.message);
      return null;
    }
  }

  private reject(
    reason: DatagramRejectReason,
    peer: string | null,
    remote: string,
    detail: string,
  ): void {
    const { counters, rejectLog, clock } = this.ctx;
    counters.datagramsRejected[reason]++;
    rejectLog.rejected(
      clock.now(),
      `datagram:${reason}`,
      { peer, remote, detail },
      'heartbeat datagram rejected',
    );
  }
}
