// An in-memory stand-in for the WebSocket mesh, for other packages' tests: meshes on one
// LoopbackNetwork exchange heartbeats through the event loop instead of sockets, with the
// same events and liveness rules (peer up on the first heartbeat, 'silent' after
// downMultiplier x intervalMs without one, 'closed' at once when the far end stops or the
// connection is cut; reconnect() shows only the far end a close, as the real mesh does).
// No codec, no auth: use the real mesh to test those.

import { randomBytes } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';
import { epochClock } from './clock.js';
import { HeartbeatConfigError } from './errors.js';
import { MeshEvents, silentLogger } from './events.js';
import { INCARNATION_BYTES } from './frame.js';
import { RttEstimator } from './rtt.js';
import { resolveKeys, resolveOptions } from './options.js';
import { reconciliation } from './reconfigure.js';
import { SILENCE_HORIZON_INTERVALS, SilenceWatch } from './silence.js';
import { snapshot, zeroCounters } from './stats.js';
import type {
  HeartbeatMesh,
  HeartbeatMeshEvents,
  HeartbeatMeshOptions,
  HeartbeatMeshReconfiguration,
  MeshReconfigured,
  HeartbeatMeshStats,
  PeerDownReason,
  PeerStatus,
  RejectReason,
  WireGroupState,
} from './types.js';

export interface LoopbackNetwork {
  /** listen, key and tls are ignored; peers are matched by id. One mesh per node id. */
  createMesh(options: HeartbeatMeshOptions): HeartbeatMesh;
  /** Close the connection between a and b: each side that had the other up sees 'closed'. */
  cut(a: string, b: string): void;
  /** Drop everything between a and b without closing anything: both sides go 'silent'. */
  blackhole(a: string, b: string): void;
  /** Deliver between a and b again after blackhole(). */
  heal(a: string, b: string): void;
}

interface LoopbackHeartbeat {
  readonly from: string;
  readonly incarnation: string;
  readonly seq: number;
  readonly sentAtMs: number;
  readonly echoSentAtMs: number;
  readonly echoHeldMs: number;
  readonly groups: Readonly<Record<string, WireGroupState>>;
  readonly hears: readonly string[] | undefined;
}

export interface LoopbackNetworkOptions {
  /**
   * Delivers heartbeats (one deferred callback each, as the event loop would) and is every
   * mesh's clock unless its options name another. Default systemClock.
   */
  readonly clock?: Clock;
}

export function createLoopbackNetwork(options: LoopbackNetworkOptions = {}): LoopbackNetwork {
  return new Network(options.clock ?? systemClock);
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}

class Network implements LoopbackNetwork {
  private readonly meshes = new Map<string, LoopbackMesh>();
  private readonly blackholed = new Set<string>();
  /** Bumped by cut(): heartbeats in flight on the old connection are lost with it. */
  private readonly generation = new Map<string, number>();

  constructor(readonly clock: Clock) {}

  createMesh(options: HeartbeatMeshOptions): HeartbeatMesh {
    if (this.meshes.has(options.nodeId)) {
      throw new HeartbeatConfigError(
        'INVALID_OPTION',
        `loopback network already has node "${options.nodeId}"`,
      );
    }
    const mesh = new LoopbackMesh(this, options);
    this.meshes.set(options.nodeId, mesh);
    return mesh;
  }

  cut(a: string, b: string): void {
    const key = pairKey(a, b);
    this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
    this.meshes.get(a)?.connectionClosed(b);
    this.meshes.get(b)?.connectionClosed(a);
  }

  /**
   * `from` hung up on purpose and redials: only `to` sees the connection close, with the
   * "coming back" code, so it keeps waiting for `from`'s heartbeats as the real mesh does.
   */
  reconnected(from: string, to: string): void {
    const key = pairKey(from, to);
    this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
    this.meshes.get(to)?.connectionClosed(from, { comingBack: true });
  }

  blackhole(a: string, b: string): void {
    this.blackholed.add(pairKey(a, b));
  }

  heal(a: string, b: string): void {
    this.blackholed.delete(pairKey(a, b));
  }

  /** True when a connection exists (the heartbeat left the sender), delivered or not. */
  send(to: string, heartbeat: LoopbackHeartbeat): boolean {
    const target = this.meshes.get(to);
    if (target === undefined || !target.running) return false;
    const key = pairKey(heartbeat.from, to);
    if (this.blackholed.has(key)) return true;
    const generation = this.generation.get(key) ?? 0;
    this.clock.defer(() => {
      if ((this.generation.get(key) ?? 0) !== generation || this.blackholed.has(key)) return;
      target.receive(heartbeat);
    });
    return true;
  }

