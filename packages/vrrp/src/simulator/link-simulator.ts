// A deterministic LAN segment: N real VirtualRouters of one VRID on a virtual clock, each
// driven the way the daemon drives it (adverts multicast to every other router, the one
// timer armed as `arm-timer` asks), with per-link delay, loss and blocking, crashes,
// graceful shutdowns and restarts. Seeded: the same options and calls replay the same run.
// The PRNG, the event queue and the lossy links are @vipd/election's simulator pieces.
import {
  DEFAULT_LINK,
  EventQueue,
  SeededRandom,
  SimulatedNetwork,
  type LinkProfile,
} from '@vipd/election/simulator';
import { VirtualRouter } from '../router/virtual-router.js';
import type {
  VirtualRouterAction,
  VirtualRouterConfig,
  VirtualRouterEvent,
  VrrpState,
  VrrpTransitionReason,
} from '../router/types.js';

/** A router on the simulated link is named by its primary address. */
export type RouterId = string;

export interface VrrpLinkSimulatorOptions {
  readonly seed: number;
  /** One config per router, all of one VRID and family, distinct primary addresses. */
  readonly routers: readonly VirtualRouterConfig[];
  /** Default profile of every directed link (delay in ms, loss 0-1). */
  readonly link?: Partial<LinkProfile>;
  /** When each router starts; default 0 for all. */
  readonly startAtMs?: Readonly<Record<RouterId, number>>;
  readonly random?: SeededRandom;
  /** Sees every event just before a router handles it (recording, replay, benchmarks). */
  readonly onHandle?: (router: RouterId, event: VirtualRouterEvent) => void;
}

export interface SimVrrpTransition {
  readonly atMs: number;
  /** Position in the run's one sequence of transitions and lifecycle events. */
  readonly order: number;
  readonly router: RouterId;
  readonly from: VrrpState;
  readonly to: VrrpState;
  readonly reason: VrrpTransitionReason;
}

export interface SimVrrpLifecycle {
  readonly atMs: number;
  readonly order: number;
  readonly router: RouterId;
  /** crash: silent (power off, cable pulled); shutdown: graceful, after its priority-0 advert. */
  readonly kind: 'start' | 'crash' | 'shutdown' | 'restart';
}

export interface SimAdvert {
  readonly atMs: number;
  readonly router: RouterId;
  readonly priority: number;
}

type SimEvent =
  | { readonly kind: 'start'; readonly node: SimRouter }
  | { readonly kind: 'timer'; readonly node: SimRouter; readonly atMs: number }
  | {
      readonly kind: 'deliver';
      readonly to: SimRouter;
      readonly from: RouterId;
      readonly priority: number;
      readonly intervalCs: number;
    }
  | { readonly kind: 'script'; readonly run: () => void };

/** Routers reacting to each other forever without time passing: a livelock, not a run. */
const MAX_EVENTS_PER_INSTANT = 100_000;

class SimRouter {
  router: VirtualRouter | null = null;
  started = false;
  armedAtMs: number | null = null;

  constructor(
    readonly id: RouterId,
    public config: VirtualRouterConfig,
  ) {}
}

export class VrrpLinkSimulator {
  readonly random: SeededRandom;
  readonly network: SimulatedNetwork;
  readonly transitions: SimVrrpTransition[] = [];
  readonly lifecycle: SimVrrpLifecycle[] = [];
  readonly adverts: SimAdvert[] = [];
  /** VirtualRouter.handle calls so far: the benchmark's unit of work. */
  eventsHandled = 0;

  private readonly queue = new EventQueue<SimEvent>();
  private readonly nodes = new Map<RouterId, SimRouter>();
  private readonly onHandle: VrrpLinkSimulatorOptions['onHandle'];
  private now = 0;
  private order = 0;

