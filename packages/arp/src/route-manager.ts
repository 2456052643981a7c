// Host routes to VIPs in a spare kernel table, for routed groups: BIRD's kernel protocol
// learns them from that table and BGP announces them. Each carries vipd's mark in
// rtm_protocol (VIPD_ROUTE_PROTOCOL), so vipd removes only routes it added, finds the ones a
// crashed predecessor left, and never touches an operator's. Same socket and framing as the
// address manager: a netlink request answers inside sendto(), no child process.
import { ArpError } from './errors.js';
import { ipFamily, normalizeIp } from './codec/address-text.js';
import { lookUpInterfaceIndex } from './netlink/interface-index.js';
import { NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL } from './netlink/message.js';
import {
  RTM_DELROUTE,
  RTM_GETROUTE,
  RTM_NEWROUTE,
  decodeRoute,
  encodeRouteDump,
  encodeRouteRequest,
  type KernelRoute,
} from './netlink/route.js';
import { NetlinkRequestError, RouteSocket } from './netlink/route-socket.js';
import type { RouteRequests } from './address-manager.js';

/**
 * rtm_protocol of vipd's routes: 241 (0xf1), unused in iproute2's rt_protos and below the
 * kernel's own (0-4) and routing daemons' (8-192) numbers. `ip route` shows "proto 241"; an
 * /etc/iproute2/rt_protos.d/vipd.conf line "241 vipd" makes it say "proto vipd".
 */
export const VIPD_ROUTE_PROTOCOL = 241;
/** Where the routes point: the VIP is on lo, so the node accepts what the route draws in. */
export const ROUTE_INTERFACE = 'lo';

/** One VIP's route: `VIP/32 (or /128) dev lo table TABLE metric METRIC proto 241`. */
export interface VipRoute {
  readonly address: string;
  readonly table: number;
  readonly metric: number;
}

export type RouteAddOutcome = 'added' | 'already-managed';
export type RouteRemoveOutcome = 'removed' | 'absent';

export interface RouteManagerOptions {
  readonly netns?: string;
  /** Test seam, as in the address manager. */
  readonly socketLayer?: (socket: RouteRequests) => RouteRequests;
}

export interface NetlinkRouteManager {
  /**
   * Adds the route, marked. One already there with vipd's mark is 'already-managed'; one
   * with another protocol (same destination, table and metric) is the operator's: ArpError
   * ROUTE_NOT_OURS, left alone.
   */
  addNow(route: VipRoute): RouteAddOutcome;
  /** Removes the route if it is there with vipd's mark; another protocol's is never matched. */
  removeNow(route: VipRoute): RouteRemoveOutcome;
  /** Every route with vipd's mark, in every table (or one table). */
  listManagedNow(table?: number): VipRoute[];
  close(): void;
}

export function createRouteManager(options: RouteManagerOptions = {}): NetlinkRouteManager {
  const socket = RouteSocket.open(options.netns === undefined ? {} : { netns: options.netns });
  return new NetlinkRoutes(options.socketLayer?.(socket) ?? socket);
}

/** ArpError INVALID_ROUTE unless the route is a VIP host route the kernel can hold. */
export function checkVipRoute(route: VipRoute): void {
  const valid =
    Number.isInteger(route.table) &&
    route.table >= 1 &&
    route.table <= 0xffff_ffff &&
    ![253, 254, 255].includes(route.table) &&
    Number.isInteger(route.metric) &&
    route.metric >= 0 &&
    route.metric <= 0xffff_ffff;
  if (!valid) {
    throw new ArpError(
      'INVALID_ROUTE',
      `route to ${route.address}: table ${route.table} must be 1..4294967295 but not 253-255, ` +
        `metric ${route.metric} 0..4294967295`,
    );
  }
}

class NetlinkRoutes implements NetlinkRouteManager {
  #loopbackIndex: number | undefined;

  constructor(private readonly socket: RouteRequests) {}

  addNow(route: VipRoute): RouteAddOutcome {
    try {
      this.socket.request(
        RTM_NEWROUTE,
        NLM_F_CREATE | NLM_F_EXCL,
        this.encode(route),
        `adding the route to ${describe(route)}`,
      );
      return 'added';
    } catch (error) {
      if (!(error instanceof NetlinkRequestError && error.errno === 'EEXIST')) throw error;
      const present = this.find(route);
      if (present === undefined) throw error; // removed again in between; the caller retries
      if (present.protocol === VIPD_ROUTE_PROTOCOL) return 'already-managed';
      throw new ArpError(
        'ROUTE_NOT_OURS',
        `a route to ${describe(route)} is already there with protocol ${present.protocol}, ` +
          "not vipd's; vipd leaves it alone",
      );
    }
  }

  removeNow(route: VipRoute): RouteRemoveOutcome {
    try {
      // The kernel matches rtm_protocol on delete: an operator's route is never removed.
      this.socket.request(
        RTM_DELROUTE,
        0,
        this.encode(route),
        `removing the route to ${describe(route)}`,
      );
      return 'removed';
    } catch (error) {
      if (error instanceof NetlinkRequestError && error.errno === 'ESRCH') return 'absent';
      throw error;
    }
  }

  listManagedNow(table = 0): VipRoute[] {
    return this.dump(table)
      .filter(
        (r) => r.protocol === VIPD_ROUTE_PROTOCOL && r.prefixLength === (r.family === 4 ? 32 : 128),
      )
      .map((r) => ({ address: r.destination, table: r.table, metric: r.metric }));
  }

  close(): void {
    this.socket.close();
  }

  private encode(route: VipRoute): Buffer {
    checkVipRoute(route);
    return encodeRouteRequest({
      family: ipFamily(route.address),
      destination: normalizeIp(route.address),
      table: route.table,
      metric: route.metric,
      protocol: VIPD_ROUTE_PROTOCOL,
      interfaceIndex: this.loopbackIndex(),
    });
  }

  private find(route: VipRoute): KernelRoute | undefined {
    const address = normalizeIp(route.address);
    return this.dump(route.table, 0).find(
      (r) => r.destination === address && r.metric === route.metric,
    );
  }

  private dump(table: number, protocol = VIPD_ROUTE_PROTOCOL): KernelRoute[] {
    return ([4, 6] as const).flatMap((family) =>
      this.socket
        .request(
          RTM_GETROUTE,
          NLM_F_DUMP,
          encodeRouteDump(family, table, protocol),
          `listing IPv${family} routes`,
        )
        .flatMap((reply) => {
          const route = decodeRoute(reply.body);
          // Kernels without strict checking ignore the filters; apply them here too.
          if (route?.family !== family) return [];
          if (table !== 0 && route.table !== table) return [];
          if (protocol !== 0 && route.protocol !== protocol) return [];
          return [route];
        }),
    );
  }

  private loopbackIndex(): number {
    this.#loopbackIndex ??= lookUpInterfaceIndex(this.socket, ROUTE_INTERFACE);
    return this.#loopbackIndex;
  }
}

function describe(route: VipRoute): string {
  return `${route.address} in table ${route.table} (metric ${route.metric})`;
}