  /** A node stopped: its connections close, and heartbeats in flight on them are lost. */
  stopped(nodeId: string): void {
    for (const [peerId, mesh] of this.meshes) {
      if (peerId === nodeId) continue;
      const key = pairKey(nodeId, peerId);
      this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
      mesh.connectionClosed(nodeId);
    }
  }
}

class LoopbackPeer {
  up = false;
  incarnation: string | null = null;
  lastSeq = -1;
  lastHeartbeatAtMs: number | null = null;
  echoSentAtMs = 0;
  echoReceivedAtMs = 0;
  readonly rtt = new RttEstimator();
  readonly silence: SilenceWatch;

  constructor(
    readonly id: string,
    downAfterMs: number,
    onSilent: () => void,
    clock: Clock,
  ) {
    this.silence = new SilenceWatch(downAfterMs, onSilent, clock);
  }
}

class LoopbackMesh implements HeartbeatMesh {
  running = false;
  private readonly events: MeshEvents;
  private peerStates: Map<string, LoopbackPeer>;
  private incarnation = '';
  private seq = 0;
  private groups: Readonly<Record<string, WireGroupState>> = {};
  private hears: readonly string[] | undefined = undefined;
  private ticker: TimerHandle | null = null;
  private counters = zeroCounters();
  /** Epoch milliseconds, as the WebSocket mesh reads them. */
  private readonly clock: Clock;

  constructor(
    private readonly network: Network,
    private options: HeartbeatMeshOptions,
  ) {
    this.clock = epochClock(options.clock ?? network.clock);
    this.events = new MeshEvents(options.logger ?? silentLogger);
    this.peerStates = new Map(options.peers.map((peer) => [peer.id, this.newPeer(peer.id)]));
  }

  private newPeer(id: string): LoopbackPeer {
    const state: LoopbackPeer = new LoopbackPeer(
      id,
      this.options.downMultiplier * this.options.intervalMs,
      () => {
        if (state.up && this.running) this.markDown(state, 'silent');
      },
      this.clock,
    );
    return state;
  }

  private startTicker(): void {
    if (this.ticker !== null) this.clock.clearInterval(this.ticker);
    this.ticker = this.clock.setInterval(() => {
      this.sendNow();
      // As the WebSocket mesh does (silence.ts): deadlines are armed from the tick.
      const now = this.clock.now();
      for (const peer of this.peerStates.values()) {
        peer.silence.tick(now, SILENCE_HORIZON_INTERVALS * this.options.intervalMs);
      }
    }, this.options.intervalMs);
  }

  /** As the WebSocket mesh: peers come and go, deadlines change, nothing is reported down. */
  reconfigure(change: HeartbeatMeshReconfiguration): Promise<MeshReconfigured> {
    const input = { ...this.options, ...change };
    const outcome = reconciliation(resolveOptions(this.options), resolveOptions(input));
    this.options = input;
    const downAfterMs = input.downMultiplier * input.intervalMs;
    const kept = new Map<string, LoopbackPeer>();
    for (const peer of input.peers) {
      const state = this.peerStates.get(peer.id) ?? this.newPeer(peer.id);
      state.silence.retime(downAfterMs);
      kept.set(peer.id, state);
    }
    for (const [id, state] of this.peerStates) if (!kept.has(id)) state.silence.cancel();
    this.peerStates = kept;
    if (this.running && outcome.retimed) this.startTicker();
    this.sendNow();
    return Promise.resolve(outcome);
  }

  start(): Promise<void> {
    if (this.running) return Promise.reject(new Error('heartbeat mesh cannot start: running'));
    this.running = true;
    this.incarnation = randomBytes(INCARNATION_BYTES).toString('hex');
    this.seq = 0;
    this.counters = zeroCounters();
    this.startTicker();
    this.sendNow();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.running = false;
    if (this.ticker !== null) this.clock.clearInterval(this.ticker);
    this.ticker = null;
    for (const peer of this.peerStates.values()) {
      peer.up = false;
      peer.silence.cancel();
    }
    this.network.stopped(this.options.nodeId);
    return Promise.resolve();
  }

  setLocalState(groups: Readonly<Record<string, WireGroupState>>, hears?: readonly string[]): void {
    this.groups = { ...groups };
    this.hears = hears === undefined ? undefined : [...hears];
  }