  constructor(options: VrrpLinkSimulatorOptions) {
    this.random = options.random ?? new SeededRandom(options.seed);
    this.onHandle = options.onHandle;
    for (const config of options.routers) {
      const id = config.primaryAddress;
      if (this.nodes.has(id)) throw new RangeError(`two routers with primary address ${id}`);
      this.nodes.set(id, new SimRouter(id, config));
    }
    this.network = new SimulatedNetwork(
      this.routerIds(),
      { ...DEFAULT_LINK, ...options.link },
      this.random,
    );
    for (const node of this.nodes.values())
      this.queue.push(options.startAtMs?.[node.id] ?? 0, { kind: 'start', node });
  }

  get nowMs(): number {
    return this.now;
  }

  routerIds(): RouterId[] {
    return [...this.nodes.keys()];
  }

  /** The live VirtualRouter, or null while the router is down or not started. */
  router(id: RouterId): VirtualRouter | null {
    return this.node(id).router;
  }

  config(id: RouterId): VirtualRouterConfig {
    return this.node(id).config;
  }

  state(id: RouterId): VrrpState | 'DOWN' {
    return this.node(id).router?.status().state ?? 'DOWN';
  }

  masters(): RouterId[] {
    return this.routerIds().filter((id) => this.state(id) === 'MASTER');
  }

  // ---- running ----

  /** Runs `run` at virtual time `atMs` (now if in the past), in order with the traffic. */
  at(atMs: number, run: () => void): void {
    this.queue.push(Math.max(atMs, this.now), { kind: 'script', run });
  }

  /** Processes every event up to and including `untilMs`; the clock ends at untilMs. */
  runUntil(untilMs: number): void {
    let sameInstant = 0;
    for (let next = this.queue.peekTime(); next !== undefined && next <= untilMs;) {
      const entry = this.queue.pop();
      if (entry === undefined) break;
      sameInstant = entry.atMs === this.now ? sameInstant + 1 : 0;
      if (sameInstant > MAX_EVENTS_PER_INSTANT)
        throw new Error(`livelock: more than ${MAX_EVENTS_PER_INSTANT} events at ${entry.atMs}ms`);
      this.now = entry.atMs;
      this.run(entry.item);
      next = this.queue.peekTime();
    }
    this.now = Math.max(this.now, untilMs);
  }

  runFor(durationMs: number): void {
    this.runUntil(this.now + durationMs);
  }

  // ---- what can happen on the link ----

  /** Routers on different sides cannot hear each other; routers on no side hear nobody. */
  partition(sides: readonly (readonly RouterId[])[]): void {
    const sideOf = (id: RouterId): number => {
      const side = sides.findIndex((s) => s.includes(id));
      return side === -1 ? -1 - this.routerIds().indexOf(id) : side;
    };
    this.eachLink((from, to) => {
      this.network.setBlocked(from, to, sideOf(from) !== sideOf(to), this.now);
    });
  }

  /** Adverts from `from` to `to` are dropped; the other direction still works. */
  setBlocked(from: RouterId, to: RouterId, blocked: boolean): void {
    this.network.setBlocked(from, to, blocked, this.now);
  }

  /** Every link unblocked; delay and loss profiles stay as they are. */
  heal(): void {
    this.eachLink((from, to) => {
      this.network.setBlocked(from, to, false, this.now);
    });
  }

  setLink(from: RouterId, to: RouterId, profile: Partial<LinkProfile>): void {
    this.network.setProfile(from, to, { ...this.network.profile(from, to), ...profile }, this.now);
  }

  setAllLinks(profile: Partial<LinkProfile>): void {
    this.eachLink((from, to) => {
      this.setLink(from, to, profile);
    });
  }

  /** Power off: the router stops at once and says nothing. */
  crash(id: RouterId): void {
    const node = this.node(id);
    if (node.router === null) return;
    this.stop(node, 'crash');
  }

  /** SIGTERM: the router handles `shutdown` (a master sends priority 0), then stops. */
  shutdown(id: RouterId): void {
    const node = this.node(id);
    if (node.router === null) return;
    this.handle(node, { type: 'shutdown', nowMs: this.now });
    this.stop(node, 'shutdown');
  }

