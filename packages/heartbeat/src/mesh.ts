// The WebSocket heartbeat mesh: one listening endpoint, one logical link per configured
// peer, one signed heartbeat per interval per peer carrying every group's state.
//
// Connection rules (README "Links"): both sides dial a peer they have no link to; the dialer
// sends a signed hello with a fresh nonce, the acceptor answers a valid one with its own,
// and a connection is trusted once a heartbeat echoing our nonce arrives (handshake.ts has
// the rules). If two connections to one peer authenticate, both sides keep the same one
// (PeerLink.adopt) and close the other with CLOSE_DUPLICATE, which the far end treats as a
// handover rather than a lost peer. Nothing a connection does before it is proven stops a
// dial or delays a reconnect.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { formatHostPort } from './address.js';
import {
  AdmissionControl,
  resolvePeerAddresses,
  SLOTS_PER_PEER,
  SLOTS_PER_SOURCE,
  type AdmissionSlot,
} from './admission.js';
import { nowMs } from './clock.js';
import {
  decodeSigned,
  encodeGroups,
  encodeWithGroups,
  frameVersion,
  type FrameHeader,
} from './codec.js';
import { judgeFrame } from './handshake.js';
import { HeartbeatConfigError, HeartbeatDecodeError } from './errors.js';
import { MeshEvents } from './events.js';
import { INCARNATION_BYTES, PROTOCOL_VERSION, type HeartbeatFrame } from './frame.js';
import { resolveKeys, resolveOptions, type MeshKeys, type ResolvedOptions } from './options.js';
import { PeerLink } from './peer-link.js';
import { RejectLog } from './reject-log.js';
import { snapshot, zeroCounters } from './stats.js';
import { CLOSE_DUPLICATE, CLOSE_SHUTDOWN, Session } from './session.js';
import { SILENCE_HORIZON_INTERVALS } from './silence.js';
import {
  certifiedNodeIds,
  dial,
  listen,
  loadTls,
  remoteOf,
  type Endpoint,
  type ListenOptions,
  type TlsMaterial,
} from './transport.js';
import type {
  ConnectionDropReason,
  HeartbeatMesh,
  HeartbeatMeshEvents,
  HeartbeatMeshOptions,
  HeartbeatMeshStats,
  PeerDownReason,
  PeerStatus,
  RejectReason,
  WireGroupState,
} from './types.js';

const EMPTY_STATE = encodeGroups({});
/** How long stop() lets peers answer our close frame before cutting the sockets. */
const SHUTDOWN_GRACE_MS = 500;
/**
 * A connection without a heartbeat for this many intervals is no longer in use: a newer
 * one dialed by the same side may replace it (PeerLink.adopt). Two missed heartbeats, so
 * one late frame on a busy host does not count, and well inside downAfterMs.
 */
const HANDOVER_SILENT_INTERVALS = 2;
/** Remote hosts already told about in a 'bad-version' warning (bounded). */
const MAX_VERSION_WARNINGS = 256;

export function createHeartbeatMesh(options: HeartbeatMeshOptions): HeartbeatMesh {
  return new WebSocketMesh(resolveOptions(options));
}

class WebSocketMesh implements HeartbeatMesh {
  private readonly events: MeshEvents;
  private readonly rejectLog: RejectLog;
  private state: 'idle' | 'starting' | 'running' | 'stopping' = 'idle';
  private incarnation = '';
  private seq = 0;
  /** The encoded state section, copied into every heartbeat. */
  private localState: Buffer = EMPTY_STATE;
  private links = new Map<string, PeerLink>();
  /** Every open connection, for shutdown. */
  private readonly sessions = new Set<Session>();
  /** Inbound connections that have not authenticated yet, with their admission slots. */
  private readonly pendingInbound = new Map<Session, AdmissionSlot>();
  private endpoint: Endpoint | null = null;
  private tls: TlsMaterial | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private counters = zeroCounters();
  private readonly silenceHorizonMs: number;
  private readonly handoverSilentMs: number;
  /** Peers or remote hosts already warned about speaking another protocol version. */
  private readonly versionWarned = new Set<string>();
  /** Signing key and the keys also accepted; replaced by setKeys(). */
  private keys: MeshKeys;

