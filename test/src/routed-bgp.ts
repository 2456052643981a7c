import { BirdDaemon, parseBirdRoutes, type BirdPath } from './bird.js';
import {
  NODE_BGP_PROTOCOL,
  nodeBirdConfig,
  routerBirdConfig,
  type BfdTimers,
} from './bird-config.js';
import { LabError } from './errors.js';
import type { Lab, LabHost } from './lab.js';

export const ROUTER_AS = 65_000;
/** vipd's kernel table in the lab (the documented default). */
export const ROUTED_TABLE = 250;

export interface RoutedBgpOptions {
  /** Default 100 ms × 3: robust on a loaded 2-core machine, still sub-second. */
  readonly bfd?: BfdTimers;
  /** Default 3 s. */
  readonly holdSeconds?: number;
}

/** Each node is an AS of its own, so the router must compare MEDs across ASes (`med metric on`). */
export function nodeAs(node: LabHost): number {
  return ROUTER_AS + node.host;
}

/**
 * BGP in a routed lab: BIRD on the router with a session (and BFD) to every node, and BIRD
 * on every node announcing what vipd puts in table 250, MED = the route's kernel metric.
 */
export class RoutedBgp {
  private constructor(
    private readonly lab: Lab,
    readonly router: BirdDaemon,
    private readonly speakers: ReadonlyMap<string, BirdDaemon>,
  ) {}

  static async start(lab: Lab, options: RoutedBgpOptions = {}): Promise<RoutedBgp> {
    if (lab.topology !== 'routed') {
      throw new LabError('LAB_BAD_ARGUMENT', 'RoutedBgp needs a lab built with topology "routed"');
    }
    const bfd = options.bfd ?? { intervalMs: 100, multiplier: 3 };
    const holdSeconds = options.holdSeconds ?? 3;
    const gateway = (node: LabHost) => {
      if (node.gateway === undefined)
        throw new LabError('LAB_BAD_ARGUMENT', `${node.name}: no gateway`);
      return node.gateway.ipv4;
    };
    const first = lab.nodes[0];
    if (first === undefined) throw new LabError('LAB_BAD_ARGUMENT', 'a routed lab needs nodes');
    const router = new BirdDaemon(
      lab,
      lab.bridgeNetns,
      'router',
      routerBirdConfig({
        routerId: gateway(first),
        as: ROUTER_AS,
        neighbors: lab.nodes.map((n) => ({ name: n.name, address: n.ipv4, as: nodeAs(n) })),
        bfd,
        holdSeconds,
      }),
    );
    const speakers = new Map(
      lab.nodes.map((node) => [
        node.name,
        new BirdDaemon(
          lab,
          node,
          node.name,
          nodeBirdConfig({
            routerId: node.ipv4,
            localAs: nodeAs(node),
            routerAddress: gateway(node),
            routerAs: ROUTER_AS,
            table: ROUTED_TABLE,
            bfd,
            holdSeconds,
          }),
        ),
      ]),
    );
    const bgp = new RoutedBgp(lab, router, speakers);
    await Promise.all([router, ...speakers.values()].map((b) => b.start()));
    await Promise.all(lab.nodes.map((n) => router.waitEstablished(n.name)));
    return bgp;
  }

  speaker(node: LabHost): BirdDaemon {
    const found = this.speakers.get(node.name);
    if (found === undefined) throw new LabError('LAB_BAD_ARGUMENT', `no BIRD on ${node.name}`);
    return found;
  }

  /** The BGP protocol name on every node, for a `bird` tracker. */
  get nodeProtocol(): string {
    return NODE_BGP_PROTOCOL;
  }

  /** Every path the router holds for `vip` (/32), best first as BIRD lists it. */
  async routerPaths(vip: string): Promise<BirdPath[]> {
    return parseBirdRoutes(await this.router.birdc(['show', 'route', 'for', `${vip}/32`, 'all']));
  }

  /** The node the router forwards `vip` to (by next hop), or undefined with no route. */
  async routerOwner(vip: string): Promise<LabHost | undefined> {
    const best = (await this.routerPaths(vip)).find((p) => p.best);
    return this.lab.nodes.find((n) => n.ipv4 === best?.via);
  }

  /** The router's kernel FIB entry for `vip`: what it really forwards with (`ip route get` is not enough for ECMP). */
  async routerFib(vip: string): Promise<string> {
    const { stdout } = await this.lab.exec(this.lab.bridgeNetns, [
      'ip',
      'route',
      'show',
      `${vip}/32`,
    ]);
    return stdout.trim();
  }
}
