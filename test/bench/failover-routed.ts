// The routed row of the failover bench: the routed lab of the e2e proofs (src/routed-scenario.ts,
// BIRD on a router and on both nodes, vipd in routed mode) put through the same trials as the
// L2 kinds. Besides what the client saw, each takeover is timed at its two hops: the new
// master's route in its own kernel table (`ip monitor` on n2), then the router's route to it.
import type { LabHost } from '../src/lab.js';
import { PingProbe } from '../src/probes.js';
import { RouteWatch } from '../src/route-watch.js';
import { withRoutedScenario } from '../src/routed-scenario.js';
import type { TrialResult } from '../src/trials.js';
import {
  newResult,
  runTrials,
  type BenchOptions,
  type DaemonResult,
  type Fault,
} from './failover-trials.js';

/** "BIRD 2.0.12" from `birdc show status`, or "BIRD" when it does not say. */
function birdVersion(status: string): string {
  return /BIRD \d[\w.]*/.exec(status)?.[0] ?? 'BIRD';
}

/**
 * Times one takeover at both hops: the silent death's `routeAfterMs` (fault → n2's route in
 * its table) and, for every fault, `routerLagsMs` (that route → the router routing to n2).
 */
function recordHops(
  newMaster: LabHost,
  nodeRoutes: RouteWatch,
  vip: string,
): (fault: Fault, r: TrialResult, into: DaemonResult) => void {
  return (fault, r, into) => {
    const installed = nodeRoutes
      .frames()
      .find((c) => !c.deleted && c.address === vip && c.atMs >= r.faultStartMs);
    const routed = r.frames.find(
      (f) => f.address === vip && f.claimedMac === newMaster.mac && f.atMs >= r.faultStartMs,
    );
    if (installed === undefined || routed === undefined) {
      into.errors.push(
        `${fault}: ${installed === undefined ? `no route in ${newMaster.name}'s table` : 'the router never routed to the new master'} (hops not timed)`,
      );
      return;
    }
    if (fault === 'silent') into.routeAfterMs.push(Math.max(0, installed.atMs - r.faultAtMs));
    into.routerLagsMs[fault].push(routed.atMs - installed.atMs);
  };
}

/** vipd in routed mode at `intervalMs`: one routed lab for every trial. */
export function measureRouted(options: BenchOptions, intervalMs: number): Promise<DaemonResult> {
  return withRoutedScenario(
    async ({ lab, bgp, cluster, ctx, vip, n1, n2 }) => {
      const bird = birdVersion(await bgp.router.birdc(['show', 'status']));
      const result = newResult('vipd-routed', `${cluster.version} (routed), ${bird}`, intervalMs);
      const ping = PingProbe.start(lab, vip, 5);
      const nodeRoutes = await RouteWatch.start(lab, n2);
      try {
        await runTrials(
          options,
          {
            ctx: {
              ...ctx,
              ping,
              onUnsettled: (why) => {
                result.unsettledStarts += 1;
                options.log(`    (${why})`);
              },
            },
            n1,
            n2,
            plannedApi: cluster,
            observer: { onTakeover: recordHops(n2, nodeRoutes, vip) },
          },
          result,
        );
      } finally {
        await nodeRoutes.stop();
        await ping.stop();
      }
      return result;
    },
    { intervalMs },
  );
}
