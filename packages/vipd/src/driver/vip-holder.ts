// Which groups' VIPs this node holds, lingers on or placed, and the watches that go with
// them. Taking over is the hot path: @vipd/arp's takeOver() (netlink adds, synchronous, tens
// of microseconds, and the first gratuitous ARP / NA round) runs before anything else is done
// (logging, metrics, hooks come after); this class keeps the books around it.

import {
  giveUp,
  removeVips,
  takeOver,
  type AddOutcome,
  type ConflictWatch,
  type FrameAnnouncer,
  type MacWatch,
  type RemoveOutcome,
  type Vip,
  type VipAddresses,
  type VipResult,
} from '@vipd/arp';
import type { Logger } from 'pino';
import type { GroupSpec } from '../config/types.js';
import type { VipdMetrics } from '../metrics/metrics.js';
import type { RouteAnnouncer } from './route-announcer.js';

/** The address half of @vipd/arp's NetlinkAddressManager that the driver uses. */
export interface AddressPort extends VipAddresses {
  listManagedNow(): Vip[];
}

export type AnnouncerPort = Pick<FrameAnnouncer, 'announce' | 'stop'>;
/** Gratuitous ARP / NA: an AnnouncerPort that can also drop its pending bursts. */
export type FrameAnnouncerPort = Pick<FrameAnnouncer, 'announce' | 'stop' | 'quiet'>;
/** How routed groups are announced: a route per VIP instead of gratuitous ARP. */
export type RouteAnnouncerPort = Pick<RouteAnnouncer, 'announce' | 'stop' | 'groups'>;

export interface VipHolderDeps {
  readonly addresses: AddressPort;
  readonly announcer: FrameAnnouncerPort;
  /** Required once a routed group is held. */
  readonly routes?: RouteAnnouncerPort;
  readonly conflictWatch?: Pick<ConflictWatch, 'watch' | 'unwatch'>;
  readonly macWatch?: Pick<MacWatch, 'watch' | 'unwatch'>;
  readonly metrics: VipdMetrics;
  readonly logger: Logger;
}

export type HoldResult =
  | { readonly ok: true; readonly durationMs: number; readonly foreign: readonly string[] }
  | { readonly ok: false; readonly error: Error; readonly vip?: string };

/** What dropAll() took off, and what it had no time left for. */
export interface DropResult {
  readonly removed: readonly string[];
  readonly left: readonly string[];
}

export function vipText(vip: Vip): string {
  return `${vip.address}/${vip.prefixLength}`;
}

export class VipHolder {
  readonly #deps: VipHolderDeps;
  readonly #log: Logger;
  /** Groups whose VIPs are on the interface and announced. */
  readonly #held = new Map<string, GroupSpec>();
  /** Groups that left MASTER but keep their VIPs until the new master has announced. */
  readonly #lingering = new Map<string, GroupSpec>();
  /** Interfaces watched for MAC changes, with how many held groups use each. */
  readonly #macWatched = new Map<string, number>();
  /**
   * Every VIP this holder put on an interface (or found there with vipd's mark) and has not
   * taken off yet, by vipKey: what a dying node must remove, whatever state its groups are in.
   */
  readonly #placed = new Map<string, { readonly group: string; readonly vip: Vip }>();
  /** How often each group was announced (held or announced again): a claim older than the
   * last announcement was answered by it. */
  readonly #announcements = new Map<string, number>();

