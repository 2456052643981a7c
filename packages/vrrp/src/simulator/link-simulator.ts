// A deterministic LAN segment: N real VirtualRouters of one VRID on a virtual clock, each
// driven the way the daemon drives it (adverts multicast to every other router, the one
// timer armed as `arm-timer` asks), with per-link delay, loss and blocking, crashes,
// graceful shutdowns and restarts. Seeded: the same options and calls replay the same run.
// The PRNG, the run loop and the lossy links are @vipd/election's simulator pieces.
import { NetworkedSimulator, type NetworkedSimulatorOptions } from '@vipd/election/simulator';
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

/** Seed, link profile, start times and random source as the cluster simulator's. */
export interface VrrpLinkSimulatorOptions extends NetworkedSimulatorOptions {
  /** One config per router, all of one VRID and family, distinct primary addresses. */
  readonly routers: readonly VirtualRouterConfig[];
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
    };

class SimRouter {
  router: VirtualRouter | null = null;
  started = false;
  armedAtMs: number | null = null;

  constructor(
    readonly id: RouterId,
    public config: VirtualRouterConfig,
  ) {}
}

export class VrrpLinkSimulator extends NetworkedSimulator<SimEvent> {
  readonly transitions: SimVrrpTransition[] = [];
  readonly lifecycle: SimVrrpLifecycle[] = [];
  readonly adverts: SimAdvert[] = [];
  /** VirtualRouter.handle calls so far: the benchmark's unit of work. */
  eventsHandled = 0;

  private readonly nodes = new Map<RouterId, SimRouter>();
  private readonly onHandle: VrrpLinkSimulatorOptions['onHandle'];
  private order = 0;

  constructor(options: VrrpLinkSimulatorOptions) {
    super(
      options,
      options.routers.map((config) => config.primaryAddress),
    );
    this.onHandle = options.onHandle;
    for (const config of options.routers) {
      const id = config.primaryAddress;
      if (this.nodes.has(id)) throw new RangeError(`two routers with primary address ${id}`);
      this.nodes.set(id, new SimRouter(id, config));
    }
    for (const node of this.nodes.values())
      this.schedule(options.startAtMs?.[node.id] ?? 0, { kind: 'start', node });
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

  // ---- what can happen on the link (partitions, blocks, loss: NetworkedSimulator) ----

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
    this.handle(node, { type: 'shutdown', nowMs: this.nowMs });
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
    this.handleIfUp(id, { type: 'set-priority', nowMs: this.nowMs, priority, forcePreempt });
  }

  fault(id: RouterId, faulted: boolean): void {
    this.handleIfUp(id, { type: 'fault', nowMs: this.nowMs, faulted });
  }

  // ---- the daemon of each router ----

  private node(id: RouterId): SimRouter {
    const node = this.nodes.get(id);
    if (node === undefined) throw new RangeError(`no router ${id} on the simulated link`);
    return node;
  }

  private boot(node: SimRouter, kind: 'start' | 'restart'): void {
    node.started = true;
    node.router = new VirtualRouter(node.config);
    node.armedAtMs = null;
    this.lifecycle.push({ atMs: this.nowMs, order: this.order++, router: node.id, kind });
    this.handle(node, { type: 'startup', nowMs: this.nowMs });
  }

  private stop(node: SimRouter, kind: 'crash' | 'shutdown'): void {
    node.router = null;
    node.armedAtMs = null;
    this.lifecycle.push({ atMs: this.nowMs, order: this.order++, router: node.id, kind });
  }

  protected override dispatch(event: SimEvent): void {
    switch (event.kind) {
      case 'start':
        // A restart() before its scheduled start has started it already.
        if (!event.node.started) this.boot(event.node, 'start');
        return;
      case 'timer':
        // Only the latest arm counts, as with one real timer that each arm replaces.
        if (event.node.router === null || event.node.armedAtMs !== event.atMs) return;
        event.node.armedAtMs = null;
        this.handle(event.node, { type: 'timer', nowMs: this.nowMs });
        return;
      case 'deliver':
        if (event.to.router === null) return;
        this.handle(event.to, {
          type: 'advert',
          nowMs: this.nowMs,
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
          atMs: this.nowMs,
          order: this.order++,
          router: node.id,
          from: action.from,
          to: action.to,
          reason: action.reason,
        });
        return;
      case 'arm-timer':
        node.armedAtMs = action.atMs;
        this.schedule(action.atMs, {
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
    this.adverts.push({ atMs: this.nowMs, router: node.id, priority });
    for (const to of this.nodes.values()) {
      if (to === node) continue;
      const atMs = this.network.transmit(node.id, to.id, this.nowMs);
      if (atMs !== null)
        this.schedule(atMs, {
          kind: 'deliver',
          to,
          from: node.id,
          priority,
          intervalCs: node.config.advertIntervalCs,
        });
    }
  }
}