  constructor(private readonly options: ResolvedOptions) {
    this.keys = { key: options.key, acceptKeys: options.acceptKeys };
    this.silenceHorizonMs = SILENCE_HORIZON_INTERVALS * options.intervalMs;
    this.handoverSilentMs = HANDOVER_SILENT_INTERVALS * options.intervalMs;
    this.events = new MeshEvents(options.logger);
    this.rejectLog = new RejectLog(options.logger);
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') throw new Error(`heartbeat mesh cannot start: ${this.state}`);
    this.state = 'starting';
    try {
      await this.open();
    } catch (error) {
      this.state = 'idle';
      throw error;
    }
  }

  private async open(): Promise<void> {
    const { options } = this;
    this.tls = options.tls === null ? null : await loadTls(options.tls);
    this.incarnation = randomBytes(INCARNATION_BYTES).toString('hex');
    this.seq = 0;
    this.counters = zeroCounters();
    this.links = new Map(
      options.peers.map((peer) => [
        peer.id,
        new PeerLink(peer.id, peer.address, peer.hostPort, options, {
          silent: (link) => {
            this.onSilent(link);
          },
          longSilent: (link) => {
            this.onLongSilence(link);
          },
        }),
      ]),
    );
    this.endpoint = await listen(await this.listenOptions(), {
      connection: (ws, request, slot) => {
        this.accept(ws, request, slot);
      },
      dropped: (reason, remote) => {
        this.onDropped(reason, remote);
      },
      serverError: (error) => {
        options.logger.error({ err: error.message }, 'heartbeat listener error');
      },
      tlsFailure: (error, remote) => {
        this.counters.tlsHandshakeFailures++;
        this.rejectLog.rejected(
          nowMs(),
          'tls',
          { remote, err: error.message },
          'TLS handshake failed',
        );
      },
    });
    this.state = 'running';
    this.ticker = setInterval(() => {
      this.tick();
    }, options.intervalMs);
    for (const link of this.links.values()) this.dial(link);
    options.logger.info(
      {
        nodeId: options.nodeId,
        listen: formatHostPort({ host: options.listen.host, port: this.endpoint.port }),
        peers: options.peers.map((peer) => peer.id),
        intervalMs: options.intervalMs,
        downAfterMs: options.downAfterMs,
        tls: this.tls !== null,
        incarnation: this.incarnation,
      },
      'heartbeat mesh started',
    );
  }

  async stop(): Promise<void> {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    for (const link of this.links.values()) {
      if (link.dialTimer !== null) clearTimeout(link.dialTimer);
      link.dialTimer = null;
      link.quiet();
      link.up = false;
    }
    const closed = [...this.sessions].map(
      (session) =>
        new Promise<void>((resolve) => {
          if (session.ws.readyState === session.ws.CLOSED) {
            resolve();
            return;
          }
          session.ws.once('close', () => {
            resolve();
          });
          session.retire(CLOSE_SHUTDOWN, 'node shutting down', SHUTDOWN_GRACE_MS);
        }),
    );
    await Promise.all(closed);
    await this.endpoint?.close();
    this.endpoint = null;
    this.state = 'idle';
    this.options.logger.info({ nodeId: this.options.nodeId }, 'heartbeat mesh stopped');
  }

  setLocalState(groups: Readonly<Record<string, WireGroupState>>, hears?: readonly string[]): void {
    // Encoded once here, copied into every frame until the next change.
    this.localState = encodeGroups(groups, hears);
  }

  setKeys(key: Uint8Array, acceptKeys?: readonly Uint8Array[]): void {
    this.keys = resolveKeys(key, acceptKeys);
    this.options.logger.info(
      { acceptKeys: this.keys.acceptKeys.length },
      'heartbeat keys replaced (signing with the new key from the next frame)',
    );
  }

