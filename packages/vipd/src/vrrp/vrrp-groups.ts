// The VRRP side of the daemon: every group with `vrrp:` is one virtual router, decided by
// RFC 5798 adverts on its link instead of the mesh. Everything after the decision is the
// mesh groups' path: the same VipHolder adds and announces the VIPs, the same notify hooks,
// trackers, metrics and API. This class turns the routers' transitions into that, and the
// operator's commands into the priorities the routers advertise.

import type { Clock, TimerHandle } from '@vipd/clock';
import type { Logger } from 'pino';
import type { CommandOutcome, GroupView, TakeoverResult } from '../api/control.js';
import type { GroupSpec, VipdConfig, VrrpSpec } from '../config/types.js';
import { ADDRESS_RETRY_MS } from '../driver/vip-policy.js';
import { vipText, type VipHolder } from '../driver/vip-holder.js';
import { Waiters } from '../driver/waiters.js';
import type { LastTransitions } from '../events/last-transitions.js';
import type { EventSink } from '../events/types.js';
import type { NotifyRunner } from '../hooks/notify.js';
import type { VipdMetrics, VrrpGroupReading } from '../metrics/metrics.js';
import type { TrackEffect } from '../trackers/effect.js';
import type { TrackerEffectOnGroup } from '../trackers/tracker-set.js';
import { VrrpLinks } from './links.js';
import type { VrrpParts } from './parts.js';
import { RejectionLog } from './rejections.js';
import { vrrpGroupView, type GroupViewParts } from './views.js';
import { PRIORITY_STOP, VrrpGroup, type OperatorHold, type Transition } from './virtual-group.js';

export type VrrpGroupSpec = GroupSpec & { readonly vrrp: VrrpSpec };

export function isVrrpGroup(spec: GroupSpec): spec is VrrpGroupSpec {
  return spec.vrrp !== undefined;
}

/** A hand-over (release, maintenance, SIGTERM) keeps the VIPs until the new master speaks. */
const PLANNED_REASONS: ReadonlySet<string> = new Set(['resigned', 'shutdown']);

/** Beyond Master_Down_Interval, how long a resigning master waits for the backup's advert. */
export const VRRP_LINGER_GRACE_MS = 50;

export interface VrrpGroupsDeps {
  readonly clock: Clock;
  readonly parts: VrrpParts;
  readonly holder: Pick<
    VipHolder,
    'hold' | 'withdraw' | 'finishLinger' | 'isHeld' | 'isLingering' | 'quiet'
  >;
  readonly notify: Pick<NotifyRunner, 'notify'>;
  readonly metrics: VipdMetrics;
  readonly logger: Logger;
  readonly wallClockMs: () => number;
  /** Transitions go to the event history, and their reason to the Group view. */
  readonly events: EventSink;
  readonly lastTransitions: LastTransitions;
  /** The actor of an operator command in progress for the group (or node-wide), if any. */
  readonly pendingActor: (group: string) => string | undefined;
  readonly trackLinks: (group: string) => GroupView['track'];
  /** A router threw (a bug): the daemon should stop deciding and exit. */
  readonly onFatal: (error: Error) => void;
  /** The VIPs or a state changed: waiting commands elsewhere may look again. */
  readonly settled: () => void;
}

export class VrrpGroups {
  readonly #deps: VrrpGroupsDeps;
  readonly #log: Logger;
  readonly #rejections: RejectionLog;
  readonly #links: VrrpLinks;
  readonly #waiters: Waiters;
  readonly #groups = new Map<string, VrrpGroup>();
  /** Tracker effects by group, kept from before the routers exist (first readings). */
  readonly #trackers = new Map<string, Map<string, TrackEffect>>();
  readonly #timers = new Map<string, TimerHandle>();
  #specs = new Map<string, VrrpGroupSpec>();
  #maintenance = false;
  #stopping = false;

