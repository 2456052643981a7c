// The driver loop: the one place that owns the Election. Timer ticks, heartbeats, peer
// losses, tracker results and operator commands go in as events; the actions that come out
// are applied in order (VIPs and announcements first, then heartbeat, hooks, metrics and
// the log line). Events that arrive while a step is being applied are queued, so the
// election only ever sees one event at a time.
//
// This file is the loop, its timer and the node's lifecycle; what the actions mean for VIPs
// is vip-policy.ts, operator commands are operator-commands.ts, the API's views are
// status-views.ts.

import type { ConflictEvent, MacChangeEvent } from '@vipd/arp';
import type { Clock, TimerHandle } from '@vipd/clock';
import {
  Election,
  type ElectionAction,
  type ElectionEvent,
  type ElectionStatus,
} from '@vipd/election';
import type {
  HeartbeatMesh,
  HeartbeatMeshEvents,
  HeartbeatReceived,
  PeerDownReason,
  RejectReason,
} from '@vipd/heartbeat';
import type { Logger } from 'pino';
import type {
  CommandOutcome,
  DaemonControl,
  DaemonPhase,
  GroupView,
  StatusView,
  TakeoverResult,
} from '../api/control.js';
import type { GroupSpec, VipdConfig } from '../config/types.js';
import { LastTransitions } from '../events/last-transitions.js';
import { PendingActors, type OperatorCall } from '../events/operator-call.js';
import type { EventSink } from '../events/types.js';
import type { NotifyRunner } from '../hooks/notify.js';
import type { VipdMetrics } from '../metrics/metrics.js';
import type { TrackerEffectOnGroup, TrackerSet } from '../trackers/tracker-set.js';
import { toElectionConfig } from './election-config.js';
import { OperatorCommands } from './operator-commands.js';
import { RESIGN_GRACE_MS } from './resign.js';
import { RouteAnnouncer, type RoutePort } from './route-announcer.js';
import { StallWatch } from './stall-watch.js';
import { StatusViews } from './status-views.js';
import {
  VipHolder,
  vipText,
  type AddressPort,
  type FrameAnnouncerPort,
  type VipHolderDeps,
} from './vip-holder.js';
import { runsGroup, VipPolicy } from './vip-policy.js';
import { Waiters } from './waiters.js';
import type { VrrpParts } from '../vrrp/parts.js';
import { VrrpGroups } from '../vrrp/vrrp-groups.js';

export { toElectionConfig } from './election-config.js';

const PEER_DOWN_TEXT: Record<PeerDownReason, (peer: string) => string> = {
  silent: (peer) => `no heartbeat from ${peer} for down_multiplier x heartbeat_interval`,
  closed: (peer) => `the connection to ${peer} closed`,
};
export { ADDRESS_RETRY_MS, ROUTED_HANDOVER_GRACE_MS, VIP_FAULT_TRACKER } from './vip-policy.js';
export { DEFEND_INTERVAL_MS, LOST_PEER_DEFENCE_WAIT_MS } from './conflict-defence.js';
export { RESIGN_GRACE_MS };

export interface DriverDeps {
  readonly config: VipdConfig;
  /** The clock: systemClock in the daemon, a manual clock in tests. */
  readonly clock: Clock;
  readonly mesh: HeartbeatMesh;
  readonly addresses: AddressPort;
  readonly announcer: FrameAnnouncerPort;
  /** Routes for routed groups (@vipd/arp's route manager); needed once one is configured. */
  readonly routes?: RoutePort;
  readonly conflictWatch?: VipHolderDeps['conflictWatch'];
  readonly macWatch?: VipHolderDeps['macWatch'];
  readonly notify: NotifyRunner;
  readonly trackers?: TrackerSet;
  readonly metrics: VipdMetrics;
  readonly logger: Logger;
  /** Unix time now, for timestamps in the API (default Date.now). */
  readonly wallClockMs?: () => number;
  /** The election threw (a bug): the driver has stopped. Default: rethrow. */
  readonly onFatal?: (error: Error) => void;
  /** @vipd/vrrp's codec, sockets and routers, for groups with `vrrp:`. */
  readonly vrrp?: VrrpParts;
  /** The event history: transitions, peers, trackers, conflicts (none recorded unless given). */
  readonly events?: EventSink;
}

const NO_EVENTS: EventSink = { record: () => undefined };

/**
 * How long a dying node goes on starting VIP removals (abandon()); with netlink's 1 s reply
 * limit on the last one, it exits within about 2 s.
 */