  sendNow(): void {
    if (this.state !== 'running') return;
    const now = nowMs();
    for (const link of this.links.values()) {
      for (const session of link.outgoing()) this.sendHeartbeat(link, session, now);
    }
  }

  reconnect(peer?: string): void {
    if (this.state !== 'running') return;
    const links = peer === undefined ? [...this.links.values()] : [this.links.get(peer)];
    for (const link of links) {
      if (link === undefined) {
        throw new HeartbeatConfigError(
          'UNKNOWN_PEER',
          `reconnect: "${String(peer)}" is not a configured peer`,
        );
      }
      this.redialNow(link);
    }
  }

  peers(): readonly PeerStatus[] {
    return [...this.links.values()].map((link) => link.status());
  }

  port(): number {
    if (this.endpoint === null) throw new Error('heartbeat mesh is not listening');
    return this.endpoint.port;
  }

  stats(): HeartbeatMeshStats {
    return snapshot(this.counters);
  }

  on<E extends keyof HeartbeatMeshEvents>(
    event: E,
    listener: (...args: HeartbeatMeshEvents[E]) => void,
  ): this {
    this.events.on(event, listener);
    return this;
  }

  off<E extends keyof HeartbeatMeshEvents>(
    event: E,
    listener: (...args: HeartbeatMeshEvents[E]) => void,
  ): this {
    this.events.off(event, listener);
    return this;
  }

  // --- connections -----------------------------------------------------------------------

  private dial(link: PeerLink): void {
    link.dialTimer = null;
    // Only a proven connection stops a dial: an inbound one still in its handshake may be a
    // replayed hello that will never authenticate, and waiting for it would let whoever
    // parks such hellos keep us from ever reconnecting. If the peer is dialing us right
    // now too, the two connections are resolved like any duplicate.
    if (this.state !== 'running' || link.active !== null || link.dialing !== null) return;
    this.counters.dialAttempts++;
    const ws = dial(link.hostPort, this.tls, this.options.authTimeoutMs);
    const session = new Session(ws, 'outbound', link.address, link.id);
    link.dialing = session;
    link.sessions.add(session);
    this.attach(session);
    ws.once('open', () => {
      // Connecting was bounded by ws's handshakeTimeout; the hello exchange gets its own
      // deadline, so a slow but progressing connection is not cut halfway.
      this.startAuthTimer(session);
      this.sendHello(session);
    });
  }

  /**
   * A planned reconnect (reconnect()): our own link came back and the connections to the
   * peer may sit in TCP retransmission backoff. Terminate them (a RST, which the far end sees
   * at once now that the path is up) and dial a fresh one without backoff.
   *
   * The connections are detached from the link first, so their close reports nothing: the
   * peer did not go away, we hung up on purpose. Whether it is up stays as it was, and the
   * silence watch keeps running from its last heartbeat, so a redial that fails is still
   * reported 'silent' after downAfterMs, as if the old connection had stayed. Reporting
   * 'closed' instead would tell the election the peer is gone *now* and let this node claim
   * a group the peer holds before its next heartbeat could say so.
   */
  private redialNow(link: PeerLink): void {
    const cut = link.detachAll();
    if (link.dialTimer !== null) clearTimeout(link.dialTimer);
    link.dialTimer = null;
    link.backoff.reset();
    for (const session of cut) session.terminate();
    this.options.logger.info(
      { peer: link.id, connections: cut.length, up: link.up },
      'reconnecting to peer (planned)',
    );
    this.dial(link);
  }

  // --- admission (README "Admission") ----------------------------------------------------

  /** Every pre-auth stage bounded: slots rationed per source, peers' addresses reserved. */
  private async listenOptions(): Promise<ListenOptions> {
    const { options } = this;
    const peers = await resolvePeerAddresses(options.peers.map((peer) => peer.hostPort.host));
    for (const { host, reason } of peers.unresolved) {
      options.logger.warn(
        { host, err: reason },
        'peer host does not resolve: no reserved connection slots for it',
      );
    }
    const limits = {
      sharedSlots: options.maxPendingConnections,
      slotsPerSource: SLOTS_PER_SOURCE,
      slotsPerPeer: SLOTS_PER_PEER,
    };
    return {
      address: options.listen,
      tls: this.tls,
      preauthTimeoutMs: options.authTimeoutMs,
      admission: new AdmissionControl(limits, peers.addresses),
    };
  }

