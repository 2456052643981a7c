// Frames in: decode and verify each message, apply the handshake's verdict (handshake.ts has
// the rules) and pass fresh heartbeats on. A frame that fails is counted and rejected by
// reason; an unproven connection that sends one is cut.
//
// If two connections to one peer authenticate, both sides keep the same one (PeerLink.adopt)
// and close the other with CLOSE_DUPLICATE, which the far end treats as a handover rather
// than a lost peer.

import type { RawData } from 'ws';
import type { AdmissionSlot } from './admission.js';
import { decodeSigned, frameVersion } from './codec.js';
import { HeartbeatDecodeError } from './errors.js';
import { PROTOCOL_VERSION, type HeartbeatFrame } from './frame.js';
import { judgeFrame } from './handshake.js';
import type { Liveness } from './liveness.js';
import type { MeshContext } from './mesh-context.js';
import type { PeerLink } from './peer-link.js';
import type { HeartbeatSender } from './sender.js';
import type { Session } from './session.js';
import { certifiedNodeIds } from './transport.js';
import type { RejectReason } from './types.js';

/**
 * A connection without a heartbeat for this many intervals is no longer in use: a newer
 * one dialed by the same side may replace it (PeerLink.adopt). Two missed heartbeats, so
 * one late frame on a busy host does not count, and well inside downAfterMs.
 */
const HANDOVER_SILENT_INTERVALS = 2;
/** Remote hosts already told about in a 'bad-version' warning (bounded). */
const MAX_VERSION_WARNINGS = 256;

export class Receiver {
  /** Peers or remote hosts already warned about speaking another protocol version. */
  private readonly versionWarned = new Set<string>();

  constructor(
    private readonly ctx: MeshContext,
    private readonly links: () => ReadonlyMap<string, PeerLink>,
    /** Inbound connections that have not authenticated yet, with their admission slots. */
    private readonly pendingInbound: Map<Session, AdmissionSlot>,
    private readonly sender: HeartbeatSender,
    private readonly liveness: Liveness,
  ) {}

  /** Read at use: a reload may change the interval. */
  private get handoverSilentMs(): number {
    return HANDOVER_SILENT_INTERVALS * this.ctx.options.intervalMs;
  }

  message(session: Session, data: RawData, isBinary: boolean): void {
    // A connection being retired as a duplicate still carries authentic heartbeats until
    // the far end switches over; dropping them could lose a state change.
    if (session.dead || (session.retiring && !session.authenticated)) return;
    if (!isBinary) {
      this.reject(session, 'malformed', 'text message; heartbeat frames are binary');
      return;
    }
    const { options, counters, keys, clock } = this.ctx;
    const now = clock.now();
    const bytes = toBuffer(data);
    let frame: HeartbeatFrame;
    try {
      const signed = decodeSigned(bytes, {
        key: keys.key,
        acceptKeys: keys.acceptKeys,
        clusterName: options.clusterName,
        groupsCache: session.groupsCache,
      });
      frame = signed.frame;
      if (signed.keyIndex > 0) counters.framesUnderAcceptedKey++;
    } catch (error) {
      if (!(error instanceof HeartbeatDecodeError)) throw error;
      // A node of another build retries for as long as it runs: it gets one warning of its
      // own (per peer or host) instead of a line a second from the RejectLog.
      const warned = error.reason === 'bad-version';
      if (warned) this.warnVersion(session, frameVersion(bytes));
      this.reject(session, error.reason, error.message, warned);
      return;
    }
    const link = this.links().get(frame.nodeId);
    if (link === undefined) {
      this.reject(session, 'unknown-node', `node id "${frame.nodeId}" is not a configured peer`);
      return;
    }
    if (!session.authenticated && !this.certificateNames(session, frame.nodeId)) return;
    const verdict = judgeFrame(session, frame, options.nodeId, link.incarnation);
    switch (verdict.action) {
      case 'reject':
        this.reject(session, verdict.reason, verdict.detail);
        if (verdict.terminate) session.terminate();
        return;
      case 'hello':
        this.hello(session, link, frame, verdict.answerWithHello, now);
        return;
      case 'authenticate':
        session.authenticate(frame.incarnation);
        session.heard(frame.seq, now);
        this.authenticate(session, link, frame, now);
        this.heartbeat(session, link, frame, now);
        return;
      case 'heartbeat':
        session.heard(frame.seq, now);
        this.heartbeat(session, link, frame, now);
        return;
    }
  }

