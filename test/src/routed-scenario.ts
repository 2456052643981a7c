// The routed lab's scenario, shared by the e2e proofs and the failover bench: a router
// running BIRD with BFD, two nodes on subnets of their own each running BIRD and vipd (group
// "web", one /32 VIP on lo, n1 at 150, n2 at 100, heartbeats across the router), the client
// behind the router probing the VIP every 1 ms, and a RouteWatch on the router standing in
// for the ARP capture.
import { withLab, type Lab, type LabHost } from './lab.js';
import { ClientProber, startResponders } from './probes.js';
import { RoutedBgp, ROUTED_TABLE } from './routed-bgp.js';
import { RouteWatch } from './route-watch.js';
import type { TrialContext } from './trials.js';
import { VipdCluster, type VipdClusterOptions } from './vipd-cluster.js';

export interface RoutedScenario {
  readonly lab: Lab;
  readonly bgp: RoutedBgp;
  readonly cluster: VipdCluster;
  readonly prober: ClientProber;
  readonly routes: RouteWatch;
  readonly vip: string;
  readonly ctx: TrialContext;
  readonly n1: LabHost;
  readonly n2: LabHost;
}

/** The proofs' heartbeat interval; the bench overrides it through `extra.intervalMs`. */
export const ROUTED_INTERVAL_MS = 100;

export function routedClusterOptions(
  lab: Lab,
  extra: Partial<VipdClusterOptions> = {},
): VipdClusterOptions {
  return {
    intervalMs: ROUTED_INTERVAL_MS,
    groups: [
      {
        name: 'web',
        addresses: [`${lab.vip4()}/32`],
        priorities: { n1: 150, n2: 100 },
        // Only a failure or an operator moves the VIP: n1 does not take it back.
        preempt: false,
        routed: { table: ROUTED_TABLE },
      },
    ],
    ...extra,
  };
}

/** Builds the routed lab and BGP, starts responders, prober and route watch (not vipd). */
export function withRoutedScenario<T>(
  body: (s: RoutedScenario) => Promise<T>,
  extra: Partial<VipdClusterOptions> = {},
): Promise<T> {
  return withLab({ nodes: 2, topology: 'routed' }, async (lab) => {
    const bgp = await RoutedBgp.start(lab);
    const options = routedClusterOptions(lab, extra);
    const cluster = new VipdCluster(lab, options);
    cluster.writeConfigs();
    const vip = lab.vip4();
    await startResponders(lab, [vip]);
    const routes = await RouteWatch.start(lab);
    const prober = await ClientProber.start(lab, vip, { intervalMs: 1, gapReportMs: 5 });
    const [n1, n2] = lab.nodes as [LabHost, LabHost];
    const ctx: TrialContext = {
      lab,
      cluster,
      prober,
      capture: routes,
      vip,
      intervalMs: options.intervalMs,
    };
    try {
      return await body({ lab, bgp, cluster, prober, routes, vip, ctx, n1, n2 });
    } finally {
      await cluster.stopAll();
      await prober.stop();
      await routes.stop();
    }
  });
}