  private onDropped(reason: ConnectionDropReason, remote: string): void {
    this.counters.connectionsDropped[reason]++;
    if (reason !== 'preauth-timeout') this.counters.connectionsRefused++;
    const message =
      reason === 'preauth-timeout'
        ? `connection did not upgrade within ${this.options.authTimeoutMs} ms of accept; cut`
        : 'no free slot for an unauthenticated heartbeat connection; refused';
    this.rejectLog.rejected(nowMs(), reason, { remote }, message);
  }

  private accept(ws: WebSocket, request: IncomingMessage, slot: AdmissionSlot): void {
    const remote = remoteOf(request);
    if (this.state !== 'running') {
      ws.terminate();
      return;
    }
    this.counters.connectionsAccepted++;
    const session = new Session(ws, 'inbound', remote, null);
    this.pendingInbound.set(session, slot);
    this.attach(session);
    // No hello yet: ours names its receiver, and we answer only a valid hello addressed to
    // us. So whoever connects gets nothing signed to carry elsewhere.
    this.startAuthTimer(session);
  }

  private attach(session: Session): void {
    this.sessions.add(session);
    const { ws } = session;
    ws.on('message', (data, isBinary) => {
      this.onMessage(session, data, isBinary);
    });
    ws.on('error', (error) => {
      this.onSocketError(session, error);
    });
    ws.on('close', (code) => {
      this.onClose(session, code);
    });
  }

  private startAuthTimer(session: Session): void {
    session.authTimer = setTimeout(() => {
      this.onAuthTimeout(session);
    }, this.options.authTimeoutMs);
  }

  private onAuthTimeout(session: Session): void {
    session.authTimer = null;
    if (session.authenticated || session.dead) return;
    this.counters.authTimeouts++;
    this.rejectLog.rejected(
      nowMs(),
      'auth-timeout',
      { remote: session.remote, peer: session.peerId, direction: session.direction },
      `connection did not authenticate within ${this.options.authTimeoutMs} ms`,
    );
    session.terminate();
  }