  /** An error on the socket: a WebSocket protocol violation is rejected like a bad frame. */
  socketError(session: Session, error: Error): void {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
      // ws closes the connection itself (1002/1009).
      const oversized =
        code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ||
        code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH';
      this.reject(session, oversized ? 'oversized' : 'malformed', error.message);
      return;
    }
    this.ctx.options.logger.debug(
      { peer: session.peerId, remote: session.remote, err: error.message },
      'heartbeat connection error',
    );
  }

  /**
   * With TLS, a connection speaks only for a node its peer's certificate names: another
   * node's certificate (and the cluster key) must not be enough to claim this node id.
   */
  private certificateNames(session: Session, nodeId: string): boolean {
    const named = certifiedNodeIds(session.ws, this.ctx.tls !== null);
    if (named === undefined || named.includes(nodeId)) return true;
    const names = named.length === 0 ? 'no node' : named.map((id) => `"${id}"`).join(', ');
    this.reject(
      session,
      'unknown-node',
      `the connection's TLS certificate names ${names}, not "${nodeId}"`,
    );
    return false;
  }

  private hello(
    session: Session,
    link: PeerLink,
    frame: HeartbeatFrame,
    answerWithHello: boolean,
    now: number,
  ): void {
    // A hello proves nothing by itself (it could be recorded): it only hands us the nonce the
    // peer's heartbeats must be answered with. The connection joins the link's list, but
    // nothing about the link waits for it until it authenticates.
    session.helloFrom(link.id, frame.nonce);
    link.claim(session);
    if (answerWithHello) this.sender.hello(session);
    // Answer at once: our heartbeat echoing its nonce is what authenticates us to the peer.
    this.sender.heartbeat(link, session, now);
  }

  private heartbeat(session: Session, link: PeerLink, frame: HeartbeatFrame, now: number): void {
    this.liveness.heard(link, session.remote, 'stream', frame.incarnation, now, frame);
    if (link.standby === session) this.promoteStandby(link, now);
    if (!link.isNews(frame.seq, frame.sentAtMs, now)) return;
    emitHeartbeat(this.ctx, link, frame, now);
  }

  private authenticate(session: Session, link: PeerLink, frame: HeartbeatFrame, now: number) {
    const { options } = this.ctx;
    this.pendingInbound.get(session)?.release();
    this.pendingInbound.delete(session);
    // Up without a connection: its datagrams kept it up (or a handover was awaited).
    const streamLost = link.up && link.active === null;
    const { restartedFrom, retire } = link.adopt(
      session,
      frame.incarnation,
      options.nodeId,
      now,
      this.handoverSilentMs,
    );
    if (restartedFrom !== null) {
      options.logger.info(
        { peer: link.id, previous: restartedFrom, incarnation: frame.incarnation },
        'peer restarted (new incarnation)',
      );
    }
    for (const { session: loser, code, reason } of retire) {
      loser.retire(code, reason, options.authTimeoutMs);
    }
    if (link.standby === session) {
      options.logger.info(
        { peer: link.id, remote: session.remote, active: link.active?.remote },
        'second connection from the same side while the link is in use: kept as standby ' +
          'until the active one goes silent',
      );
      return;
    }
    if (link.active !== session) return;
    link.connectedAt(now);
    link.cancelDial();
    const fields = { peer: link.id, remote: session.remote, direction: session.direction };
    // The counterpart of 'peer up' for a peer that never went down: the stream is back.
    if (streamLost) options.logger.info(fields, 'heartbeat connection back');
    else options.logger.debug(fields, 'link authenticated');
    // The current state right away on the connection now in use, rather than at the next
    // tick: a change sent on the old one may have been lost with it.
    this.sender.heartbeat(link, session, now);
  }

  /** The peer speaks on the standby; if the active connection fell silent, switch. */
  private promoteStandby(link: PeerLink, now: number): void {
    const { options } = this.ctx;
    const retired = link.promoteStandby(now, this.handoverSilentMs);
    if (retired === null || link.active === null) return;
    retired.session.retire(retired.code, retired.reason, options.authTimeoutMs);
    link.connectedAt(now);
    options.logger.info(
      { peer: link.id, remote: link.active.remote, silentMs: this.handoverSilentMs },
      'active connection went silent; the standby took over',
    );
  }

  /** Once per peer (or remote host): a node of another build is knocking. */
  private warnVersion(session: Session, versionSeen: number): void {
    const who = session.peerId ?? hostOf(session.remote);
    if (this.versionWarned.has(who) || this.versionWarned.size >= MAX_VERSION_WARNINGS) return;
    this.versionWarned.add(who);
    this.ctx.options.logger.warn(
      {
        peer: session.peerId,
        remote: session.remote,
        versionSeen,
        versionSpoken: PROTOCOL_VERSION,
        reason: 'bad-version',
      },
      'heartbeat peer speaks another protocol version; upgrade every node to the same build',
    );
  }

  private reject(
    session: Session,
    reason: RejectReason,
    detail: string,
    loggedElsewhere = false,
  ): void {
    const { counters, rejectLog, events, clock } = this.ctx;
    counters.rejected[reason]++;
    if (!loggedElsewhere) {
      rejectLog.rejected(
        clock.now(),
        reason,
        {
          peer: session.peerId,
          remote: session.remote,
          direction: session.direction,
          authenticated: session.authenticated,
          detail,
        },
        'heartbeat frame rejected',
      );
    }
    events.emit('rejected', reason, session.peerId, session.remote);
    // An authenticated peer keeps its connection (the frame is dropped); an unproven
    // connection gets no second chance.
    if (!session.authenticated) session.terminate();
  }
}

/** A heartbeat that is news for `link` goes to the listeners (either path). */
export function emitHeartbeat(
  ctx: MeshContext,
  link: PeerLink,
  frame: HeartbeatFrame,
  now: number,
): void {
  ctx.events.emit('heartbeat', {
    from: link.id,
    incarnation: frame.incarnation,
    seq: frame.seq,
    sentAtMs: frame.sentAtMs,
    receivedAtMs: now,
    groups: frame.groups,
    ...(frame.hears === undefined ? {} : { hears: frame.hears }),
  });
}

/** host of a host:port (for one warning per host, whatever the source port). */
function hostOf(remote: string): string {
  const colon = remote.lastIndexOf(':');
  return colon < 0 ? remote : remote.slice(0, colon);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}
