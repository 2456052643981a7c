// How a routed group is announced: one host route per VIP in the group's kernel table, which
// BIRD learns and exports over BGP with the route's metric as MED. The metric is
// 2^32-1-epoch, so the router always prefers the newest master's path, and a silently dead
// old master's stale one loses at once, whatever the BGP hold timer. It stands in for the
// ARP announcer behind the same two calls: announce() (take over, reclaim at a new epoch, a
// reload changed the VIPs) and stop() (withdraw).

import type { RouteAddOutcome, RouteRemoveOutcome, Vip, VipRoute } from '@vipd/arp';
import type { Logger } from 'pino';
import type { GroupSpec } from '../config/types.js';
import type { VipdMetrics } from '../metrics/metrics.js';

/** The part of @vipd/arp's NetlinkRouteManager the driver uses (a fake in tests). */
export interface RoutePort {
  addNow(route: VipRoute): RouteAddOutcome;
  removeNow(route: VipRoute): RouteRemoveOutcome;
  listManagedNow(table?: number): VipRoute[];
}

export interface RouteAnnouncerDeps {
  readonly routes: RoutePort;
  readonly groups: () => ReadonlyMap<string, GroupSpec>;
  /** The group's epoch as the election has it now (the one this node holds it at). */
  readonly epochOf: (group: string) => number;
  readonly metrics: VipdMetrics;
  readonly logger: Logger;
}

const MAX_METRIC = 0xffff_ffff;

/** Newer epochs get lower metrics (lower MED wins); past 2^32-1 epochs it stays at 0. */
export function epochMetric(epoch: number): number {
  return Math.max(0, MAX_METRIC - Math.max(0, Math.floor(epoch)));
}

export class RouteAnnouncer {
  readonly #deps: RouteAnnouncerDeps;
  readonly #log: Logger;
  /** The routes this node installed and has not withdrawn, by group. */
  readonly #installed = new Map<string, readonly VipRoute[]>();

  constructor(deps: RouteAnnouncerDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'routes' });
  }

  installed(group: string): readonly VipRoute[] {
    return this.#installed.get(group) ?? [];
  }

  /**
   * Installs a route per VIP at the group's current epoch, then deletes what it had before
   * that is not among them (an older epoch, a VIP a reload removed): add first, so the
   * router never sees the prefix without a path from this node. All or nothing: a failed
   * add takes off the routes this call added, and throws (the holder then FAULTs the group).
   */
  announce(group: string, vips: readonly Vip[]): void {
    const table = this.#tableOf(group);
    const metric = epochMetric(this.#deps.epochOf(group));
    const wanted = vips.map((vip) => ({ address: vip.address, table, metric }));
    const added: VipRoute[] = [];
    for (const route of wanted) {
      try {
        if (this.#deps.routes.addNow(route) === 'added') added.push(route);
      } catch (error) {
        this.#deps.metrics.routeFailures.inc({ group, operation: 'add' });
        this.#removeAll(group, added);
        throw error;
      }
    }
    this.#deps.metrics.routesAnnounced.inc({ group }, added.length);
    const keep = new Set(wanted.map(routeKey));
    const stale = this.installed(group).filter((route) => !keep.has(routeKey(route)));
    this.#installed.set(group, wanted);
    this.#removeAll(group, stale);
  }

  /** Withdraws every route of the group; a failure is counted and logged, never thrown. */
  stop(group: string): void {
    const routes = this.installed(group);
    this.#installed.delete(group);
    this.#removeAll(group, routes);
  }

  /** Every group with routes installed: what a dying node withdraws. */
  groups(): string[] {
    return [...this.#installed.keys()];
  }

  #removeAll(group: string, routes: readonly VipRoute[]): void {
    for (const route of routes) {
      try {
        if (this.#deps.routes.removeNow(route) === 'removed')
          this.#deps.metrics.routesWithdrawn.inc({ group });
      } catch (error) {
        this.#deps.metrics.routeFailures.inc({ group, operation: 'remove' });
        this.#log.error(
          { group, vip: route.address, table: route.table, metric: route.metric, err: error },
          `withdrawing the route to ${route.address} failed; it may still be in table ${route.table}`,
        );
      }
    }
  }

  #tableOf(group: string): number {
    const table = this.#deps.groups().get(group)?.routed?.table;
    if (table === undefined) throw new Error(`group ${group} is not a routed group`);
    return table;
  }
}

function routeKey(route: VipRoute): string {
  return `${route.table}|${route.address}|${route.metric}`;
}
