import { wallClockMs } from './clock.js';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';

/**
 * The routed lab's counterpart of an ARP claim: the router's forwarding table pointing a VIP
 * at a node (`claimedMac` is that node's MAC, as an ARP claim would carry) or no longer
 * (`claimedMac` undefined: withdrawn, or replaced).
 */
export interface RouteClaim {
  readonly kind: 'route';
  /**
   * When `ip` read the change from netlink (its `-ts` stamp, wall-clock epoch ms): two watches
   * in different namespaces compare to a fraction of a millisecond, where their lines' arrival
   * here could be ms apart on a loaded machine.
   */
  readonly atMs: number;
  readonly address: string;
  readonly claimedMac: string | undefined;
  /** The next hop, or several for a multipath route (which must never happen here). */
  readonly via: readonly string[];
  readonly deleted: boolean;
}

/** One line of `ip -ts monitor route` that matters here. */
export type MonitorLine =
  | { readonly kind: 'nexthop'; readonly via: string }
  | {
      readonly kind: 'route';
      /** Its `-ts` stamp as wall-clock epoch ms, if the line has one. */
      readonly stampMs: number | undefined;
      readonly address: string;
      readonly via: readonly string[];
      readonly deleted: boolean;
    };

/** An IPv4 host route's change or a multipath continuation; undefined for anything else. */
export function parseMonitorLine(line: string): MonitorLine | undefined {
  const nexthop = /^\s+nexthop via (\S+)/.exec(line);
  if (nexthop !== null) return { kind: 'nexthop', via: nexthop[1] ?? '' };
  const stamped = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?\]\s*(.*)$/.exec(line);
  const route = /^(Deleted )?(\d+\.\d+\.\d+\.\d+)(?:\/32)? (?:via (\S+) )?/.exec(
    stamped?.[3] ?? line,
  );
  if (route === null) return undefined;
  return {
    kind: 'route',
    stampMs: stamped === null ? undefined : stampMs(stamped[1] ?? '', stamped[2]),
    address: route[2] ?? '',
    via: route[3] === undefined ? [] : [route[3]],
    deleted: route[1] !== undefined,
  };
}

/** `ip -ts`'s local-time stamp (microseconds) as wall-clock epoch ms. */
function stampMs(localTime: string, fraction: string | undefined): number {
  // Without a zone, Date parses local time, as `ip` printed it.
  return new Date(localTime).getTime() + Number(fraction ?? '0') * 1000;
}

/**
 * `ip -ts monitor route` in the router's namespace: every change of the route to a /32 VIP that
 * BIRD installs from BGP. Each change starts with `[2026-12-07T18:02:12.937597]` (local time);
 * multipath routes print their next hops on continuation lines (`\tnexthop via …`), gathered
 * into the claim before it.
 */
export class RouteWatch {
  private readonly claims: RouteClaim[] = [];

  private constructor(
    private readonly lab: Lab,
    private readonly process: LabProcess,
  ) {
    process.onLine((line, stream) => {
      if (stream === 'stdout') this.take(line);
    });
  }

  /** Watches the router by default; a node's own table with `where` (its VIP routes). */
  static async start(lab: Lab, where?: LabHost): Promise<RouteWatch> {
    const child = lab.spawn(where ?? lab.bridgeNetns, ['ip', '-ts', 'monitor', 'route'], {
      name: `route-watch-${where?.name ?? 'router'}`,
    });
    // ip monitor prints nothing when it is ready; a route added after a short pause is seen.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return new RouteWatch(lab, child);
  }

  private take(line: string): void {
    const parsed = parseMonitorLine(line);
    const last = this.claims.at(-1);
    if (parsed?.kind === 'nexthop') {
      if (last !== undefined) {
        this.claims[this.claims.length - 1] = { ...last, via: [...last.via, parsed.via] };
      }
      return;
    }
    if (parsed === undefined) return;
    const node = this.lab.nodes.find((n) => n.ipv4 === parsed.via[0]);
    this.claims.push({
      kind: 'route',
      atMs: parsed.stampMs ?? wallClockMs(),
      address: parsed.address,
      claimedMac: parsed.deleted ? undefined : node?.mac,
      via: parsed.via,
      deleted: parsed.deleted,
    });
  }

  frames(): readonly RouteClaim[] {
    return this.claims;
  }

  /** Resolves once the router's route to `address` has not changed for `quietMs`. */
  async waitForQuiet(address: string, quietMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const last = this.claims.findLast((c) => c.address === address);
      const quietFor = last === undefined ? Infinity : wallClockMs() - last.atMs;
      if (quietFor >= quietMs) return true;
      if (Date.now() + (quietMs - quietFor) > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, quietMs - quietFor));
    }
  }

  async stop(): Promise<void> {
    await this.process.stop(1_000);
  }
}
