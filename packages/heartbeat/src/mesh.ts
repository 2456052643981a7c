// The WebSocket heartbeat mesh: one listening endpoint, one logical link per configured
// peer, one signed heartbeat per interval per peer carrying every group's state.
//
// Connection rules (README "Links"): both sides dial a peer they have no link to; the dialer
// sends a signed hello with a fresh nonce, the acceptor answers a valid one with its own,
// and a connection is trusted once a heartbeat echoing our nonce arrives. This file is the
// lifecycle and the wiring; each job has its own file: dialer.ts (dialling and redialling),
// receiver.ts (frames in, handshake verdicts, duplicates), liveness.ts (peer up/down),
// sender.ts (frames out with backpressure), and admission.ts with transport.ts (accepting).

import type { IncomingMessage } from 'node:http';
import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';
import type { WebSocket } from 'ws';
import { formatHostPort } from './address.js';
import {
  AdmissionControl,
  resolvePeerAddresses,
  SLOTS_PER_PEER,
  SLOTS_PER_SOURCE,
  type AdmissionSlot,
} from './admission.js';
import { epochClock } from './clock.js';
import { DatagramPath } from './datagram-path.js';
import { Dialer } from './dialer.js';
import { HeartbeatConfigError } from './errors.js';
import { MeshEvents } from './events.js';
import { DATAGRAM_WINDOW_INTERVALS, Liveness } from './liveness.js';
import type { MeshContext } from './mesh-context.js';
import { resolveKeys, resolveOptions, type ResolvedOptions, type ResolvedPeer } from './options.js';
import { reconciliation } from './reconfigure.js';
import { PeerLink } from './peer-link.js';
import { Receiver } from './receiver.js';
import { RejectLog } from './reject-log.js';
import { HeartbeatSender } from './sender.js';
import { snapshot, zeroCounters } from './stats.js';
import { CLOSE_DUPLICATE, CLOSE_RECONNECTING, CLOSE_SHUTDOWN, Session } from './session.js';
import { SILENCE_HORIZON_INTERVALS } from './silence.js';
import { listen, loadTls, remoteOf, type Endpoint, type ListenOptions } from './transport.js';
import type {
  ConnectionDropReason,
  HeartbeatMesh,
  HeartbeatMeshEvents,
  HeartbeatMeshOptions,
  HeartbeatMeshReconfiguration,
  HeartbeatMeshStats,
  MeshReconfigured,
  PeerStatus,
  WireGroupState,
} from './types.js';

/** How long stop() lets peers answer our close frame before cutting the sockets. */
const SHUTDOWN_GRACE_MS = 500;

export function createHeartbeatMesh(options: HeartbeatMeshOptions): HeartbeatMesh {
  return new WebSocketMesh(options, options.clock ?? systemClock);
}

class WebSocketMesh implements HeartbeatMesh {
  private readonly ctx: MeshContext;
  private readonly sender: HeartbeatSender;
  private readonly liveness: Liveness;
  private readonly dialer: Dialer;
  private readonly receiver: Receiver;
  private links = new Map<string, PeerLink>();
  /** Every open connection, for shutdown. */
  private readonly sessions = new Set<Session>();
  /** Inbound connections that have not authenticated yet, with their admission slots. */
  private readonly pendingInbound = new Map<Session, AdmissionSlot>();
  private endpoint: Endpoint | null = null;
  /** The UDP socket beside the listener, while running with options.datagram. */
  private datagrams: DatagramPath | null = null;
  private ticker: TimerHandle | null = null;
  /** As given, so a reload resolves its changes with the same explicit settings. */
  private input: HeartbeatMeshOptions;

  constructor(input: HeartbeatMeshOptions, clock: Clock) {
    const options = resolveOptions(input);
    this.input = input;
    this.ctx = {
      options,
      clock: epochClock(clock),
      events: new MeshEvents(options.logger),
      rejectLog: new RejectLog(options.logger),
      state: 'idle',
      counters: zeroCounters(),
      keys: { key: options.key, acceptKeys: options.acceptKeys },
      tls: null,
    };
    this.sender = new HeartbeatSender(this.ctx);
    this.liveness = new Liveness(this.ctx);
    this.dialer = new Dialer(this.ctx, {
      attach: (session) => {
        this.attach(session);
      },
      opened: (session) => {
        this.startAuthTimer(session);
        this.sender.hello(session);
      },
    });
    this.receiver = new Receiver(
      this.ctx,
      () => this.links,
      this.pendingInbound,
      this.sender,
      this.liveness,
    );
  }

