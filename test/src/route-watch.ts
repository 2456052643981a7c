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
  /** When `ip monitor` reported it (wall-clock epoch ms, on arrival). */
  readonly atMs: number;
  readonly address: string;
  readonly claimedMac: string | undefined;
  /** The next hop, or several for a multipath route (which must never happen here). */
  readonly via: readonly string[];
  readonly deleted: boolean;
}

/**
 * `ip monitor route` in the router's namespace: every change of the route to a /32 VIP that
 * BIRD installs from BGP. Multipath routes print their next hops on continuation lines
 * (`\tnexthop via …`), gathered into the claim before it.
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
    const child = lab.spawn(where ?? lab.bridgeNetns, ['ip', 'monitor', 'route'], {
      name: `route-watch-${where?.name ?? 'router'}`,
    });
    // ip monitor prints nothing when it is ready; a route added after a short pause is seen.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return new RouteWatch(lab, child);
  }

  private take(line: string): void {
    const nexthop = /^\s+nexthop via (\S+)/.exec(line);
    const last = this.claims.at(-1);
    if (nexthop !== null && last !== undefined) {
      this.claims[this.claims.length - 1] = { ...last, via: [...last.via, nexthop[1] ?? ''] };
      return;
    }
    const route = /^(Deleted )?(\d+\.\d+\.\d+\.\d+)(?:\/32)? (?:via (\S+) )?/.exec(line);
    if (route === null) return;
    const deleted = route[1] !== undefined;
    const via = route[3] === undefined ? [] : [route[3]];
    const node = this.lab.nodes.find((n) => n.ipv4 === via[0]);
    this.claims.push({
      kind: 'route',
      atMs: wallClockMs(),
      address: route[2] ?? '',
      claimedMac: deleted ? undefined : node?.mac,
      via,
      deleted,
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