  private onSocketError(session: Session, error: Error): void {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
      // A WebSocket protocol violation; ws closes the connection itself (1002/1009).
      const oversized =
        code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ||
        code === 'WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH';
      this.reject(session, oversized ? 'oversized' : 'malformed', error.message);
      return;
    }
    this.options.logger.debug(
      { peer: session.peerId, remote: session.remote, err: error.message },
      'heartbeat connection error',
    );
  }

  private onClose(session: Session, code: number): void {
    session.dead = true;
    session.clearAuthTimer();
    this.sessions.delete(session);
    this.pendingInbound.delete(session);
    const link = session.peerId === null ? undefined : this.links.get(session.peerId);
    if (link === undefined || !link.sessions.has(session)) return;
    const wasOurDial = link.dialing === session;
    const detached = link.detach(session);
    if (this.state !== 'running') return;
    if (detached === 'handed-over' && link.active !== null) {
      this.options.logger.debug(
        { peer: link.id, remote: link.active.remote, direction: link.active.direction },
        'standby connection took over',
      );
      this.sendHeartbeat(link, link.active, nowMs());
      return;
    }
    if (link.up && link.active === null) {
      if (detached === 'lost-active' && code === CLOSE_DUPLICATE) link.awaitingHandover = true;
      // Only the connection in use, or our own dial, closing says something about the peer:
      // an inbound one still in its handshake may be anyone's, replaying the peer's hello.
      // Awaiting a handover, the silence watch still runs: no connection proving itself
      // means 'silent' at the usual deadline.
      const telling = detached === 'lost-active' || wasOurDial;
      if (telling && !link.awaitingHandover) this.markDown(link, 'closed');
    }
    this.scheduleRedial(link, session);
  }

  private scheduleRedial(link: PeerLink, closed: Session): void {
    if (this.state !== 'running' || link.active !== null || link.dialing !== null) return;
    if (link.dialTimer !== null) return;
    // A link that had been up for a while was healthy: redial at once (the peer may only
    // have restarted). Anything shorter-lived backs off, so a flapping peer cannot spin us.
    // A handover backs off too: the connection the peer moved to is most likely proven
    // before the timer fires, and then dial() does nothing.
    const stable =
      closed.authenticated &&
      !link.awaitingHandover &&
      nowMs() - link.linkUpAtMs >= this.options.downAfterMs;
    if (stable) link.backoff.reset();
    const delayMs = stable ? 0 : link.backoff.nextDelayMs();
    link.dialTimer = setTimeout(() => {
      this.dial(link);
    }, delayMs);
  }

  // --- frames in ---------------------------------------------------------------------------

  private onMessage(session: Session, data: RawData, isBinary: boolean): void {
    // A connection being retired as a duplicate still carries authentic heartbeats until
    // the far end switches over; dropping them could lose a state change.
    if (session.dead || (session.retiring && !session.authenticated)) return;
    if (!isBinary) {
      this.reject(session, 'malformed', 'text message; heartbeat frames are binary');
      return;
    }
    const now = nowMs();
    const bytes = toBuffer(data);
    let frame: HeartbeatFrame;
    try {
      const signed = decodeSigned(bytes, {
        key: this.keys.key,
        acceptKeys: this.keys.acceptKeys,
        clusterName: this.options.clusterName,
        groupsCache: session.groupsCache,
      });
      frame = signed.frame;
      if (signed.keyIndex > 0) this.counters.framesUnderAcceptedKey++;
    } catch (error) {
      if (!(error instanceof HeartbeatDecodeError)) throw error;
      // A node of another build retries for as long as it runs: it gets one warning of its
      // own (per peer or host) instead of a line a second from the RejectLog.
      const warned = error.reason === 'bad-version';
      if (warned) this.warnVersion(session, frameVersion(bytes));
      this.reject(session, error.reason, error.message, warned);
      return;
    }
    const link = this.links.get(frame.nodeId);
    if (link === undefined) {
      this.reject(session, 'unknown-node', `node id "${frame.nodeId}" is not a configured peer`);
      return;
    }
    if (!session.authenticated && !this.certificateNames(session, frame.nodeId)) return;
    const verdict = judgeFrame(session, frame, this.options.nodeId, link.incarnation);
    switch (verdict.action) {
      case 'reject':
        this.reject(session, verdict.reason, verdict.detail);
        if (verdict.terminate) session.terminate();
        return;
      case 'hello':
        this.onHello(session, link, frame, verdict.answerWithHello, now);
        return;
      case 'authenticate':
        session.authenticate(frame.incarnation);
        session.heard(frame.seq, now);
        this.authenticate(session, link, frame, now);
        this.onHeartbeat(session, link, frame, now);
        return;
      case 'heartbeat':
        session.heard(frame.seq, now);
        this.onHeartbeat(session, link, frame, now);
        return;
    }
  }

  /**
   * With TLS, a connection speaks only for a node its peer's certificate names: another
   * node's certificate (and the cluster key) must not be enough to claim this node id.
   */
  private certificateNames(session: Session, nodeId: string): boolean {
    const named = certifiedNodeIds(session.ws, this.tls !== null);
    if (named === undefined || named.includes(nodeId)) return true;
    const names = named.length === 0 ? 'no node' : named.map((id) => `"${id}"`).join(', ');
    this.reject(
      session,
      'unknown-node',
      `the connection's TLS certificate names ${names}, not "${nodeId}"`,
    );
    return false;
  }

  private onHello(
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
    link.sessions.add(session);
    if (answerWithHello) this.sendHello(session);
    // Answer at once: our heartbeat echoing its nonce is what authenticates us to the peer.
    this.sendHeartbeat(link, session, now);
  }

  private onHeartbeat(session: Session, link: PeerLink, frame: HeartbeatFrame, now: number): void {
    if (frame.echoSentAtMs > 0) link.rtt.addSample(now - frame.echoSentAtMs - frame.echoHeldMs);
    link.heard(now);
    this.counters.heartbeatsReceived++;
    if (!link.up) {
      link.up = true;
      this.options.logger.info(
        { peer: link.id, remote: session.remote, incarnation: frame.incarnation },
        'peer up',
      );
      this.events.emit('peer-up', link.id);
    }
    if (link.standby === session) this.promoteStandby(link, now);
    // While a duplicate connection is being retired, the peer's heartbeats can arrive on two
    // connections out of order. Each is authentic and fresh, but only news is passed on:
    // consumers see strictly increasing seqs per incarnation, never an older state.
    if (frame.seq <= link.lastSeq) return;
    link.lastSeq = frame.seq;
    link.echoSentAtMs = frame.sentAtMs;
    link.echoReceivedAtMs = now;
    this.events.emit('heartbeat', {
      from: link.id,
      incarnation: frame.incarnation,
      seq: frame.seq,
      sentAtMs: frame.sentAtMs,
      receivedAtMs: now,
      groups: frame.groups,
      ...(frame.hears === undefined ? {} : { hears: frame.hears }),
    });
  }

  private authenticate(session: Session, link: PeerLink, frame: HeartbeatFrame, now: number) {
    this.pendingInbound.get(session)?.release();
    this.pendingInbound.delete(session);
    if (link.dialing === session) link.dialing = null;
    const { restartedFrom, retire } = link.adopt(
      session,
      frame.incarnation,
      this.options.nodeId,
      now,
      this.handoverSilentMs,
    );
    if (restartedFrom !== null) {
      this.options.logger.info(
        { peer: link.id, previous: restartedFrom, incarnation: frame.incarnation },
        'peer restarted (new incarnation)',
      );
    }
    for (const { session: loser, code, reason } of retire) {
      loser.retire(code, reason, this.options.authTimeoutMs);
    }
    if (link.standby === session) {
      this.options.logger.info(
        { peer: link.id, remote: session.remote, active: link.active?.remote },
        'second connection from the same side while the link is in use: kept as standby ' +
          'until the active one goes silent',
      );
      return;
    }
    if (link.active !== session) return;
    link.linkUpAtMs = now;
    if (link.dialTimer !== null) clearTimeout(link.dialTimer);
    link.dialTimer = null;
    this.options.logger.debug(
      { peer: link.id, remote: session.remote, direction: session.direction },
      'link authenticated',
    );
    // The current state right away on the connection now in use, rather than at the next
    // tick: a change sent on the old one may have been lost with it.
    this.sendHeartbeat(link, session, now);
  }

  /** The peer speaks on the standby; if the active connection fell silent, switch. */
  private promoteStandby(link: PeerLink, now: number): void {
    const retired = link.promoteStandby(now, this.handoverSilentMs);
    if (retired === null || link.active === null) return;
    retired.session.retire(retired.code, retired.reason, this.options.authTimeoutMs);
    link.linkUpAtMs = now;
    this.options.logger.info(
      { peer: link.id, remote: link.active.remote, silentMs: this.handoverSilentMs },
      'active connection went silent; the standby took over',
    );
  }

  /** Once per peer (or remote host): a node of another build is knocking. */
  private warnVersion(session: Session, versionSeen: number): void {
    const who = session.peerId ?? hostOf(session.remote);
    if (this.versionWarned.has(who) || this.versionWarned.size >= MAX_VERSION_WARNINGS) return;
    this.versionWarned.add(who);
    this.options.logger.warn(
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
    this.counters.rejected[reason]++;
    if (!loggedElsewhere) {
      this.rejectLog.rejected(
        nowMs(),
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
    this.events.emit('rejected', reason, session.peerId, session.remote);
    // An authenticated peer keeps its connection (the frame is dropped); an unproven
    // connection gets no second chance.
    if (!session.authenticated) session.terminate();
  }

  // --- liveness ------------------------------------------------------------------------------

  private onSilent(link: PeerLink): void {
    if (!link.up || this.state !== 'running') return;
    // The connection stays: if the peer (or this host) was only overloaded, its heartbeats
    // resume on it and the peer comes back up without a reconnect. See onLongSilence.
    this.markDown(link, 'silent');
  }

  /**
   * Silent for cutSilentAfterMs: the connection is useless (blackholed path, hung peer) and
   * TCP's retransmission backoff could keep it so long after the path heals. Cut it and
   * redial, so the link is back as soon as the path or the peer is.
   */
  private onLongSilence(link: PeerLink): void {
    if (this.state !== 'running') return;
    for (const session of link.sessions) {
      if (!session.authenticated) continue; // a handshake in progress is the cure
      this.options.logger.info(
        { peer: link.id, remote: session.remote, silentMs: this.options.cutSilentAfterMs },
        'cutting a silent connection to redial',
      );
      session.terminate();
    }
  }

  private markDown(link: PeerLink, reason: PeerDownReason): void {
    link.up = false;
    link.awaitingHandover = false;
    if (reason === 'silent') link.silence.cancel();
    else link.quiet();
    this.options.logger.info(
      { peer: link.id, reason, lastHeartbeatAtMs: link.lastHeartbeatAtMs },
      'peer down',
    );
    this.events.emit('peer-down', link.id, reason);
  }

  // --- frames out ----------------------------------------------------------------------------

  private tick(): void {
    const now = nowMs();
    for (const link of this.links.values()) {
      for (const session of link.outgoing()) this.sendHeartbeat(link, session, now);
      link.tick(now, this.silenceHorizonMs);
    }
  }

  private sendHello(session: Session): void {
    if (!session.open || session.peerId === null) return;
    const header: FrameHeader = {
      kind: 'hello',
      role: session.role,
      receiverId: session.peerId,
      incarnation: this.incarnation,
      nonce: session.localNonce,
      seq: ++this.seq,
      sentAtMs: nowMs(),
      echoSentAtMs: 0,
      echoHeldMs: 0,
      clusterName: this.options.clusterName,
      nodeId: this.options.nodeId,
    };
    session.ws.send(encodeWithGroups(header, EMPTY_STATE, this.keys.key));
  }

  private sendHeartbeat(link: PeerLink, session: Session, now: number): void {
    if (!session.open || session.peerNonce === null) return;
    if (session.ws.bufferedAmount > 0) {
      this.backedUp(link, session, now);
      return;
    }
    session.backedUpSinceMs = null;
    const header: FrameHeader = {
      kind: 'heartbeat',
      role: session.role,
      receiverId: link.id,
      incarnation: this.incarnation,
      nonce: session.peerNonce,
      seq: ++this.seq,
      sentAtMs: now,
      echoSentAtMs: link.echoSentAtMs,
      echoHeldMs: link.echoSentAtMs > 0 ? Math.max(0, now - link.echoReceivedAtMs) : 0,
      clusterName: this.options.clusterName,
      nodeId: this.options.nodeId,
    };
    session.ws.send(encodeWithGroups(header, this.localState, this.keys.key), (error) => {
      if (error === undefined) this.drained(link, session);
    });
    this.counters.heartbeatsSent++;
    if (this.events.wanted('sent')) this.events.emit('sent', link.id);
  }

  /**
   * The previous heartbeat is still queued: sending another would only queue stale state
   * behind it. Skip it (the latest state goes out once the socket drains) and cut the peer
   * if the socket stays backed up.
   */
  private backedUp(link: PeerLink, session: Session, now: number): void {
    this.counters.heartbeatsSkipped++;
    session.resendWhenDrained = true;
    session.backedUpSinceMs ??= now;
    const stalledMs = now - session.backedUpSinceMs;
    if (stalledMs < this.options.sendStallTimeoutMs) return;
    this.counters.stalledPeersCut++;
    this.options.logger.warn(
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
    if (!session.resendWhenDrained || session.ws.bufferedAmount > 0) return;
    session.resendWhenDrained = false;
    if (link.active === session || link.standby === session) {
      this.sendHeartbeat(link, session, nowMs());
    }
  }
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