  constructor(deps: VrrpGroupsDeps, config: VipdConfig) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'vrrp' });
    this.#rejections = new RejectionLog({
      metrics: deps.metrics,
      log: this.#log,
      now: () => deps.clock.now(),
    });
    this.#links = new VrrpLinks({
      parts: deps.parts,
      rejections: this.#rejections,
      log: this.#log,
    });
    this.#waiters = new Waiters(deps.clock);
    this.#index(config);
  }

  has(group: string): boolean {
    return this.#specs.has(group);
  }

  get size(): number {
    return this.#specs.size;
  }

  maintenance(): boolean {
    return this.#maintenance;
  }

  /** Opens the links and starts every router; `maintenance`: drained from the start. */
  async start(options: { readonly maintenance?: boolean } = {}): Promise<void> {
    this.#maintenance = options.maintenance === true;
    for (const spec of this.#specs.values()) {
      const place = { interfaceName: spec.interface, vrrp: spec.vrrp };
      const socket = await this.#links.open(place);
      if (this.#stopping) return;
      const group = new VrrpGroup({
        clock: this.#deps.clock,
        spec,
        socket,
        parts: this.#deps.parts,
        trackers: this.#trackers.get(spec.name) ?? new Map(),
        onTransition: (g, transition) => {
          this.#onTransition(g, transition);
        },
        onSent: (g) => {
          this.#deps.metrics.vrrpAdvertsSent.inc({ group: g.name });
        },
        onPriorityFell: (g) => {
          // Release or a tracker lowered us: a backup may preempt at our next advert. The
          // rest of our takeover's bursts (the second one after announce.delay) could land
          // after the new master's and point the LAN back here for an advert interval, until
          // the new master answers the conflict; conflicts are still answered while we hold
          // the group. (quiet does nothing for a group not held.)
          this.#deps.holder.quiet(g.name);
        },
        onSendError: (g, error) => {
          this.#log.warn(
            { group: g.name, err: error },
            `${g.name}: sending a VRRP advert failed: ${error.message}`,
          );
        },
        onFatal: (g, error) => {
          this.#log.fatal({ group: g.name, err: error }, `${g.name}: VRRP router failed`);
          this.#deps.onFatal(error);
        },
      });
      this.#groups.set(spec.name, group);
      this.#links.join(place, {
        group: spec.name,
        vrid: spec.vrrp.vrid,
        addresses: () => group.spec.vips.map((vip) => vip.address),
        onAdvert: (advert, source) => {
          this.#advert(group, source, advert.priority, advert.maxAdvertIntervalCs);
        },
      });
    }
    for (const group of this.#groups.values()) group.start(this.#holdFor(group));
    this.#syncFaults();
  }

  trackerReport(report: TrackerEffectOnGroup): void {
    let effects = this.#trackers.get(report.group);
    if (effects === undefined) {
      effects = new Map();
      this.#trackers.set(report.group, effects);
    }
    const effect = { weightDelta: report.weightDelta, fault: report.fault };
    effects.set(report.trackerId, effect);
    this.#groups.get(report.group)?.trackerReport(report.trackerId, effect);
    this.#syncFaults();
  }

  // ---- operator commands ----

  async takeover(name: string, timeoutMs: number): Promise<CommandOutcome<TakeoverResult>> {
    const group = this.#groups.get(name);
    const refusal = this.#refusal(group, name);
    if (refusal !== null) return refusal;
    const startedAt = this.#deps.clock.now();
    group?.setHold('takeover');
    const done = await this.#waiters.waitUntil(() => this.#mastered(name), timeoutMs);
    const view = this.group(name);
    if (!done || view === null) {
      return {
        ok: false,
        code: 'TAKEOVER_TIMEOUT',
        message: `${name} was not master with its VIPs announced within ${timeoutMs}ms (state ${view?.state ?? 'unknown'}); it goes on advertising priority 254 until release`,
      };
    }
    return { ok: true, value: { group: view, durationMs: this.#deps.clock.now() - startedAt } };
  }

  /** Back to the configured priority (and tracker weights); a hand-over is the router's call. */
  release(name: string): Promise<CommandOutcome<GroupView>> {
    const group = this.#groups.get(name);
    if (group === undefined) return Promise.resolve(unknownGroup(name));
    if (group.hold === 'takeover') group.setHold(this.#maintenance ? 'maintenance' : 'none');
    const view = this.group(name);
    return Promise.resolve(view === null ? unknownGroup(name) : { ok: true, value: view });
  }

  /** Maintenance advertises priority 0: a master hands over at once, a backup never claims. */
  setMaintenance(enabled: boolean): void {
    this.#maintenance = enabled;
    for (const group of this.#groups.values()) group.setHold(this.#holdFor(group));
  }

  /**
   * SIGTERM: every master sends priority 0 and keeps its VIPs until the backup's advert shows
   * (at most Master_Down_Interval), then they go.
   */
  async resign(): Promise<void> {
    this.#stopping = true;
    let limitMs = 0;
    for (const group of this.#groups.values()) {
      limitMs = Math.max(limitMs, group.status().masterDownIntervalMs);
      group.shutdown();
    }
    const { holder } = this.#deps;
    await this.#waiters.waitUntil(
      () => [...this.#specs.keys()].every((n) => !holder.isHeld(n) && !holder.isLingering(n)),
      limitMs + VRRP_LINGER_GRACE_MS,
    );
    for (const name of this.#specs.keys()) {
      holder.finishLinger(name);
      holder.withdraw(name, { linger: false });
    }
  }

  /** No router decides any more; sockets closed. VIPs are the holder's to remove. */
  stop(): void {
    this.#stopping = true;
    for (const group of this.#groups.values()) group.stop();
    for (const timer of this.#timers.values()) this.#deps.clock.clearTimeout(timer);
    this.#timers.clear();
    this.#waiters.cancelAll();
    this.#links.close();
    this.#rejections.flush();
  }

  /**
   * SIGHUP: priorities, trackers, VIPs, hooks and announce settings of running groups change
   * in place (no failover). reload-plan.ts refuses what a running router cannot change.
   */
  reconfigure(config: VipdConfig): void {
    this.#index(config);
    for (const [name, group] of this.#groups) {
      const spec = this.#specs.get(name);
      if (spec !== undefined) group.reconfigure(spec);
    }
    this.#syncFaults();
  }

  // ---- views ----

  group(name: string): GroupView | null {
    const group = this.#groups.get(name);
    return group === undefined ? null : vrrpGroupView(group, this.#viewParts());
  }

  views(): GroupView[] {
    const parts = this.#viewParts();
    return [...this.#groups.values()].map((group) => vrrpGroupView(group, parts));
  }

  readings(): VrrpGroupReading[] {
    return this.views().map((view) => ({
      name: view.name,
      state: view.state,
      basePriority: view.priority,
      effectivePriority: view.effectivePriority,
      masterAddress: view.vrrp?.masterAddress ?? null,
      forced: view.forced,
    }));
  }

  // ---- inside ----

  #index(config: VipdConfig): void {
    this.#specs = new Map(config.groups.filter(isVrrpGroup).map((g) => [g.name, g]));
  }

  #holdFor(group: VrrpGroup): OperatorHold {
    if (this.#maintenance) return 'maintenance';
    return group.hold === 'takeover' ? 'takeover' : 'none';
  }

  #viewParts(): GroupViewParts {
    return {
      clock: this.#deps.clock,
      wallClockMs: this.#deps.wallClockMs,
      isHeld: (name) => this.#deps.holder.isHeld(name),
      trackLinks: this.#deps.trackLinks,
      maintenance: this.#maintenance,
      lastTransitions: this.#deps.lastTransitions,
    };
  }

  #mastered(name: string): boolean {
    return this.#groups.get(name)?.status().state === 'MASTER' && this.#deps.holder.isHeld(name);
  }

  #refusal(group: VrrpGroup | undefined, name: string): CommandOutcome<TakeoverResult> | null {
    if (group === undefined) return unknownGroup(name);
    if (this.#stopping)
      return { ok: false, code: 'NODE_RESIGNED', message: 'this node is shutting down' };
    if (this.#maintenance)
      return {
        ok: false,
        code: 'NODE_IN_MAINTENANCE',
        message: `this node is in maintenance; ${name} advertises priority 0`,
      };
    if (group.faulted())
      return { ok: false, code: 'GROUP_IN_FAULT', message: `${name} is in FAULT on this node` };
    return null;
  }

  #advert(group: VrrpGroup, source: string, priority: number, intervalCs: number): void {
    this.#deps.metrics.vrrpAdvertsReceived.inc({ group: group.name });
    group.advert(source, priority, intervalCs);
    // A planned hand-over ends when the new master speaks for the group.
    const { holder } = this.#deps;
    if (priority !== PRIORITY_STOP && holder.isLingering(group.name)) {
      holder.finishLinger(group.name);
      this.#log.info(
        { group: group.name, master: source },
        `${group.name}: ${source} took over; VIPs removed`,
      );
      this.#settled();
    }
  }

  #onTransition(group: VrrpGroup, transition: Transition): void {
    const { from, to, reason } = transition;
    const spec = group.spec;
    const note = this.#moveVips(group, transition);
    if (reason === 'master-down' || reason === 'priority-zero')
      this.#deps.metrics.vrrpMasterDownExpiries.inc({ group: group.name });
    this.#deps.metrics.recordTransition(group.name, from, to, reason);
    const status = group.status();
    const detail =
      `VRRP vrid ${spec.vrrp.vrid} on ${spec.interface}, ` +
      `priority ${status.priority}, master ${status.masterAddress ?? 'unknown'}`;
    this.#log.info(
      {
        group: group.name,
        from,
        to,
        reason,
        vrid: spec.vrrp.vrid,
        priority: status.priority,
        master: status.masterAddress,
      },
      `${group.name}: ${from} -> ${to} (${reason}): ${detail}${note}`,
    );
    this.#deps.lastTransitions.note(group.name, { reason, detail });
    const actor = this.#deps.pendingActor(group.name);
    this.#deps.events.record({
      kind: 'transition',
      group: group.name,
      from,
      to,
      reason,
      detail,
      epoch: 0,
      ...(actor === undefined ? {} : { actor }),
    });
    // No epochs on the wire: VIPD_EPOCH is 0 for VRRP groups.
    this.#deps.notify.notify(spec.notify, {
      group: group.name,
      from,
      to,
      epoch: 0,
      reason,
      interface: spec.interface,
      addresses: spec.vips.map(vipText),
      // The virtual router knows its master by address only (its own, when master).
      master: status.masterAddress,
      priority: status.priority,
    });
    this.#settled();
  }

  /** The VIP half of a transition (the fast path: before the log line and the hooks). */
  #moveVips(group: VrrpGroup, transition: Transition): string {
    const { holder } = this.#deps;
    if (transition.to === 'MASTER') {
      const crashed = transition.reason === 'master-down';
      const result = holder.hold(group.spec, { announceFirst: crashed });
      if (result.ok) return `; VIPs up and announced in ${result.durationMs.toFixed(3)}ms`;
      this.#holdFailed(group, result.error, result.vip);
      return '';
    }
    if (transition.from === 'MASTER') {
      const planned = PLANNED_REASONS.has(transition.reason);
      holder.withdraw(group.name, { linger: planned });
      if (planned) this.#startLinger(group);
    }
    return '';
  }

  /** Keep a planned hand-over's VIPs until the new master's advert, at most Master_Down. */
  #startLinger(group: VrrpGroup): void {
    const limitMs = group.status().masterDownIntervalMs + VRRP_LINGER_GRACE_MS;
    this.#setTimer(`linger:${group.name}`, limitMs, () => {
      if (!this.#deps.holder.isLingering(group.name)) return;
      this.#log.info(
        { group: group.name },
        `${group.name}: no new master heard within ${limitMs}ms; removing the VIPs`,
      );
      this.#deps.holder.finishLinger(group.name);
      this.#settled();
    });
  }

  /** VIPs could not be added: FAULT the group (priority 0 goes out), retry after a while. */
  #holdFailed(group: VrrpGroup, error: Error, vip: string | undefined): void {
    this.#log.error(
      { group: group.name, vip, code: (error as { code?: unknown }).code, err: error },
      `${group.name}: cannot take the VIPs${vip === undefined ? '' : ` (${vip})`}: ${error.message}; FAULT, retrying in ${ADDRESS_RETRY_MS}ms`,
    );
    this.#deps.holder.withdraw(group.name, { linger: false });
    group.setVipFault(true);
    this.#syncFaults();
    this.#setTimer(`retry:${group.name}`, ADDRESS_RETRY_MS, () => {
      group.setVipFault(false);
      this.#syncFaults();
    });
  }

  /** keepalived's vrrp_sync_group: a fault of one member faults every member. */
  #syncFaults(): void {
    const faultedSyncs = new Set<string>();
    for (const group of this.#groups.values()) {
      const sync = group.spec.syncGroup;
      if (sync !== undefined && group.ownFault()) faultedSyncs.add(sync);
    }
    for (const group of this.#groups.values()) {
      const sync = group.spec.syncGroup;
      group.setPartnerFault(sync !== undefined && faultedSyncs.has(sync));
    }
  }

  #setTimer(key: string, delayMs: number, fire: () => void): void {
    const { clock } = this.#deps;
    const existing = this.#timers.get(key);
    if (existing !== undefined) clock.clearTimeout(existing);
    this.#timers.set(
      key,
      clock.setTimeout(() => {
        this.#timers.delete(key);
        fire();
      }, delayMs),
    );
  }

  #settled(): void {
    this.#waiters.check();
    this.#deps.settled();
  }
}

function unknownGroup(name: string): { ok: false; code: 'UNKNOWN_GROUP'; message: string } {
  return { ok: false, code: 'UNKNOWN_GROUP', message: `no group "${name}" on this node` };
}
