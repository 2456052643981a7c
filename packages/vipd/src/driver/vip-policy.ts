// What the driver does with VIPs around the election's decisions: take them on becoming
// master (FAULT and retry when that fails), keep them through a planned hand-over until the
// new master shows (linger), announce again when a master reclaims its group or the MAC
// changes, and defend them against a conflicting claim. The election decides who is master;
// this decides what that means on the LAN.

import type { ConflictEvent, MacChangeEvent } from '@vipd/arp';
import type { Clock, TimerHandle } from '@vipd/clock';
import type { Election, ElectionAction, ElectionEvent } from '@vipd/election';
import type { Logger } from 'pino';
import type { GroupSpec, VipdConfig } from '../config/types.js';
import type { EventSink } from '../events/types.js';
import type { VipdMetrics } from '../metrics/metrics.js';
import { ConflictDefence } from './conflict-defence.js';
import type { VipHolder } from './vip-holder.js';

/** How long after a failed VIP add the group may try again (it sits in FAULT meanwhile). */
export const ADDRESS_RETRY_MS = 5000;
/**
 * How long the old master of a routed group keeps its route and VIP after it saw the new
 * master take over: the new master's route needs a BGP update to reach the router (a few ms
 * with BFD-speed sessions), and packets already routed here must still find the VIP. The
 * newer route has the lower MED, so the router has moved long before this runs out.
 */
export const ROUTED_HANDOVER_GRACE_MS = 1000;
/** Tracker id of the synthetic fault raised when VIPs cannot be added or announced. */
export const VIP_FAULT_TRACKER = 'vip-add';

export interface VipPolicyDeps {
  readonly clock: Clock;
  readonly holder: VipHolder;
  readonly metrics: VipdMetrics;
  /** The driver's logger: these lines are the driver's. */
  readonly log: Logger;
  /** Address conflicts go to the event history. */
  readonly events: EventSink;
  readonly config: () => VipdConfig;
  readonly groups: () => ReadonlyMap<string, GroupSpec>;
  readonly election: () => Election | null;
  /** Queues an event for the step in progress (called while the driver is stepping). */
  readonly enqueue: (event: ElectionEvent) => void;
  /** Hands an event to the driver loop (from a timer, outside any step). */
  readonly submit: (event: ElectionEvent) => void;
  /** The VIPs changed outside a step: let waiting commands look again. */
  readonly settled: () => void;
  /** Peers reported down and not heard since that run the group (as last heard). */
  readonly lostPeersOf: (group: string) => readonly string[];
}

/** The groups a peer's heartbeat advertises, as far as announcing is concerned. */
export type AdvertisedGroups = Readonly<
  Record<string, { readonly state: string; readonly priority: number }>
>;

/**
 * Whether a peer's heartbeat says it runs the group, so that it could have taken it over: it
 * advertises the group with a priority. Every node relays the groups it does not hold at
 * priority 0 (a witness relays all of them), and a node at priority 0 (drained, resigning)
 * takes nothing over either.
 */
export function runsGroup(groups: AdvertisedGroups, name: string): boolean {
  return (groups[name]?.priority ?? 0) > 0;
}

export class VipPolicy {
  readonly #deps: VipPolicyDeps;
  readonly #log: Logger;
  readonly #lingerTimers = new Map<string, TimerHandle>();
  /** Routed groups whose new master is seen, waiting out ROUTED_HANDOVER_GRACE_MS. */
  readonly #graceTimers = new Map<string, TimerHandle>();
  readonly #retryTimers = new Map<string, TimerHandle>();
  readonly #defence: ConflictDefence;
  /** Epoch at which each held group was taken or last reclaimed. */
  readonly #heldEpochs = new Map<string, number>();
  /** The advertised state #checkReclaims last looked at. */
  #reclaimCheckedState: unknown = null;

  constructor(deps: VipPolicyDeps) {
    this.#deps = deps;
    this.#log = deps.log;
    this.#defence = new ConflictDefence(deps);
  }