  /** Starts a stopped router again: a new process, an empty memory, optionally a new config. */
  restart(id: RouterId, config?: VirtualRouterConfig): void {
    const node = this.node(id);
    if (node.router !== null) return;
    if (config !== undefined) node.config = config;
    this.boot(node, 'restart');
  }

  setPriority(id: RouterId, priority: number, forcePreempt = false): void {
    this.handleIfUp(id, { type: 'set-priority', nowMs: this.now, priority, forcePreempt });
  }

  fault(id: RouterId, faulted: boolean): void {
    this.handleIfUp(id, { type: 'fault', nowMs: this.now, faulted });
  }

  // ---- the daemon of each router ----

  private node(id: RouterId): SimRouter {
    const node = this.nodes.get(id);
    if (node === undefined) throw new RangeError(`no router ${id} on the simulated link`);
    return node;
  }

  private eachLink(visit: (from: RouterId, to: RouterId) => void): void {
    for (const from of this.nodes.keys())
      for (const to of this.nodes.keys()) if (from !== to) visit(from, to);
  }

  private boot(node: SimRouter, kind: 'start' | 'restart'): void {
    node.started = true;
    node.router = new VirtualRouter(node.config);
    node.armedAtMs = null;
    this.lifecycle.push({ atMs: this.now, order: this.order++, router: node.id, kind });
    this.handle(node, { type: 'startup', nowMs: this.now });
  }

  private stop(node: SimRouter, kind: 'crash' | 'shutdown'): void {
    node.router = null;
    node.armedAtMs = null;
    this.lifecycle.push({ atMs: this.now, order: this.order++, router: node.id, kind });
  }

  private run(event: SimEvent): void {
    switch (event.kind) {
      case 'start':
        // A restart() before its scheduled start has started it already.
        if (!event.node.started) this.boot(event.node, 'start');
        return;
      case 'script':
        event.run();
        return;
      case 'timer':
        // Only the latest arm counts, as with one real timer that each arm replaces.
        if (event.node.router === null || event.node.armedAtMs !== event.atMs) return;
        event.node.armedAtMs = null;
        this.handle(event.node, { type: 'timer', nowMs: this.now });
        return;
      case 'deliver':
        if (event.to.router === null) return;
        this.handle(event.to, {
          type: 'advert',
          nowMs: this.now,
          sourceAddress: event.from,
          priority: event.priority,
          maxAdvertIntervalCs: event.intervalCs,
        });
        return;
    }
  }

  private handleIfUp(id: RouterId, event: VirtualRouterEvent): void {
    const node = this.node(id);
    if (node.router !== null) this.handle(node, event);
  }

  private handle(node: SimRouter, event: VirtualRouterEvent): void {
    const router = node.router;
    if (router === null) return;
    this.onHandle?.(node.id, event);
    this.eventsHandled++;
    for (const action of router.handle(event)) this.apply(node, action);
  }

  private apply(node: SimRouter, action: VirtualRouterAction): void {
    switch (action.type) {
      case 'send-advert':
        this.multicast(node, action.priority);
        return;
      case 'transition':
        this.transitions.push({
          atMs: this.now,
          order: this.order++,
          router: node.id,
          from: action.from,
          to: action.to,
          reason: action.reason,
        });
        return;
      case 'arm-timer':
        node.armedAtMs = action.atMs;
        this.queue.push(Math.max(action.atMs, this.now), {
          kind: 'timer',
          node,
          atMs: action.atMs,
        });
        return;
      case 'cancel-timer':
        node.armedAtMs = null;
        return;
    }
  }

  /** 224.0.0.18 / ff02::12: every other router on the link, each link with its own fate. */
  private multicast(node: SimRouter, priority: number): void {
    this.adverts.push({ atMs: this.now, router: node.id, priority });
    for (const to of this.nodes.values()) {
      if (to === node) continue;
      const atMs = this.network.transmit(node.id, to.id, this.now);
      if (atMs !== null)
        this.queue.push(atMs, {
          kind: 'deliver',
          to,
          from: node.id,
          priority,
          intervalCs: node.config.advertIntervalCs,
        });
    }
  }
}