  private get options(): ResolvedOptions {
    return this.ctx.options;
  }

  /** How recent a heartbeat must be for its path to count as working. */
  private get pathWindowMs(): number {
    return DATAGRAM_WINDOW_INTERVALS * this.options.intervalMs;
  }

  private get silenceHorizonMs(): number {
    return SILENCE_HORIZON_INTERVALS * this.options.intervalMs;
  }

  async start(): Promise<void> {
    if (this.ctx.state !== 'idle') {
      throw new Error(`heartbeat mesh cannot start: ${this.ctx.state}`);
    }
    this.ctx.state = 'starting';
    try {
      await this.open();
    } catch (error) {
      this.ctx.state = 'idle';
      throw error;
    }
  }

  private async open(): Promise<void> {
    const { options, ctx } = this;
    ctx.tls = options.tls === null ? null : await loadTls(options.tls);
    this.sender.restart();
    ctx.counters = zeroCounters();
    this.links = new Map(options.peers.map((peer) => [peer.id, this.newLink(peer)]));
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
        ctx.counters.tlsHandshakeFailures++;
        ctx.rejectLog.rejected(
          ctx.clock.now(),
          'tls',
          { remote, err: error.message },
          'TLS handshake failed',
        );
      },
    });
    if (options.datagram) await this.openDatagrams(this.endpoint);
    ctx.state = 'running';
    this.startTicker();
    for (const link of this.links.values()) this.dialer.dial(link);
    options.logger.info(
      {
        nodeId: options.nodeId,
        listen: formatHostPort({ host: options.listen.host, port: this.endpoint.port }),
        peers: options.peers.map((peer) => peer.id),
        intervalMs: options.intervalMs,
        downAfterMs: options.downAfterMs,
        tls: ctx.tls !== null,
        datagram: options.datagram,
        incarnation: this.sender.incarnation,
      },
      'heartbeat mesh started',
    );
  }

  /** UDP at the listener's address and port; if it cannot bind, the listener closes too. */
  private async openDatagrams(endpoint: Endpoint): Promise<void> {
    const path = new DatagramPath(this.ctx, () => this.links, this.liveness);
    try {
      await path.open(this.options.listen, endpoint.port, this.options.peers);
    } catch (error) {
      await endpoint.close();
      this.endpoint = null;
      throw error;
    }
    this.datagrams = path;
    this.sender.datagrams = path;
  }

  private newLink(peer: ResolvedPeer): PeerLink {
    const on = {
      silent: (link: PeerLink) => {
        this.liveness.silent(link);
      },
      longSilent: (link: PeerLink) => {
        this.liveness.longSilent(link);
      },
    };
    return new PeerLink(peer.id, peer.address, peer.hostPort, this.options, on, this.ctx.clock);
  }

  private startTicker(): void {
    const { clock } = this.ctx;
    if (this.ticker !== null) clock.clearInterval(this.ticker);
    this.ticker = clock.setInterval(() => {
      this.tick();
    }, this.options.intervalMs);
  }

  async reconfigure(change: HeartbeatMeshReconfiguration): Promise<MeshReconfigured> {
    const input: HeartbeatMeshOptions = { ...this.input, ...change };
    const next = resolveOptions(input);
    const before = this.options;
    if ((next.tls === null) !== (before.tls === null)) {
      throw new HeartbeatConfigError(
        'INVALID_OPTION',
        `tls cannot be switched ${next.tls === null ? 'off' : 'on'} while the mesh runs ` +
          '(the listener would change protocol under its peers): restart the node',
      );
    }
    // Read before anything changes: an unreadable file leaves the mesh as it was.
    const tls = next.tls === null || this.ctx.state === 'idle' ? null : await loadTls(next.tls);
    this.input = input;
    this.ctx.options = next;
    const outcome = reconciliation(before, next);
    if (this.ctx.state !== 'running') return outcome;
    if (tls !== null) {
      this.ctx.tls = tls;
      this.endpoint?.setTls(tls);
    }
    this.applyPeers(outcome, next);
    const moved = [outcome.peersAdded, outcome.peersRemoved, outcome.peersReaddressed];
    if (moved.some((ids) => ids.length > 0)) await this.datagrams?.route(next.peers);
    if (outcome.retimed) {
      for (const link of this.links.values()) link.retime(next);
      this.startTicker();
    }
    next.logger.info(
      { ...outcome, intervalMs: next.intervalMs, downAfterMs: next.downAfterMs },
      'heartbeat mesh reconfigured',
    );
    // The peers learn the new state (and timing) now rather than an interval from now.
    this.sendNow();
    return outcome;
  }

  private applyPeers(outcome: MeshReconfigured, next: ResolvedOptions): void {
    for (const id of outcome.peersRemoved) {
      const link = this.links.get(id);
      if (link === undefined) continue;
      this.links.delete(id);
      link.stop();
      for (const session of link.detachAll()) {
        session.retire(CLOSE_SHUTDOWN, 'peer removed from the configuration', SHUTDOWN_GRACE_MS);
      }
    }
    for (const peer of next.peers) {
      const link = this.links.get(peer.id);
      if (link === undefined) {
        const added = this.newLink(peer);
        this.links.set(peer.id, added);
        this.dialer.dial(added);
      } else if (outcome.peersReaddressed.includes(peer.id)) {
        // A connection in use stays: cutting it would look like a crash to the far end.
        // Every later dial goes to the new address; with none in use, one goes now.
        link.readdress(peer.address, peer.hostPort);
        if (link.active === null) this.dialer.redialNow(link);
      }
    }
  }

  async stop(): Promise<void> {
    const { ctx } = this;
    if (ctx.state !== 'running') return;
    ctx.state = 'stopping';
    if (this.ticker !== null) ctx.clock.clearInterval(this.ticker);
    this.ticker = null;
    for (const link of this.links.values()) link.stop();
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
    this.sender.datagrams = null;
    await this.datagrams?.close();
    this.datagrams = null;
    ctx.state = 'idle';
    this.options.logger.info({ nodeId: this.options.nodeId }, 'heartbeat mesh stopped');
  }

  setLocalState(groups: Readonly<Record<string, WireGroupState>>, hears?: readonly string[]): void {
    this.sender.setLocalState(groups, hears);
  }

  setKeys(key: Uint8Array, acceptKeys?: readonly Uint8Array[]): void {
    this.ctx.keys = resolveKeys(key, acceptKeys);
    this.options.logger.info(
      { acceptKeys: this.ctx.keys.acceptKeys.length },
      'heartbeat keys replaced (signing with the new key from the next frame)',
    );
  }

  sendNow(): void {
    if (this.ctx.state !== 'running') return;
    const now = this.ctx.clock.now();
    for (const link of this.links.values()) this.sendTo(link, now);
  }

  /** The current state to one peer: on its connections, or as a datagram alone. */
  private sendTo(link: PeerLink, now: number): void {
    for (const session of link.outgoing()) this.sender.heartbeat(link, session, now);
    if (link.active === null) this.sender.datagramOnly(link, now);
  }

  reconnect(peer?: string): void {
    if (this.ctx.state !== 'running') return;
    const links = peer === undefined ? [...this.links.values()] : [this.links.get(peer)];
    for (const link of links) {
      if (link === undefined) {
        throw new HeartbeatConfigError(
          'UNKNOWN_PEER',
          `reconnect: "${String(peer)}" is not a configured peer`,
        );
      }
      this.dialer.redialNow(link);
    }
  }

  peers(): readonly PeerStatus[] {
    return [...this.links.values()].map((link) => link.status(this.pathWindowMs));
  }

  port(): number {
    if (this.endpoint === null) throw new Error('heartbeat mesh is not listening');
    return this.endpoint.port;
  }

  stats(): HeartbeatMeshStats {
    return snapshot(this.ctx.counters);
  }

  on<E extends keyof HeartbeatMeshEvents>(
    event: E,
    listener: (...args: HeartbeatMeshEvents[E]) => void,
  ): this {
    this.ctx.events.on(event, listener);
    return this;
  }

  off<E extends keyof HeartbeatMeshEvents>(
    event: E,
    listener: (...args: HeartbeatMeshEvents[E]) => void,
  ): this {
    this.ctx.events.off(event, listener);
    return this;
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
      tls: this.ctx.tls,
      preauthTimeoutMs: options.authTimeoutMs,
      admission: new AdmissionControl(limits, peers.addresses),
      clock: this.ctx.clock,
    };
  }

  private onDropped(reason: ConnectionDropReason, remote: string): void {
    const { counters, rejectLog, clock } = this.ctx;
    counters.connectionsDropped[reason]++;
    if (reason !== 'preauth-timeout') counters.connectionsRefused++;
    const message =
      reason === 'preauth-timeout'
        ? `connection did not upgrade within ${this.options.authTimeoutMs} ms of accept; cut`
        : 'no free slot for an unauthenticated heartbeat connection; refused';
    rejectLog.rejected(clock.now(), reason, { remote }, message);
  }

  private accept(ws: WebSocket, request: IncomingMessage, slot: AdmissionSlot): void {
    const remote = remoteOf(request);
    if (this.ctx.state !== 'running') {
      ws.terminate();
      return;
    }
    this.ctx.counters.connectionsAccepted++;
    const session = new Session(ws, 'inbound', remote, null, this.ctx.clock);
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
      this.receiver.message(session, data, isBinary);
    });
    ws.on('error', (error) => {
      this.receiver.socketError(session, error);
    });
    ws.on('close', (code) => {
      this.onClose(session, code);
    });
  }

  private startAuthTimer(session: Session): void {
    session.startAuthTimer(this.options.authTimeoutMs, () => {
      this.onAuthTimeout(session);
    });
  }

  private onAuthTimeout(session: Session): void {
    if (session.authenticated || session.dead) return;
    const { counters, rejectLog, clock } = this.ctx;
    counters.authTimeouts++;
    rejectLog.rejected(
      clock.now(),
      'auth-timeout',
      { remote: session.remote, peer: session.peerId, direction: session.direction },
      `connection did not authenticate within ${this.options.authTimeoutMs} ms`,
    );
    session.terminate();
  }

  private onClose(session: Session, code: number): void {
    session.closed();
    this.sessions.delete(session);
    this.pendingInbound.delete(session);
    const link = session.peerId === null ? undefined : this.links.get(session.peerId);
    if (link?.owns(session) !== true) return;
    const wasOurDial = link.dialing === session;
    const detached = link.detach(session);
    if (this.ctx.state !== 'running') return;
    if (detached === 'handed-over' && link.active !== null) {
      this.options.logger.debug(
        { peer: link.id, remote: link.active.remote, direction: link.active.direction },
        'standby connection took over',
      );
      this.sender.heartbeat(link, link.active, this.ctx.clock.now());
      return;
    }
    if (link.up && link.active === null) {
      // A duplicate moved to another connection; a reconnecting peer is dialing a new one.
      // Either way it is not gone: its silence deadline, not this close, decides.
      const comingBack = code === CLOSE_DUPLICATE || code === CLOSE_RECONNECTING;
      if (detached === 'lost-active' && comingBack) link.expectHandover();
      // Only the connection in use, or our own dial, closing says something about the peer:
      // an inbound one still in its handshake may be anyone's, replaying the peer's hello.
      // Awaiting a handover, the silence watch still runs: no connection proving itself
      // means 'silent' at the usual deadline.
      const telling = detached === 'lost-active' || wasOurDial;
      if (telling && !link.awaitingHandover) {
        // A peer shutting down says so (1001): its datagrams stop too, no need to wait.
        const windowMs = code === CLOSE_SHUTDOWN ? 0 : this.pathWindowMs;
        const now = this.ctx.clock.now();
        this.liveness.connectionLost(link, now, windowMs, (lingerMs, refused) => {
          this.sender.probe(link, now, lingerMs, refused);
        });
      }
    }
    this.dialer.redialAfterClose(link, session);
  }

  // --- the interval tick ---------------------------------------------------------------------

  private tick(): void {
    const now = this.ctx.clock.now();
    for (const link of this.links.values()) {
      this.sendTo(link, now);
      link.tick(now, this.silenceHorizonMs);
    }
  }
}