export const ABANDON_BUDGET_MS = 1000;

export class Driver implements DaemonControl {
  readonly #deps: DriverDeps;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #holder: VipHolder;
  readonly #policy: VipPolicy;
  /** Peers reported down and not heard since. */
  readonly #lostPeers = new Set<string>();
  /** Lost peers connected again whose first heartbeat has not come yet. */
  readonly #returnedPeers = new Set<string>();
  readonly #commands: OperatorCommands;
  readonly #waiters: Waiters;
  readonly #views: StatusViews;
  /** Groups decided by VRRP on the wire; the election sees only the mesh's. */
  readonly #vrrp: VrrpGroups | null;
  #config: VipdConfig;
  #groups = new Map<string, GroupSpec>();
  #election: Election | null = null;
  #phase: DaemonPhase = 'starting';
  #queue: ElectionEvent[] = [];
  #stepping = false;
  #timer: TimerHandle | undefined;
  #timerAtMs: number | null = null;
  #stallWatch: StallWatch | null = null;
  #lastLocalState: unknown = null;
  #lastHearing: unknown = null;
  readonly #meshListeners: { off: () => void }[] = [];
  readonly #events: EventSink;
  readonly #lastTransitions = new LastTransitions();
  readonly #actors = new PendingActors();

  constructor(deps: DriverDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#clock = deps.clock;
    this.#log = deps.logger.child({ component: 'driver' });
    this.#events = deps.events ?? NO_EVENTS;
    const routes = deps.routes;
    this.#holder = new VipHolder({
      addresses: deps.addresses,
      announcer: deps.announcer,
      ...(routes === undefined
        ? {}
        : {
            routes: new RouteAnnouncer({
              routes,
              groups: () => this.#groups,
              // The transition being carried out is already in the election's state.
              epochOf: (group) => this.#election?.localState()[group]?.epoch ?? 0,
              metrics: deps.metrics,
              logger: deps.logger,
            }),
          }),
      ...(deps.conflictWatch ? { conflictWatch: deps.conflictWatch } : {}),
      ...(deps.macWatch ? { macWatch: deps.macWatch } : {}),
      metrics: deps.metrics,
      logger: deps.logger,
    });
    this.#waiters = new Waiters(deps.clock);
    const config = () => this.#config;
    const groups = () => this.#groups;
    const election = () => this.#election;
    const submit = (event: ElectionEvent) => {
      this.#submit(event);
    };
    this.#policy = new VipPolicy({
      clock: deps.clock,
      holder: this.#holder,
      metrics: deps.metrics,
      log: this.#log,
      config,
      groups,
      election,
      events: this.#events,
      enqueue: (event) => this.#queue.push(event),
      submit,
      settled: () => {
        this.#waiters.check();
      },
      lostPeersOf: (group) => this.#lostPeersOf(group),
    });
    this.#vrrp = this.#createVrrp(deps);
    const vrrp = this.#vrrp;
    this.#views = new StatusViews({
      clock: deps.clock,
      wallClockMs: deps.wallClockMs ?? Date.now,
      mesh: deps.mesh,
      holder: this.#holder,
      trackers: deps.trackers,
      config,
      groups,
      election,
      phase: () => this.#phase,
      lastTransitions: this.#lastTransitions,
      vrrp: {
        group: (name) => vrrp?.group(name) ?? null,
        views: () => vrrp?.views() ?? [],
        maintenance: () => vrrp?.maintenance() ?? false,
      },
    });
    this.#commands = new OperatorCommands({
      clock: deps.clock,
      submit,
      waiters: this.#waiters,
      holder: this.#holder,
      stateOf: (group) => this.#election?.status().groups.find((g) => g.name === group)?.state,
      group: (name) => this.#views.group(name),
      maintenance: () => this.#election?.status().maintenance,
    });
    this.#indexGroups(deps.config);
  }

  get config(): VipdConfig {
    return this.#config;
  }

  #createVrrp(deps: DriverDeps): VrrpGroups | null {
    if (!deps.config.groups.some((g) => g.vrrp !== undefined)) return null;
    if (deps.vrrp === undefined) throw new Error('VRRP groups need @vipd/vrrp (DriverDeps.vrrp)');
    return new VrrpGroups(
      {
        clock: deps.clock,
        parts: deps.vrrp,
        holder: this.#holder,
        notify: deps.notify,
        metrics: deps.metrics,
        logger: deps.logger,
        wallClockMs: deps.wallClockMs ?? Date.now,
        events: this.#events,
        lastTransitions: this.#lastTransitions,
        pendingActor: (group) => this.#actors.pending(group),
        trackLinks: (group) => deps.trackers?.linksOf(group) ?? [],
        onFatal: (error) => {
          this.abandon();
          if (deps.onFatal === undefined) throw error;
          deps.onFatal(error);
        },
        settled: () => {
          this.#waiters.check();
        },
      },
      deps.config,
    );
  }

  /**
   * Opens the VRRP sockets and starts the virtual routers (after start()); nothing to do on a
   * node without `vrrp:` groups.
   */
  async startVrrp(options: { readonly maintenance?: boolean } = {}): Promise<void> {
    await this.#vrrp?.start(options);
  }

  /** Readings of the VRRP groups for the metrics' scrape. */
  vrrpReadings(): ReturnType<VrrpGroups['readings']> {
    return this.#vrrp?.readings() ?? [];
  }

  /**
   * Creates the election and starts listening to the mesh (call before mesh.start()).
   * `maintenance`: start drained (kept from before a restart), so no group is ever claimed.
   */
  start(options: { readonly maintenance?: boolean } = {}): void {
    if (this.#election !== null) throw new Error('driver already started');
    this.#election = new Election(toElectionConfig(this.#config), this.#clock.now());
    // Before the first tick: the election answers in the same step, so the node is drained
    // before it could decide anything.
    if (options.maintenance === true)
      void this.#commands.send({ command: 'maintenance', enabled: true });
    const { mesh, metrics } = this.#deps;
    this.#listen(mesh, 'heartbeat', (heartbeat: HeartbeatReceived) => {
      metrics.heartbeatsReceived.inc({ peer: heartbeat.from });
      this.#views.heard(heartbeat);
      // Whom the sender hears (quorum guard) and, per group, which master it follows: both
      // pass straight through. A version 1 peer says neither; the election then counts its
      // vote on hearing alone.
      this.#submit({
        type: 'heartbeat',
        nowMs: this.#clock.now(),
        from: heartbeat.from,
        incarnation: heartbeat.incarnation,
        groups: heartbeat.groups,
        ...(heartbeat.hears === undefined ? {} : { hears: heartbeat.hears }),
      });
      if (this.#returnedPeers.delete(heartbeat.from)) {
        this.#policy.peerReturned(heartbeat.from, heartbeat.groups);
      }
    });
    this.#listen(mesh, 'peer-down', (peer: string, reason: PeerDownReason) => {
      this.#log.debug({ peer, reason }, `peer ${peer} down (${reason})`);
      this.#events.record({
        kind: 'peer',
        subject: peer,
        from: 'up',
        to: 'down',
        reason,
        detail: PEER_DOWN_TEXT[reason](peer),
      });
      // Before the loss is stepped: only groups held before it are announced again (one
      // taken over because of it was announced just now).
      if (!this.#lostPeers.has(peer)) {
        this.#policy.peerLost(peer, this.#views.lastHeardGroups(peer) ?? {});
      }
      this.#lostPeers.add(peer);
      this.#submit({ type: 'peer-lost', nowMs: this.#clock.now(), peer, reason });
    });
    this.#listen(mesh, 'peer-up', (peer: string) => {
      this.#log.debug({ peer }, `peer ${peer} up`);
      // Its first heartbeat says whether it holds anything; only then may we announce.
      if (this.#lostPeers.delete(peer)) this.#returnedPeers.add(peer);
      this.#events.record({
        kind: 'peer',
        subject: peer,
        from: 'down',
        to: 'up',
        reason: 'connected',
        detail: `peer ${peer} authenticated and heard`,
      });
    });
    this.#listen(mesh, 'rejected', (reason: RejectReason, peer: string | null, remote: string) => {
      metrics.recordRejectedHeartbeat(reason);
      this.#log.debug({ reason, peer, remote }, 'heartbeat rejected');
    });
    this.#listen(mesh, 'sent', (peer: string) => {
      metrics.heartbeatsSent.inc({ peer });
    });
    this.#watchStalls();
    this.#submit({ type: 'tick', nowMs: this.#clock.now() });
    this.#phase = 'running';
  }

  /**
   * A stall is told to the election before anything else of the wake-up: the heartbeats,
   * closes and deadlines that follow it are judged knowing the view is that old.
   */
  #watchStalls(): void {
    this.#stallWatch?.stop();
    const { heartbeatIntervalMs: intervalMs, downMultiplier } = this.#config.cluster;
    const downAfterMs = intervalMs * downMultiplier;
    this.#stallWatch = new StallWatch(this.#clock, intervalMs, intervalMs, (stalledMs) => {
      const level = stalledMs + intervalMs >= downAfterMs ? 'warn' : 'debug';
      this.#log[level](
        { stalledMs: Math.round(stalledMs), downAfterMs },
        `this node did not run for ${Math.round(stalledMs)}ms (frozen or starved)`,
      );
      this.#submit({ type: 'stalled', nowMs: this.#clock.now(), stalledMs });
    });
    this.#stallWatch.start();
  }

  #listen<E extends keyof HeartbeatMeshEvents>(
    mesh: HeartbeatMesh,
    event: E,
    listener: (...args: HeartbeatMeshEvents[E]) => void,
  ): void {
    mesh.on(event, listener);
    this.#meshListeners.push({
      off: () => {
        mesh.off(event, listener);
      },
    });
  }

  phase(): DaemonPhase {
    return this.#phase;
  }

  /** A tracker's effect on a group changed. */
  trackerReport(report: TrackerEffectOnGroup): void {
    this.#recordTracker(report);
    if (this.#vrrp?.has(report.group) === true) {
      this.#vrrp.trackerReport(report);
      return;
    }
    this.#submit({ type: 'tracker', nowMs: this.#clock.now(), ...report });
  }

  #recordTracker(report: TrackerEffectOnGroup): void {
    const reading = this.#deps.trackers?.states().find((t) => t.name === report.trackerId)?.reading;
    const state = reading?.up === true ? 'up' : reading?.up === false ? 'down' : 'unknown';
    const effect = report.fault
      ? 'faults the group'
      : report.weightDelta !== 0
        ? `changes its priority by ${report.weightDelta}`
        : 'no longer affects it';
    this.#events.record({
      kind: 'tracker',
      group: report.group,
      subject: report.trackerId,
      to: state,
      reason: report.fault ? 'fault' : report.weightDelta !== 0 ? 'weight' : 'clear',
      detail:
        `tracker ${report.trackerId} is ${state}` +
        `${reading?.detail === null || reading?.detail === undefined ? '' : ` (${reading.detail})`}: ` +
        `${effect} for ${report.group}`,
    });
  }

  /**
   * Lost peers (down, or back but not heard yet) that ran the group when last heard, or were
   * never heard: until they are, nobody can say they did not take it over.
   */
  #lostPeersOf(group: string): string[] {
    return [...this.#lostPeers, ...this.#returnedPeers].filter((peer) => {
      const groups = this.#views.lastHeardGroups(peer);
      return groups === undefined || runsGroup(groups, group);
    });
  }

  /** Another MAC claimed one of our VIPs (see conflict-defence.ts for the defence). */
  conflict(event: ConflictEvent): void {
    this.#policy.conflict(event);
  }

  /** An interface's MAC changed: hosts must learn the new one at once. */
  macChanged(event: MacChangeEvent): void {
    this.#policy.macChanged(event);
  }

  // ---- the loop ----

  #submit(event: ElectionEvent): void {
    this.#stallWatch?.check();
    this.#queue.push(event);
    this.#drain(event.type);
  }

  /**
   * The one draining loop: applies `first` (a reload, cause 'reconfigure'), then steps every queued event,
   * including those queued while applying (a failed VIP add raises a fault). Returns false
   * when the election failed. Re-entrant calls (from inside a step) leave the events queued
   * for the loop already running.
   */
  #drain(cause: string, first?: (election: Election) => readonly ElectionAction[]): boolean {
    if (this.#stepping) {
      // A reload is never queued: it must not be lost inside a step already running.
      if (first !== undefined) throw new Error(`${cause} called from inside a step`);
      return true;
    }
    this.#stepping = true;
    try {
      // Before start() events wait in the queue (trackers report before the election exists).
      if (first !== undefined && this.#election !== null) this.#apply(first(this.#election));
      while (this.#election !== null && this.#queue.length > 0) {
        const next = this.#queue.shift() as ElectionEvent;
        this.#apply(this.#election.step(next));
      }
    } catch (error) {
      // The election threw: a bug. Its state can no longer be trusted, so stop deciding
      // anything, take the VIPs off (a backup takes over; nothing answers for a node that
      // no longer decides) and let the daemon exit; the service manager restarts it.
      this.#queue.length = 0;
      this.#log.fatal(
        { err: error, event: cause },
        `election failed on a ${cause} event: ${(error as Error).message}`,
      );
      this.abandon();
      if (this.#deps.onFatal === undefined) throw error;
      this.#deps.onFatal(error as Error);
      return false;
    } finally {
      this.#stepping = false;
    }
    this.#waiters.check();
    return true;
  }

  #apply(actions: readonly ElectionAction[]): void {
    const election = this.#election;
    if (election === null) return;
    for (const action of actions) {
      switch (action.type) {
        case 'transition':
          this.#onTransition(action);
          break;
        case 'send-state':
          this.#publishState(true);
          break;
        case 'arm-timer':
          this.#arm(action.atMs);
          break;
        case 'command-result':
          this.#commands.answer(action);
          break;
      }
    }
    // Every heartbeat carries the latest state, even when no send-state asked for one now.
    this.#publishState(false);
    this.#policy.afterStep();
  }

  #publishState(sendNow: boolean): void {
    const election = this.#election;
    if (election === null) return;
    // Both are cached by the election until they change, so comparing identities is cheap
    // and re-encodes only on a change. Every heartbeat carries both: peers' quorum guards
    // count this node's vote only for the nodes it says it hears.
    const state = election.localState();
    const hears = election.hearing();
    if (state !== this.#lastLocalState || hears !== this.#lastHearing) {
      this.#lastLocalState = state;
      this.#lastHearing = hears;
      this.#deps.mesh.setLocalState(state, hears);
    }
    if (sendNow) this.#deps.mesh.sendNow();
  }

  #arm(atMs: number): void {
    if (this.#timerAtMs === atMs && this.#timer !== undefined) return;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timerAtMs = atMs;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAtMs = null;
        // libuv measures a timer from its cached loop time, which lags the real clock after
        // a busy stretch (module loading at start-up, GC), so a timer can fire before its
        // deadline. The election answers an early tick with no new arm-timer (its deadline
        // did not change), so ticking now would leave nothing armed and the node would wait
        // forever (a lone node stuck in BACKUP). Keep the deadline: wait out the remainder.
        if (this.#clock.now() < atMs) {
          this.#arm(atMs);
          return;
        }
        // Node runs timers before it reads sockets. After the event loop was busy (GC, a
        // slow request), heartbeats that arrived in time may still be unread when this
        // fires; deciding now would declare a live master dead. A deferred callback
        // (setImmediate) runs after the I/O phase, so every pending heartbeat reaches the
        // election before the tick.
        this.#clock.defer(() => {
          this.#submit({ type: 'tick', nowMs: this.#clock.now() });
        });
      },
      Math.max(0, atMs - this.#clock.now()),
    );
  }

  #onTransition(action: Extract<ElectionAction, { type: 'transition' }>): void {
    const group = this.#groups.get(action.group);
    // The fast path first: VIPs on, first frames out; then everything that can wait.
    const holdNote = group === undefined ? '' : this.#policy.onTransition(action, group);
    this.#deps.metrics.recordTransition(action.group, action.from, action.to, action.reason);
    const actor = this.#actors.take(action.group, action.reason);
    this.#lastTransitions.note(action.group, { reason: action.reason, detail: action.detail });
    this.#events.record({
      kind: 'transition',
      group: action.group,
      from: action.from,
      to: action.to,
      reason: action.reason,
      detail: action.detail,
      epoch: action.epoch,
      ...(actor === undefined ? {} : { actor }),
    });
    this.#log.info(
      {
        group: action.group,
        from: action.from,
        to: action.to,
        epoch: action.epoch,
        reason: action.reason,
        detail: action.detail,
      },
      `${action.group}: ${action.from} -> ${action.to} (${action.reason}): ${action.detail}${holdNote}`,
    );
    if (group !== undefined) {
      const status = this.#election?.status().groups.find((g) => g.name === action.group);
      this.#deps.notify.notify(group.notify, {
        group: action.group,
        from: action.from,
        to: action.to,
        epoch: action.epoch,
        reason: action.reason,
        interface: group.interface,
        addresses: group.vips.map(vipText),
        master: status?.master ?? null,
        priority: status?.effectivePriority ?? group.priority,
      });
    }
  }

  // ---- operator commands ----

  takeover(
    group: string,
    timeoutMs: number,
    call?: OperatorCall,
  ): Promise<CommandOutcome<TakeoverResult>> {
    return this.#attributed(group, call, () =>
      this.#vrrp?.has(group) === true
        ? this.#vrrp.takeover(group, timeoutMs)
        : this.#commands.takeover(group, timeoutMs),
    );
  }

  release(
    group: string,
    timeoutMs: number,
    call?: OperatorCall,
  ): Promise<CommandOutcome<GroupView>> {
    return this.#attributed(group, call, () =>
      this.#vrrp?.has(group) === true
        ? this.#vrrp.release(group)
        : this.#commands.release(group, timeoutMs),
    );
  }

  setMaintenance(
    enabled: boolean,
    call?: OperatorCall,
  ): Promise<CommandOutcome<{ readonly maintenance: boolean }>> {
    return this.#attributed('*', call, async () => {
      const outcome = await this.#commands.setMaintenance(enabled);
      if (outcome.ok) this.#vrrp?.setMaintenance(enabled);
      return outcome;
    });
  }

  /** The transitions a command causes carry its caller's actor until it settles. */
  async #attributed<T>(
    key: string,
    call: OperatorCall | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    this.#actors.expect(key, call);
    try {
      return await run();
    } finally {
      this.#actors.settle(key);
    }
  }

  // ---- lifecycle ----

  /**
   * Graceful shutdown: advertise priority 0 so a backup takes over at once, keep the VIPs
   * until it has (at most down_multiplier x interval), then remove them.
   */
  async resign(): Promise<void> {
    this.#phase = 'stopping';
    const vrrpResigned = this.#vrrp?.resign();
    await this.#commands.send({ command: 'resign' });
    const limitMs = this.#config.cluster.downMultiplier * this.#config.cluster.heartbeatIntervalMs;
    // VRRP groups hand over on their own timing (Master_Down_Interval): vrrp.resign() ends them.
    const mesh = (name: string) => this.#vrrp?.has(name) !== true;
    const lingering = () => this.#holder.lingeringGroups().filter(mesh);
    const held = () => this.#holder.heldGroups().filter((group) => mesh(group.name));
    await this.#waiters.waitUntil(
      () => lingering().length === 0 && held().length === 0,
      limitMs + RESIGN_GRACE_MS,
    );
    for (const group of lingering()) this.#holder.finishLinger(group);
    for (const group of held()) this.#holder.withdraw(group.name, { linger: false });
    await vrrpResigned;
  }

  /**
   * The process is about to exit on an error: stop the loop and take every VIP this node
   * placed off at once, within ABANDON_BUDGET_MS (no hand-over, no hooks).
   */
  abandon(): void {
    this.stop();
    const { removed, left } = this.#holder.dropAll(ABANDON_BUDGET_MS);
    if (left.length > 0) {
      this.#log.error(
        { removed, left },
        `removed ${removed.length} VIP(s) before exiting; no time left for ${left.join(', ')}: ` +
          '`vipd cleanup` or the next start removes them',
      );
    } else if (removed.length > 0) {
      this.#log.warn({ removed }, `removed ${removed.join(', ')} before exiting`);
    }
  }

  /** Stop the loop: timers cancelled, mesh listeners removed. VIPs are left as they are. */
  stop(): void {
    this.#phase = 'stopping';
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#stallWatch?.stop();
    this.#stallWatch = null;
    this.#policy.stop();
    this.#vrrp?.stop();
    this.#waiters.cancelAll();
    for (const listener of this.#meshListeners) listener.off();
    this.#meshListeners.length = 0;
    this.#election = null;
  }

  /**
   * SIGHUP: adopt a new configuration. Groups whose settings did not change keep their state;
   * held groups whose VIPs changed get the difference applied and are announced again.
   */
  reconfigure(config: VipdConfig): void {
    if (this.#election === null) throw new Error('driver not started');
    this.#config = config;
    this.#indexGroups(config);
    const applied = this.#drain('reconfigure', (election) =>
      election.reconfigure(toElectionConfig(config), this.#clock.now()),
    );
    if (!applied) return;
    this.#watchStalls();
    this.#vrrp?.reconfigure(config);
    this.#policy.reconfigured();
    this.#waiters.check();
  }

  #indexGroups(config: VipdConfig): void {
    this.#groups = new Map(config.groups.map((g) => [g.name, g]));
  }

  // ---- views ----

  electionStatus(): ElectionStatus | null {
    return this.#election?.status() ?? null;
  }

  group(name: string): GroupView | null {
    return this.#views.group(name);
  }

  status(): StatusView {
    return this.#views.status();
  }
}