  setKeys(key: Uint8Array, acceptKeys?: readonly Uint8Array[]): void {
    // No MACs on the loopback network; the keys are only checked, as the real mesh does.
    resolveKeys(key, acceptKeys);
  }

  sendNow(): void {
    if (!this.running) return;
    const now = this.clock.now();
    for (const peer of this.peerStates.values()) {
      const sent = this.network.send(peer.id, {
        from: this.options.nodeId,
        incarnation: this.incarnation,
        seq: ++this.seq,
        sentAtMs: now,
        echoSentAtMs: peer.echoSentAtMs,
        echoHeldMs: peer.echoSentAtMs > 0 ? now - peer.echoReceivedAtMs : 0,
        groups: this.groups,
        hears: this.hears,
      });
      if (!sent) continue;
      this.counters.heartbeatsSent++;
      this.events.emit('sent', peer.id);
    }
  }

  reconnect(peer?: string): void {
    if (!this.running) return;
    const ids = peer === undefined ? [...this.peerStates.keys()] : [peer];
    for (const id of ids) {
      if (!this.peerStates.has(id)) {
        throw new HeartbeatConfigError(
          'UNKNOWN_PEER',
          `reconnect: "${id}" is not a configured peer`,
        );
      }
      // Like the real mesh: heartbeats in flight are lost, the far end sees 'closed', this
      // side reports nothing and keeps its silence watch running.
      this.network.reconnected(this.options.nodeId, id);
    }
  }

  peers(): readonly PeerStatus[] {
    return [...this.peerStates.values()].map((peer) => ({
      id: peer.id,
      address: `loopback:${peer.id}`,
      up: peer.up,
      rttMs: peer.rtt.rttMs,
      jitterMs: peer.rtt.jitterMs,
      lastRttMs: peer.rtt.lastRttMs,
      lastHeartbeatAtMs: peer.lastHeartbeatAtMs,
      incarnation: peer.incarnation,
      direction: peer.up ? 'outbound' : null,
      // One in-memory path: what the real mesh calls the stream (no datagram copies here).
      path: peer.up ? 'stream' : null,
    }));
  }

  port(): number {
    return 0;
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

  receive(heartbeat: LoopbackHeartbeat): void {
    if (!this.running) return;
    const peer = this.peerStates.get(heartbeat.from);
    if (peer === undefined) {
      this.reject('unknown-node', null);
      return;
    }
    if (heartbeat.incarnation === peer.incarnation && heartbeat.seq <= peer.lastSeq) {
      this.reject(heartbeat.seq === peer.lastSeq ? 'replay' : 'stale', peer.id);
      return;
    }
    const now = this.clock.now();
    peer.incarnation = heartbeat.incarnation;
    peer.lastSeq = heartbeat.seq;
    peer.lastHeartbeatAtMs = now;
    peer.echoSentAtMs = heartbeat.sentAtMs;
    peer.echoReceivedAtMs = now;
    if (heartbeat.echoSentAtMs > 0) {
      peer.rtt.addSample(now - heartbeat.echoSentAtMs - heartbeat.echoHeldMs);
    }
    peer.silence.heard(now);
    this.counters.heartbeatsReceived++;
    if (!peer.up) {
      peer.up = true;
      this.events.emit('peer-up', peer.id);
    }
    this.events.emit('heartbeat', {
      from: peer.id,
      incarnation: heartbeat.incarnation,
      seq: heartbeat.seq,
      sentAtMs: heartbeat.sentAtMs,
      receivedAtMs: now,
      groups: heartbeat.groups,
      ...(heartbeat.hears === undefined ? {} : { hears: heartbeat.hears }),
    });
  }

  /** `comingBack`: closed with CLOSE_RECONNECTING; the silence watch, not the close, decides. */
  connectionClosed(peerId: string, options: { readonly comingBack?: boolean } = {}): void {
    const peer = this.peerStates.get(peerId);
    if (options.comingBack === true) return;
    if (peer?.up === true && this.running) this.markDown(peer, 'closed');
  }

  private markDown(peer: LoopbackPeer, reason: PeerDownReason): void {
    peer.up = false;
    peer.silence.cancel();
    this.events.emit('peer-down', peer.id, reason);
  }

  private reject(reason: RejectReason, peer: string | null): void {
    this.counters.rejected[reason]++;
    this.events.emit('rejected', reason, peer, 'loopback');
  }
}
