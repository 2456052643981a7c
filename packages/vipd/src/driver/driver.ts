// The driver loop: the one place that owns the Election. Timer ticks, heartbeats, peer
// losses, tracker results and operator commands go in as events; the actions that come out
// are applied in order (VIPs and announcements first, then heartbeat, hooks, metrics and
// the log line). Events that arrive while a step is being applied are queued, so the
// election only ever sees one event at a time.

import type { ConflictEvent, MacChangeEvent, Scheduler, TimerHandle } from '@vipd/arp';
import {
  Election,
  type ElectionAction,
  type ElectionConfig,
  type ElectionEvent,
  type ElectionStatus,
  type GroupStatus,
  type OperatorCommand,
  type RefusalCode,
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
import { RESIGN_GRACE_MS } from './resign.js';
import type { NotifyRunner } from '../hooks/notify.js';
import type { VipdMetrics } from '../metrics/metrics.js';
import type { TrackerEffectOnGroup, TrackerSet } from '../trackers/tracker-set.js';
import { VIPD_VERSION } from '../version.js';
import { VipHolder, vipText, type AddressPort, type AnnouncerPort } from './vip-holder.js';

export interface DriverDeps {
  readonly config: VipdConfig;
  /** The clock: systemScheduler in the daemon, a manual scheduler in tests. */
  readonly scheduler: Scheduler;
  readonly mesh: HeartbeatMesh;
  readonly addresses: AddressPort;
  readonly announcer: AnnouncerPort;
  readonly conflictWatch?: VipHolderDepsWatch['conflictWatch'];
  readonly macWatch?: VipHolderDepsWatch['macWatch'];
  readonly notify: NotifyRunner;
  readonly trackers?: TrackerSet;
  readonly metrics: VipdMetrics;
  readonly logger: Logger;
  /** Unix time now, for timestamps in the API (default Date.now). */
  readonly wallClockMs?: () => number;
  /** The election threw (a bug): the driver has stopped. Default: rethrow. */
  readonly onFatal?: (error: Error) => void;
}

type VipHolderDepsWatch = ConstructorParameters<typeof VipHolder>[0];

/** How long after a failed VIP add the group may try again (it sits in FAULT meanwhile). */
export const ADDRESS_RETRY_MS = 5000;
/** RFC 5227 DEFEND_INTERVAL: a group answers a conflicting claim at most this often. */
export const DEFEND_INTERVAL_MS = 10_000;
/**
 * How long a dying node goes on starting VIP removals (abandon()); with netlink's 1 s reply
 * limit on the last one, it exits within about 2 s.
 */
export const ABANDON_BUDGET_MS = 1000;
/** Tracker id of the synthetic fault raised when VIPs cannot be added or announced. */
export const VIP_FAULT_TRACKER = 'vip-add';
export { RESIGN_GRACE_MS };

export function toElectionConfig(config: VipdConfig): ElectionConfig {
  return {
    nodeId: config.node.id,
    peers: config.cluster.peers.map((p) => p.id),
    heartbeatIntervalMs: config.cluster.heartbeatIntervalMs,
    downMultiplier: config.cluster.downMultiplier,
    quorum: config.cluster.quorum,
    groups: config.groups.map((g) => ({
      name: g.name,
      priority: g.priority,
      preempt: g.preempt,
      preemptDelayMs: g.preemptDelayMs,
      ...(g.syncGroup === undefined ? {} : { syncGroup: g.syncGroup }),
    })),
  };
}

interface Waiter {
  readonly done: () => boolean;
  readonly resolve: (ok: boolean) => void;
  readonly timer: TimerHandle;
}

type CommandResult =
  { ok: true; message: string } | { ok: false; code: RefusalCode | undefined; message: string };

export class Driver implements DaemonControl {
  readonly #deps: DriverDeps;
  readonly #log: Logger;
  readonly #scheduler: Scheduler;
  readonly #holder: VipHolder;
  readonly #startedAtMs: number;
  #config: VipdConfig;
  #groups = new Map<string, GroupSpec>();
  #election: Election | null = null;
  #phase: DaemonPhase = 'starting';
  #queue: ElectionEvent[] = [];
  #stepping = false;
  #timer: TimerHandle | undefined;
  #timerAtMs: number | null = null;
  #nextCommandId = 1;
  readonly #pending = new Map<string, (result: CommandResult) => void>();
  readonly #waiters = new Set<Waiter>();
  readonly #lingerTimers = new Map<string, TimerHandle>();
  readonly #retryTimers = new Map<string, TimerHandle>();
  #lastLocalState: unknown = null;
  #lastHearing: unknown = null;
  readonly #lastDefendedAtMs = new Map<string, number>();
  /** Epoch at which each held group was taken or last reclaimed. */
  readonly #heldEpochs = new Map<string, number>();
  /** The advertised state #checkReclaims last looked at. */
  #reclaimCheckedState: unknown = null;
  /** What each peer advertised in its last heartbeat, for the status view. */
  readonly #lastHeardGroups = new Map<string, HeartbeatReceived['groups']>();
  readonly #meshListeners: { off: () => void }[] = [];

  constructor(deps: DriverDeps) {
    this.#deps = deps;
    this.#config = deps.config;
    this.#scheduler = deps.scheduler;
    this.#log = deps.logger.child({ component: 'driver' });
    this.#startedAtMs = deps.scheduler.now();
    this.#holder = new VipHolder({
      addresses: deps.addresses,
      announcer: deps.announcer,
      ...(deps.conflictWatch ? { conflictWatch: deps.conflictWatch } : {}),
      ...(deps.macWatch ? { macWatch: deps.macWatch } : {}),
      metrics: deps.metrics,
      logger: deps.logger,
    });
    this.#indexGroups(deps.config);
  }

  get config(): VipdConfig {
    return this.#config;
  }

  /**
   * Creates the election and starts listening to the mesh (call before mesh.start()).
   * `maintenance`: start drained (kept from before a restart), so no group is ever claimed.
   */
  start(options: { readonly maintenance?: boolean } = {}): void {
    if (this.#election !== null) throw new Error('driver already started');
    this.#election = new Election(toElectionConfig(this.#config), this.#scheduler.now());
    // Before the first tick: the election answers in the same step, so the node is drained
    // before it could decide anything.
    if (options.maintenance === true) void this.#command({ command: 'maintenance', enabled: true });
    const { mesh, metrics } = this.#deps;
    this.#listen(mesh, 'heartbeat', (heartbeat: HeartbeatReceived) => {
      metrics.heartbeatsReceived.inc({ peer: heartbeat.from });
      this.#lastHeardGroups.set(heartbeat.from, heartbeat.groups);
      // Whom the sender hears (quorum guard) and, per group, which master it follows: both
      // pass straight through. A version 1 peer says neither; the election then counts its
      // vote on hearing alone.
      this.#submit({
        type: 'heartbeat',
        nowMs: this.#scheduler.now(),
        from: heartbeat.from,
        incarnation: heartbeat.incarnation,
        groups: heartbeat.groups,
        ...(heartbeat.hears === undefined ? {} : { hears: heartbeat.hears }),
      });
    });
    this.#listen(mesh, 'peer-down', (peer: string, reason: PeerDownReason) => {
      this.#log.debug({ peer, reason }, `peer ${peer} down (${reason})`);
      this.#submit({ type: 'peer-lost', nowMs: this.#scheduler.now(), peer, reason });
    });
    this.#listen(mesh, 'peer-up', (peer: string) => {
      this.#log.debug({ peer }, `peer ${peer} up`);
    });
    this.#listen(mesh, 'rejected', (reason: RejectReason, peer: string | null, remote: string) => {
      metrics.recordRejectedHeartbeat(reason);
      this.#log.debug({ reason, peer, remote }, 'heartbeat rejected');
    });
    this.#listen(mesh, 'sent', (peer: string) => {
      metrics.heartbeatsSent.inc({ peer });
    });
    this.#submit({ type: 'tick', nowMs: this.#scheduler.now() });
    this.#phase = 'running';
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
    this.#submit({ type: 'tracker', nowMs: this.#scheduler.now(), ...report });
  }

  /**
   * Another MAC claimed one of our VIPs. Counted and logged always; defended (one
   * announcement) at most once per DEFEND_INTERVAL_MS per group, as RFC 5227 §2.4 (b) says.
   * Two masters that re-announced at every conflict would flood the LAN and flip every
   * host's ARP entry back and forth; which of them keeps the VIPs is the election's call,
   * settled as soon as they hear each other.
   *
   * The defence waits one heartbeat interval first: a peer that legitimately takes the group
   * over (preemption, forced takeover) announces on the LAN a moment before its heartbeat
   * saying so arrives over TCP. Defending at once would point every host back at us just as
   * we step down — one needless extra move for clients. After the wait we defend only if we
   * still hold the group.
   */
  conflict(event: ConflictEvent): void {
    const nowMs = this.#scheduler.now();
    for (const group of this.#groups.values()) {
      if (!group.vips.some((v) => v.address === event.vip)) continue;
      this.#deps.metrics.addressConflicts.inc({ group: group.name, kind: event.kind });
      const held = this.#holder.isHeld(group.name);
      const lastDefended = this.#lastDefendedAtMs.get(group.name);
      const defend =
        held && (lastDefended === undefined || nowMs - lastDefended >= DEFEND_INTERVAL_MS);
      const fields = {
        group: group.name,
        vip: event.vip,
        interface: event.interface,
        foreignMac: event.foreignMac,
        kind: event.kind,
        defended: defend,
      };
      const claim = `address conflict: ${event.foreignMac} claims ${event.vip} on ${event.interface} (${event.kind})`;
      if (defend) {
        this.#lastDefendedAtMs.set(group.name, nowMs);
        this.#log.warn(fields, `${claim}; defending with one announcement unless a peer took over`);
        const name = group.name;
        this.#scheduler.setTimeout(() => {
          if (!this.#holder.isHeld(name)) {
            this.#log.info(fields, `${claim}; not defended: ${name} is no longer held here`);
            return;
          }
          this.#holder.defend(name);
        }, this.#config.cluster.heartbeatIntervalMs);
      } else if (held) {
        this.#log.debug(
          fields,
          `${claim}; defended ${Math.round(nowMs - (lastDefended ?? nowMs))}ms ago, not again within ${DEFEND_INTERVAL_MS}ms`,
        );
      } else {
        this.#log.warn(fields, `${claim}; not master here`);
      }
    }
  }

  /** An interface's MAC changed: hosts must learn the new one at once. */
  macChanged(event: MacChangeEvent): void {
    this.#deps.metrics.macChanges.inc({ interface: event.interface });
    const affected = this.#holder
      .heldGroups()
      .filter((g) => g.vips.some((v) => v.interface === event.interface));
    this.#log.warn(
      {
        interface: event.interface,
        oldMac: event.oldMac,
        newMac: event.newMac,
        groups: affected.map((g) => g.name),
      },
      `MAC of ${event.interface} changed ${event.oldMac} -> ${event.newMac}; announcing again`,
    );
    for (const group of affected) this.#holder.reannounce(group.name);
  }

  // ---- the loop ----

  #submit(event: ElectionEvent): void {
    this.#queue.push(event);
    if (this.#stepping) return;
    this.#stepping = true;
    try {
      // Before start() events wait in the queue (trackers report before the election exists).
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
        { err: error, event: event.type },
        `election failed on a ${event.type} event: ${(error as Error).message}`,
      );
      this.abandon();
      if (this.#deps.onFatal === undefined) throw error;
      this.#deps.onFatal(error as Error);
      return;
    } finally {
      this.#stepping = false;
    }
    this.#checkWaiters();
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
        case 'command-result': {
          const resolve = this.#pending.get(action.commandId);
          this.#pending.delete(action.commandId);
          resolve?.(
            action.ok
              ? { ok: true, message: action.message }
              : { ok: false, code: action.code, message: action.message },
          );
          break;
        }
      }
    }
    // Every heartbeat carries the latest state, even when no send-state asked for one now.
    this.#publishState(false);
    this.#checkLingering();
    this.#checkReclaims();
  }

  /**
   * A master that meets a rival master it outranks reclaims the group with a new epoch and
   * stays MASTER: no transition, but the LAN may have followed the rival's announcements,
   * so announce again. Runs after every step (every heartbeat), so it reads the advertised
   * state, which the election keeps as the same object until something in it changes,
   * rather than building a full status() each time.
   */
  #checkReclaims(): void {
    const election = this.#election;
    if (election === null) return;
    const state = election.localState();
    if (state === this.#reclaimCheckedState) return;
    this.#reclaimCheckedState = state;
    for (const [name, heldAt] of this.#heldEpochs) {
      const advert = state[name];
      if (advert === undefined || advert.state !== 'MASTER' || advert.epoch <= heldAt) continue;
      this.#heldEpochs.set(name, advert.epoch);
      this.#holder.reannounce(name);
      this.#log.info(
        { group: name, epoch: advert.epoch, previousEpoch: heldAt },
        `${name}: reclaimed at epoch ${advert.epoch} (was ${heldAt}); announcing again`,
      );
    }
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
    if (this.#timer !== undefined) this.#scheduler.clearTimeout(this.#timer);
    this.#timerAtMs = atMs;
    this.#timer = this.#scheduler.setTimeout(
      () => {
        this.#timer = undefined;
        this.#timerAtMs = null;
        // libuv measures a timer from its cached loop time, which lags the real clock after
        // a busy stretch (module loading at start-up, GC), so a timer can fire before its
        // deadline. The election answers an early tick with no new arm-timer (its deadline
        // did not change), so ticking now would leave nothing armed and the node would wait
        // forever (a lone node stuck in BACKUP). Keep the deadline: wait out the remainder.
        if (this.#scheduler.now() < atMs) {
          this.#arm(atMs);
          return;
        }
        // Node runs timers before it reads sockets. After the event loop was busy (GC, a
        // slow request), heartbeats that arrived in time may still be unread when this
        // fires; deciding now would declare a live master dead. setImmediate runs after the
        // I/O phase, so every pending heartbeat reaches the election before the tick.
        setImmediate(() => {
          this.#submit({ type: 'tick', nowMs: this.#scheduler.now() });
        });
      },
      Math.max(0, atMs - this.#scheduler.now()),
    );
  }

  #onTransition(action: Extract<ElectionAction, { type: 'transition' }>): void {
    const group = this.#groups.get(action.group);
    // The fast path first: VIPs on, first frames out; then everything that can wait.
    let holdNote = '';
    if (group !== undefined && action.to === 'MASTER') {
      // After a crash the old master drops the traffic anyway: announce before adding.
      const crashed = action.reason === 'master-down' || action.reason === 'peer-connection-closed';
      const result = this.#holder.hold(group, { announceFirst: crashed });
      if (result.ok) {
        this.#heldEpochs.set(group.name, action.epoch);
        holdNote = `; VIPs up and announced in ${result.durationMs.toFixed(3)}ms`;
        if (result.foreign.length > 0) {
          this.#log.warn(
            { group: group.name, vips: result.foreign },
            `${result.foreign.join(', ')} already configured by someone else; announcing, never removing`,
          );
        }
      } else {
        this.#holdFailed(group, result.error, result.vip);
      }
    } else if (group !== undefined && action.from === 'MASTER') {
      // A hand-over the operator asked for: the VIPs stay until the new master answers for
      // them (or down_multiplier x interval), so clients see no gap.
      const planned =
        action.reason === 'resign' ||
        action.reason === 'released' ||
        action.reason === 'maintenance-on';
      this.#heldEpochs.delete(group.name);
      this.#holder.withdraw(group.name, { linger: planned });
      if (planned) this.#startLinger(group.name);
    }
    this.#deps.metrics.recordTransition(action.group, action.from, action.to, action.reason);
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
      this.#deps.notify.notify(group.notify, {
        group: action.group,
        from: action.from,
        to: action.to,
        epoch: action.epoch,
        reason: action.reason,
      });
    }
  }

  /** VIPs could not be added or announced: FAULT the group, retry after a while. */
  #holdFailed(group: GroupSpec, error: Error, vip: string | undefined): void {
    const code = (error as { code?: unknown }).code;
    this.#log.error(
      { group: group.name, vip, code, err: error },
      `${group.name}: cannot take the VIPs${vip === undefined ? '' : ` (${vip})`}: ${error.message}; FAULT, retrying in ${ADDRESS_RETRY_MS}ms`,
    );
    this.#holder.withdraw(group.name, { linger: false });
    this.#queue.push({
      type: 'tracker',
      nowMs: this.#scheduler.now(),
      trackerId: VIP_FAULT_TRACKER,
      group: group.name,
      weightDelta: 0,
      fault: true,
    });
    const existing = this.#retryTimers.get(group.name);
    if (existing !== undefined) this.#scheduler.clearTimeout(existing);
    this.#retryTimers.set(
      group.name,
      this.#scheduler.setTimeout(() => {
        this.#retryTimers.delete(group.name);
        this.#submit({
          type: 'tracker',
          nowMs: this.#scheduler.now(),
          trackerId: VIP_FAULT_TRACKER,
          group: group.name,
          weightDelta: 0,
          fault: false,
        });
      }, ADDRESS_RETRY_MS),
    );
  }

  /** Keep the VIPs of a planned hand-over until another master is seen, at most downAfter. */
  #startLinger(group: string): void {
    const limitMs = this.#config.cluster.downMultiplier * this.#config.cluster.heartbeatIntervalMs;
    const existing = this.#lingerTimers.get(group);
    if (existing !== undefined) this.#scheduler.clearTimeout(existing);
    this.#lingerTimers.set(
      group,
      this.#scheduler.setTimeout(() => {
        this.#lingerTimers.delete(group);
        if (!this.#holder.isLingering(group)) return;
        this.#log.info(
          { group },
          `${group}: no new master seen within ${limitMs}ms; removing the VIPs`,
        );
        this.#holder.finishLinger(group);
        this.#checkWaiters();
      }, limitMs),
    );
  }

  #checkLingering(): void {
    const election = this.#election;
    if (election === null) return;
    for (const group of this.#holder.lingeringGroups()) {
      const status = election.status().groups.find((g) => g.name === group);
      const master = status?.master ?? null;
      if (status === undefined || (master !== null && master !== this.#config.node.id)) {
        const timer = this.#lingerTimers.get(group);
        if (timer !== undefined) this.#scheduler.clearTimeout(timer);
        this.#lingerTimers.delete(group);
        this.#holder.finishLinger(group);
        if (master !== null)
          this.#log.info({ group, master }, `${group}: ${master} took over; VIPs removed`);
      }
    }
  }

  // ---- operator commands ----

  #command(operator: OperatorCommand): Promise<CommandResult> {
    const commandId = `op-${this.#nextCommandId++}`;
    return new Promise((resolve) => {
      this.#pending.set(commandId, resolve);
      this.#submit({ type: 'operator', nowMs: this.#scheduler.now(), commandId, operator });
      if (this.#pending.has(commandId)) {
        // The election answers every command in the step that receives it.
        this.#pending.delete(commandId);
        resolve({ ok: false, code: undefined, message: 'the election did not answer the command' });
      }
    });
  }

  #waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        done,
        resolve,
        timer: this.#scheduler.setTimeout(() => {
          this.#waiters.delete(waiter);
          resolve(done());
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  #checkWaiters(): void {
    for (const waiter of this.#waiters) {
      if (!waiter.done()) continue;
      this.#waiters.delete(waiter);
      this.#scheduler.clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
  }

  async takeover(group: string, timeoutMs: number): Promise<CommandOutcome<TakeoverResult>> {
    const startedAt = this.#scheduler.now();
    const result = await this.#command({ command: 'takeover', group });
    if (!result.ok) return refused(result);
    const announced = await this.#waitUntil(
      () => this.#stateOf(group) === 'MASTER' && this.#holder.isHeld(group),
      timeoutMs,
    );
    const view = this.group(group);
    if (!announced || view === null) {
      return {
        ok: false,
        code: 'TAKEOVER_TIMEOUT',
        message: `${group} was not master with its VIPs announced within ${timeoutMs}ms (state ${view?.state ?? 'unknown'}); see the log`,
      };
    }
    return { ok: true, value: { group: view, durationMs: this.#scheduler.now() - startedAt } };
  }

  async release(group: string, timeoutMs: number): Promise<CommandOutcome<GroupView>> {
    const result = await this.#command({ command: 'release', group });
    if (!result.ok) return refused(result);
    const released = await this.#waitUntil(
      () => !this.#holder.isHeld(group) && !this.#holder.isLingering(group),
      timeoutMs,
    );
    const view = this.group(group);
    if (!released || view === null) {
      return {
        ok: false,
        code: 'TAKEOVER_TIMEOUT',
        message: `${group} still holds its VIPs after ${timeoutMs}ms: no other node took over yet`,
      };
    }
    return { ok: true, value: view };
  }

  async setMaintenance(
    enabled: boolean,
  ): Promise<CommandOutcome<{ readonly maintenance: boolean }>> {
    const result = await this.#command({ command: 'maintenance', enabled });
    if (!result.ok) return refused(result);
    return { ok: true, value: { maintenance: this.#election?.status().maintenance ?? enabled } };
  }

  /**
   * Graceful shutdown: advertise priority 0 so a backup takes over at once, keep the VIPs
   * until it has (at most down_multiplier x interval), then remove them.
   */
  async resign(): Promise<void> {
    this.#phase = 'stopping';
    await this.#command({ command: 'resign' });
    const limitMs = this.#config.cluster.downMultiplier * this.#config.cluster.heartbeatIntervalMs;
    await this.#waitUntil(
      () => this.#holder.lingeringGroups().length === 0 && this.#holder.heldGroups().length === 0,
      limitMs + RESIGN_GRACE_MS,
    );
    for (const group of this.#holder.lingeringGroups()) this.#holder.finishLinger(group);
    for (const group of this.#holder.heldGroups())
      this.#holder.withdraw(group.name, { linger: false });
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
    if (this.#timer !== undefined) this.#scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const timer of [...this.#lingerTimers.values(), ...this.#retryTimers.values()])
      this.#scheduler.clearTimeout(timer);
    this.#lingerTimers.clear();
    this.#retryTimers.clear();
    for (const waiter of this.#waiters) {
      this.#scheduler.clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.#waiters.clear();
    for (const listener of this.#meshListeners) listener.off();
    this.#meshListeners.length = 0;
    this.#election = null;
  }

  /**
   * SIGHUP: adopt a new configuration. Groups whose settings did not change keep their state;
   * held groups whose VIPs changed get the difference applied and are announced again.
   */
  reconfigure(config: VipdConfig): void {
    const election = this.#election;
    if (election === null) throw new Error('driver not started');
    this.#config = config;
    this.#indexGroups(config);
    this.#stepping = true;
    try {
      this.#apply(election.reconfigure(toElectionConfig(config), this.#scheduler.now()));
      // Events queued while applying (a failed VIP add raises a fault) go in now.
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift()) {
        this.#apply(election.step(next));
      }
    } finally {
      this.#stepping = false;
    }
    for (const spec of this.#groups.values()) this.#holder.update(spec);
    // Groups that disappeared while held or lingering lose their VIPs.
    for (const held of this.#holder.heldGroups()) {
      if (!this.#groups.has(held.name)) this.#holder.withdraw(held.name, { linger: false });
    }
    for (const name of this.#holder.lingeringGroups()) {
      if (!this.#groups.has(name)) this.#holder.finishLinger(name);
    }
    this.#checkWaiters();
  }

  #indexGroups(config: VipdConfig): void {
    this.#groups = new Map(config.groups.map((g) => [g.name, g]));
  }

  // ---- views ----

  electionStatus(): ElectionStatus | null {
    return this.#election?.status() ?? null;
  }

  #stateOf(group: string): string | undefined {
    return this.#election?.status().groups.find((g) => g.name === group)?.state;
  }

  #wallIso(monotonicMs: number | null): string | null {
    if (monotonicMs === null) return null;
    const wallNow = (this.#deps.wallClockMs ?? Date.now)();
    return new Date(wallNow - (this.#scheduler.now() - monotonicMs)).toISOString();
  }

  #groupView(status: GroupStatus): GroupView {
    const spec = this.#groups.get(status.name);
    return {
      name: status.name,
      state: status.state,
      priority: status.basePriority,
      effectivePriority: status.effectivePriority,
      epoch: status.epoch,
      master: status.master,
      forced: status.forced,
      interface: spec?.interface ?? '',
      addresses: spec?.vips.map(vipText) ?? [],
      announced: status.state === 'MASTER' && this.#holder.isHeld(status.name),
      lastTransitionAt: this.#wallIso(status.lastTransitionAtMs),
      track: this.#deps.trackers?.linksOf(status.name) ?? [],
    };
  }

  group(name: string): GroupView | null {
    const status = this.#election?.status().groups.find((g) => g.name === name);
    return status === undefined ? null : this.#groupView(status);
  }

  status(): StatusView {
    const election = this.#election?.status();
    const peers = this.#deps.mesh.peers();
    return {
      node: {
        id: this.#config.node.id,
        version: VIPD_VERSION,
        phase: this.#phase,
        maintenance: election?.maintenance ?? false,
        witness: this.#config.groups.length === 0,
        uptimeSeconds: Math.round((this.#scheduler.now() - this.#startedAtMs) / 10) / 100,
      },
      quorum: {
        enabled: election?.quorum.enabled ?? this.#config.cluster.quorum,
        hasQuorum: election?.quorum.hasQuorum ?? false,
        voters: election?.quorum.voters ?? this.#config.cluster.peers.length + 1,
        votersHeard: election?.quorum.votersHeard ?? 1,
      },
      peers: peers.map((peer) => ({
        id: peer.id,
        address: peer.address,
        up: peer.up,
        rttMs: peer.rttMs,
        lastHeartbeatAt:
          peer.lastHeartbeatAtMs === null ? null : new Date(peer.lastHeartbeatAtMs).toISOString(),
        groups: this.#lastHeardGroups.get(peer.id) ?? {},
      })),
      groups: (election?.groups ?? []).map((g) => this.#groupView(g)),
      trackers: (this.#deps.trackers?.states() ?? []).map((t) => ({
        name: t.name,
        type: t.type,
        up: t.reading.up,
        detail: t.reading.detail,
      })),
    };
  }
}

function refused(result: { ok: false; code: RefusalCode | undefined; message: string }): {
  ok: false;
  code: RefusalCode | 'INTERNAL';
  message: string;
} {
  return { ok: false, code: result.code ?? 'INTERNAL', message: result.message };
}