  constructor(deps: VipHolderDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'vips' });
  }

  isHeld(group: string): boolean {
    return this.#held.has(group);
  }

  isLingering(group: string): boolean {
    return this.#lingering.has(group);
  }

  heldGroups(): GroupSpec[] {
    return [...this.#held.values()];
  }

  lingeringGroups(): string[] {
    return [...this.#lingering.keys()];
  }

  /** Takeovers and re-announcements of a group so far (a defence is not one). */
  announcements(group: string): number {
    return this.#announcements.get(group) ?? 0;
  }

  /**
   * Add every VIP, then send the first announcement round at once. With `announceFirst`
   * (crash failover: the old master is gone and drops the traffic anyway) the first round
   * goes out before the adds, so it never waits on the kernel's rtnl lock. A planned
   * hand-over adds first: no host is pointed here before this node accepts its traffic.
   */
  hold(group: GroupSpec, options: { announceFirst?: boolean } = {}): HoldResult {
    const startedAt = performance.now();
    this.#lingering.delete(group.name);
    const result = takeOver(this.#parts(group), group.name, group.vips, {
      announceFirst: options.announceFirst === true,
      schedule: group.announce,
    });
    for (const { vip, outcome } of result.added) this.#noteAdded(group.name, vip, outcome);
    if (!result.ok) {
      if (result.failedVip !== undefined)
        this.#deps.metrics.addressFailures.inc({ group: group.name, operation: 'add' });
      for (const removal of result.rolledBack) this.#noteRemoved(group.name, removal);
      return result.failedVip === undefined
        ? { ok: false, error: result.error }
        : { ok: false, error: result.error, vip: vipText(result.failedVip) };
    }
    const foreign = result.added
      .filter(({ outcome }) => outcome === 'present-unmanaged')
      .map(({ vip }) => vipText(vip));
    const durationMs = performance.now() - startedAt;
    this.#deps.metrics.takeoverDuration.observe({ group: group.name }, durationMs / 1000);
    this.#held.set(group.name, group);
    this.#counted(group.name);
    this.#watch(group);
    return { ok: true, durationMs, foreign };
  }

  /** Announce again (a conflict was seen, the MAC changed, or the VIP list changed). */
  reannounce(group: string): void {
    const spec = this.#held.get(group);
    if (spec === undefined) return;
    this.#counted(group);
    try {
      this.#announcerFor(spec).announce(spec.name, spec.vips, spec.announce);
    } catch (error) {
      this.#log.error({ group, err: asError(error) }, `re-announcing ${group} failed`);
    }
  }

  /** One announcement of a held group's VIPs (answering a conflicting claim). */
  defend(group: string): void {
    const spec = this.#held.get(group);
    if (spec === undefined) return;
    try {
      this.#deps.announcer.announce(spec.name, spec.vips, {
        ...spec.announce,
        repeat: 1,
        secondBurstDelayMs: 0,
      });
    } catch (error) {
      this.#log.error({ group, err: asError(error) }, `defending ${group} failed`);
    }
  }

  /**
   * Keep the VIPs but send none of the group's bursts still to come (the second burst);
   * `announce.refresh` rounds go on. A master that may be replaced any moment calls it: a
   * burst of its own that lands after the new master's would point the LAN back at a node
   * that is leaving. Routes are not announced in bursts, so a routed group keeps them.
   */
  quiet(group: string): void {
    const spec = this.#held.get(group);
    if (spec === undefined || spec.routed !== undefined) return;
    this.#deps.announcer.quiet(group);
  }

  /**
   * Stop announcing and remove the VIPs. With `linger`, the VIPs stay until finishLinger():
   * a planned hand-over (release, shutdown) keeps answering until the new master announced.
   */
  withdraw(group: string, options: { linger: boolean }): void {
    const spec = this.#held.get(group) ?? this.#lingering.get(group);
    if (spec === undefined) return;
    this.#held.delete(group);
    if (options.linger) {
      // A routed group keeps its route too (make-before-break): the newer master's route
      // has the lower metric, so the router moves as soon as it hears it, and no packet
      // meets a router without a path meanwhile.
      if (spec.routed === undefined) this.#deps.announcer.stop(group);
      this.#unwatch(spec);
      this.#lingering.set(group, spec);
      return;
    }
    const removals = giveUp(this.#parts(spec), group, spec.vips);
    this.#unwatch(spec);
    for (const removal of removals) this.#noteRemoved(group, removal);
  }

  /** Remove the VIPs of a group that was lingering (the new master took over, or time is up). */
  finishLinger(group: string): void {
    const spec = this.#lingering.get(group);
    if (spec === undefined) return;
    this.#lingering.delete(group);
    if (spec.routed !== undefined) this.#announcerFor(spec).stop(group);
    this.#remove(spec);
  }

  /**
   * A reload changed a held group's VIPs or schedule: drop removed VIPs, add new ones, and
   * announce again if the set changed.
   */
  update(spec: GroupSpec): void {
    const before = this.#held.get(spec.name);
    if (before === undefined) {
      const lingering = this.#lingering.get(spec.name);
      if (lingering !== undefined) this.#lingering.set(spec.name, spec);
      return;
    }
    const keep = new Set(spec.vips.map(vipKey));
    const dropped = before.vips.filter((vip) => !keep.has(vipKey(vip)));
    const had = new Set(before.vips.map(vipKey));
    const added = spec.vips.filter((vip) => !had.has(vipKey(vip)));
    this.#unwatch(before);
    this.#held.set(spec.name, spec);
    this.#watch(spec);
    for (const vip of dropped) this.#removeOne(spec.name, vip);
    for (const vip of added) {
      try {
        this.#noteAdded(spec.name, vip, this.#deps.addresses.addNow(vip));
      } catch (error) {
        this.#deps.metrics.addressFailures.inc({ group: spec.name, operation: 'add' });
        this.#log.error(
          { group: spec.name, vip: vipText(vip), err: asError(error) },
          `adding ${vipText(vip)} failed`,
        );
      }
    }
    if (added.length > 0 || dropped.length > 0) this.reannounce(spec.name);
  }

  /**
   * The process is dying: stop announcing and take every VIP this node placed off its
   * interface now, without a hand-over (a dead node's VIPs must not keep answering ARP).
   * Synchronous, as netlink is; no removal starts once `budgetMs` has passed, so a hung
   * kernel cannot keep a dying process alive (each request gives up after 1 s). What is
   * left, `vipd cleanup` (ExecStopPost) or the next start removes.
   */
  dropAll(budgetMs: number, now: () => number = () => performance.now()): DropResult {
    const startedAt = now();
    for (const group of this.#held.keys()) {
      try {
        this.#deps.announcer.stop(group);
      } catch (error) {
        this.#log.error({ group, err: asError(error) }, `could not stop announcing ${group}`);
      }
    }
    // Lingering routed groups still have their routes: withdraw every one, before the
    // addresses go (a route to an address no longer here would draw traffic into nothing).
    for (const group of this.#deps.routes?.groups() ?? []) {
      try {
        this.#deps.routes?.stop(group);
      } catch (error) {
        this.#log.error({ group, err: asError(error) }, `could not withdraw ${group}'s routes`);
      }
    }
    this.#held.clear();
    this.#lingering.clear();
    const removed: string[] = [];
    const left: string[] = [];
    for (const [key, { group, vip }] of [...this.#placed]) {
      const where = `${vipText(vip)} on ${vip.interface}`;
      if (now() - startedAt >= budgetMs) {
        left.push(where);
        continue;
      }
      this.#removeOne(group, vip);
      (this.#placed.has(key) ? left : removed).push(where);
    }
    return { removed, left };
  }

  #counted(group: string): void {
    this.#announcements.set(group, this.announcements(group) + 1);
  }

  /** What announces this group: gratuitous ARP / NA, or its routes. */
  #announcerFor(spec: GroupSpec): AnnouncerPort {
    if (spec.routed === undefined) return this.#deps.announcer;
    const routes = this.#deps.routes;
    if (routes === undefined) throw new Error(`${spec.name} is routed but no route port was given`);
    return routes;
  }

  #parts(spec: GroupSpec): { addresses: AddressPort; announcer: AnnouncerPort } {
    return { addresses: this.#deps.addresses, announcer: this.#announcerFor(spec) };
  }

  #remove(spec: GroupSpec): void {
    for (const removal of removeVips(this.#deps.addresses, spec.vips))
      this.#noteRemoved(spec.name, removal);
  }

  #removeOne(group: string, vip: Vip): void {
    const [removal] = removeVips(this.#deps.addresses, [vip]);
    if (removal !== undefined) this.#noteRemoved(group, removal);
  }

  /** An address this node put on an interface is its to remove, whatever happens later. */
  #noteAdded(group: string, vip: Vip, outcome: AddOutcome): void {
    if (outcome !== 'present-unmanaged') this.#placed.set(vipKey(vip), { group, vip });
  }

  #noteRemoved(group: string, removal: VipResult<RemoveOutcome>): void {
    const { vip } = removal;
    if ('error' in removal) {
      this.#deps.metrics.addressFailures.inc({ group, operation: 'remove' });
      this.#log.error(
        { group, vip: vipText(vip), err: removal.error },
        `removing ${vipText(vip)} failed; it may still be on ${vip.interface}`,
      );
      return;
    }
    this.#placed.delete(vipKey(vip));
    if (removal.outcome === 'left-unmanaged') {
      this.#log.warn(
        { group, vip: vipText(vip) },
        `left ${vipText(vip)} on ${vip.interface}: vipd did not add it`,
      );
    }
  }

  #watch(spec: GroupSpec): void {
    // A routed group's VIPs are on lo: nobody answers ARP there, there is no MAC to follow.
    if (spec.routed !== undefined) return;
    this.#deps.conflictWatch?.watch(spec.name, spec.vips);
    for (const iface of interfacesOf(spec)) {
      const users = this.#macWatched.get(iface) ?? 0;
      if (users === 0) this.#deps.macWatch?.watch(iface);
      this.#macWatched.set(iface, users + 1);
    }
  }

  #unwatch(spec: GroupSpec): void {
    if (spec.routed !== undefined) return;
    this.#deps.conflictWatch?.unwatch(spec.name);
    for (const iface of interfacesOf(spec)) {
      const users = (this.#macWatched.get(iface) ?? 1) - 1;
      if (users <= 0) {
        this.#macWatched.delete(iface);
        this.#deps.macWatch?.unwatch(iface);
      } else {
        this.#macWatched.set(iface, users);
      }
    }
  }
}

function interfacesOf(spec: GroupSpec): string[] {
  return [...new Set(spec.vips.map((v) => v.interface))];
}

function vipKey(vip: Vip): string {
  return `${vip.interface}|${vip.address}/${vip.prefixLength}|${vip.label ?? ''}`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