  /**
   * The VIP half of a transition, done before anything else (the fast path): returns a note
   * for the transition's log line.
   */
  onTransition(action: Extract<ElectionAction, { type: 'transition' }>, group: GroupSpec): string {
    const holder = this.#deps.holder;
    if (action.to === 'MASTER') {
      // After a crash the old master drops the traffic anyway: announce before adding.
      const crashed = action.reason === 'master-down' || action.reason === 'peer-connection-closed';
      const result = holder.hold(group, { announceFirst: crashed });
      if (!result.ok) {
        this.#holdFailed(group, result.error, result.vip);
        return '';
      }
      this.#heldEpochs.set(group.name, action.epoch);
      if (result.foreign.length > 0) {
        this.#log.warn(
          { group: group.name, vips: result.foreign },
          `${result.foreign.join(', ')} already configured by someone else; announcing, never removing`,
        );
      }
      return `; VIPs up and announced in ${result.durationMs.toFixed(3)}ms`;
    }
    if (action.from === 'MASTER') {
      // A hand-over the operator asked for: the VIPs stay until the new master answers for
      // them (or down_multiplier x interval), so clients see no gap.
      const planned =
        action.reason === 'resign' ||
        action.reason === 'released' ||
        action.reason === 'maintenance-on';
      this.#heldEpochs.delete(group.name);
      holder.withdraw(group.name, { linger: planned });
      if (planned) this.#startLinger(group.name);
    }
    return '';
  }

  /** After every step: end lingering once a new master shows, re-announce reclaimed groups. */
  afterStep(): void {
    this.#checkLingering();
    this.#checkReclaims();
  }

  /** Another MAC claimed one of our VIPs: conflict-defence.ts decides whether to answer. */
  conflict(event: ConflictEvent): void {
    this.#defence.claim(event);
  }

  /**
   * A peer that runs some of the groups we hold was declared lost. If it was a partition
   * rather than a crash, the peer has taken those groups over on its side and announced them
   * (a cut between us, or our own switch port gone silent), and it may die before it is heard
   * again, so its return (peerReturned) cannot be counted on to bring the LAN back. Announce
   * those groups again now, on the full schedule: the first burst reaches the hosts still on
   * our side, the second burst, `announce.delay` later (5 s by default), the hosts behind a
   * path that healed meanwhile. A silence longer than that, whose taker then died, is left to
   * the hosts' own ARP / ND expiry or to `announce.refresh`.
   */
  peerLost(peer: string, groups: AdvertisedGroups): void {
    const theirs = this.#deps.holder.heldGroups().filter((group) => runsGroup(groups, group.name));
    if (theirs.length === 0) return;
    this.#log.info(
      { peer, groups: theirs.map((g) => g.name) },
      `peer ${peer} is lost and may have taken over on its side; announcing the VIPs held here again`,
    );
    for (const group of theirs) this.#deps.holder.reannounce(group.name);
  }

  /**
   * A peer we had lost is heard again, and this is its first heartbeat. While we could not
   * hear each other it may have taken a group over and announced it (a cut that hid us, or a
   * peer that then died in the middle of its takeover and restarted), so the LAN's caches may
   * point at it: announce again the groups we hold that it runs but does not claim, as
   * keepalived's garp_master_refresh would, but only when it matters. A group it still claims
   * is settled by the election (we step down, or reclaim with a new epoch and announce then);
   * a peer without the group (a witness) could not have taken it.
   */
  peerReturned(peer: string, groups: AdvertisedGroups): void {
    const quiet = this.#deps.holder
      .heldGroups()
      .filter((group) => runsGroup(groups, group.name) && groups[group.name]?.state !== 'MASTER');
    if (quiet.length === 0) return;
    this.#log.info(
      { peer, groups: quiet.map((g) => g.name) },
      `peer ${peer} is back and claims none of them; announcing the VIPs held here again`,
    );
    for (const group of quiet) this.#deps.holder.reannounce(group.name);
  }

  /** An interface's MAC changed: hosts must learn the new one at once. */
  macChanged(event: MacChangeEvent): void {
    const holder = this.#deps.holder;
    this.#deps.metrics.macChanges.inc({ interface: event.interface });
    const affected = holder
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
    for (const group of affected) holder.reannounce(group.name);
  }

  /**
   * A reload took effect: held groups get their new VIP list; groups that disappeared while
   * held or lingering lose their VIPs.
   */
  reconfigured(): void {
    const holder = this.#deps.holder;
    const groups = this.#deps.groups();
    for (const spec of groups.values()) holder.update(spec);
    for (const held of holder.heldGroups()) {
      if (!groups.has(held.name)) holder.withdraw(held.name, { linger: false });
    }
    for (const name of holder.lingeringGroups()) {
      if (!groups.has(name)) holder.finishLinger(name);
    }
  }

  /** The driver stopped: no retry or linger timer may fire any more. */
  stop(): void {
    this.#defence.stop();
    for (const timer of [
      ...this.#lingerTimers.values(),
      ...this.#retryTimers.values(),
      ...this.#graceTimers.values(),
    ])
      this.#deps.clock.clearTimeout(timer);
    this.#lingerTimers.clear();
    this.#graceTimers.clear();
    this.#retryTimers.clear();
  }

  /** VIPs could not be added or announced: FAULT the group, retry after a while. */
  #holdFailed(group: GroupSpec, error: Error, vip: string | undefined): void {
    const { clock } = this.#deps;
    const code = (error as { code?: unknown }).code;
    this.#log.error(
      { group: group.name, vip, code, err: error },
      `${group.name}: cannot take the VIPs${vip === undefined ? '' : ` (${vip})`}: ${error.message}; FAULT, retrying in ${ADDRESS_RETRY_MS}ms`,
    );
    this.#deps.holder.withdraw(group.name, { linger: false });
    this.#deps.enqueue({
      type: 'tracker',
      nowMs: clock.now(),
      trackerId: VIP_FAULT_TRACKER,
      group: group.name,
      weightDelta: 0,
      fault: true,
    });
    const existing = this.#retryTimers.get(group.name);
    if (existing !== undefined) clock.clearTimeout(existing);
    this.#retryTimers.set(
      group.name,
      clock.setTimeout(() => {
        this.#retryTimers.delete(group.name);
        this.#deps.submit({
          type: 'tracker',
          nowMs: clock.now(),
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
    const { clock, holder } = this.#deps;
    const { cluster } = this.#deps.config();
    const limitMs = cluster.downMultiplier * cluster.heartbeatIntervalMs;
    const existing = this.#lingerTimers.get(group);
    if (existing !== undefined) clock.clearTimeout(existing);
    this.#lingerTimers.set(
      group,
      clock.setTimeout(() => {
        this.#lingerTimers.delete(group);
        if (!holder.isLingering(group)) return;
        this.#log.info(
          { group },
          `${group}: no new master seen within ${limitMs}ms; removing the VIPs`,
        );
        holder.finishLinger(group);
        this.#deps.settled();
      }, limitMs),
    );
  }

  #checkLingering(): void {
    const election = this.#deps.election();
    if (election === null) return;
    const holder = this.#deps.holder;
    const nodeId = this.#deps.config().node.id;
    for (const group of holder.lingeringGroups()) {
      // A VRRP group's hand-over ends on its new master's advert (vrrp/vrrp-groups.ts); the
      // election, which never knew the group, must not end it.
      if (this.#deps.groups().get(group)?.vrrp !== undefined) continue;
      const status = election.status().groups.find((g) => g.name === group);
      const master = status?.master ?? null;
      if (status === undefined || (master !== null && master !== nodeId)) {
        const timer = this.#lingerTimers.get(group);
        if (timer !== undefined) this.#deps.clock.clearTimeout(timer);
        this.#lingerTimers.delete(group);
        if (this.#deps.groups().get(group)?.routed !== undefined && master !== null) {
          this.#finishAfterGrace(group, master);
          continue;
        }
        holder.finishLinger(group);
        if (master !== null)
          this.#log.info({ group, master }, `${group}: ${master} took over; VIPs removed`);
      }
    }
  }

  /** Make-before-break for a routed group: route and VIP go ROUTED_HANDOVER_GRACE_MS later. */
  #finishAfterGrace(group: string, master: string): void {
    if (this.#graceTimers.has(group)) return;
    const { clock, holder } = this.#deps;
    this.#graceTimers.set(
      group,
      clock.setTimeout(() => {
        this.#graceTimers.delete(group);
        if (!holder.isLingering(group)) return; // master again meanwhile: nothing to drop
        holder.finishLinger(group);
        this.#log.info(
          { group, master },
          `${group}: ${master} took over; route and VIPs removed after ${ROUTED_HANDOVER_GRACE_MS}ms`,
        );
        this.#deps.settled();
      }, ROUTED_HANDOVER_GRACE_MS),
    );
  }

  /**
   * A master that meets a rival master it outranks reclaims the group with a new epoch and
   * stays MASTER: no transition, but the LAN may have followed the rival's announcements,
   * so announce again. Runs after every step (every heartbeat), so it reads the advertised
   * state, which the election keeps as the same object until something in it changes,
   * rather than building a full status() each time.
   */
  #checkReclaims(): void {
    const election = this.#deps.election();
    if (election === null) return;
    const state = election.localState();
    if (state === this.#reclaimCheckedState) return;
    this.#reclaimCheckedState = state;
    for (const [name, heldAt] of this.#heldEpochs) {
      const advert = state[name];
      if (advert === undefined || advert.state !== 'MASTER' || advert.epoch <= heldAt) continue;
      this.#heldEpochs.set(name, advert.epoch);
      this.#deps.holder.reannounce(name);
      this.#log.info(
        { group: name, epoch: advert.epoch, previousEpoch: heldAt },
        `${name}: reclaimed at epoch ${advert.epoch} (was ${heldAt}); announcing again`,
      );
    }
  }
}
