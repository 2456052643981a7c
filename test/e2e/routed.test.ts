// Routed mode (issue #18), end to end: vipd and BIRD on two nodes on different subnets, a
// BIRD router with BFD, a client behind the router probing the VIP every 1 ms. The router's
// choice between the nodes is read from `birdc show route` and its forwarding table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poll } from '@vipd/testkit';
import { median } from '../src/probe-analysis.js';
import { RouteWatch } from '../src/route-watch.js';
import { bringUp, daemonCrashTrial, measureFault } from '../src/trials.js';
import { ROUTED_INTERVAL_MS, routedSkipReason, runRoutedScenario } from './routed-support.js';
import { sleep } from './support.js';

const skip = routedSkipReason();
const DETECTION_MS = 3 * ROUTED_INTERVAL_MS;
const ROUTER_LAG_MS = 30;

describe('routed mode (BGP through BIRD, MED fencing by epoch)', { skip }, () => {
  it(`silent death of the master: outage = detection (${DETECTION_MS} ms) + <= ${ROUTER_LAG_MS} ms at the router`, async () => {
    await runRoutedScenario(async ({ lab, ctx, n1, n2, bgp }) => {
      const lags: number[] = [];
      for (let trial = 0; trial < 3; trial += 1) {
        await bringUp(ctx, n1, [n2]);
        const n2Table = await RouteWatch.start(lab, n2);
        const r = await measureFault(ctx, n2, () => lab.faults.silence(n1));
        const added = n2Table.frames().find((c) => !c.deleted && c.atMs >= r.faultStartMs);
        await n2Table.stop();
        await lab.faults.revive(n1);
        assert.ok(r.answeredAfterMs !== undefined, 'the client is answered by n2');
        assert.equal((await bgp.routerOwner(ctx.vip))?.name, 'n2');
        assert.ok(added !== undefined && r.announcedAfterMs !== undefined);
        const lagMs = r.faultAtMs + r.announcedAfterMs - added.atMs;
        lags.push(lagMs);
        console.log(
          `# silent death: outage ${r.outageMs.toFixed(1)} ms; n2 route after ${(added.atMs - r.faultAtMs).toFixed(0)} ms, router after ${lagMs.toFixed(1)} ms more`,
        );
      }
      assert.ok(median(lags) <= ROUTER_LAG_MS, `router lags ${lags.join(', ')} ms`);
    });
  });

  it('planned takeover over REST: 0 lost probes', async () => {
    await runRoutedScenario(async ({ ctx, cluster, n1, n2, bgp }) => {
      await bringUp(ctx, n1, [n2]);
      const r = await measureFault(ctx, n2, async () => {
        const reply = await cluster.api(n2, 'POST', '/v1/groups/web/takeover');
        assert.equal(reply.status, 200, JSON.stringify(reply.body));
      });
      console.log(`# planned: ${r.sent} probes, longest gap ${r.outageMs.toFixed(1)} ms`);
      assert.equal(r.outageMs, 0, 'no probe lost');
      assert.equal((await bgp.routerOwner(ctx.vip))?.name, 'n2');
      assert.equal(await cluster.groupState(n1, 'web'), 'backup');
    });
  });

  it('mesh cut, both nodes still reach the router: the router follows the newer epoch, never both, never ECMP', async () => {
    await runRoutedScenario(async ({ lab, ctx, cluster, routes, n1, n2, bgp }) => {
      await bringUp(ctx, n1, [n2]);
      const claimsBefore = routes.frames().length;
      await lab.faults.partition([n1], [n2]);
      await cluster.waitForState(n2, 'web', 'master', 10_000);
      // No quorum guard: n1 keeps its (older) master state and its route.
      assert.equal(await cluster.groupState(n1, 'web'), 'master');
      await ctx.prober.waitForResponder('n2', 5_000);
      await sleep(1_000);
      const paths = await bgp.routerPaths(ctx.vip);
      console.log(`# mesh cut: router paths ${JSON.stringify(paths)}`);
      assert.equal(paths.length, 2, 'both nodes announce');
      const best = paths.filter((p) => p.best);
      assert.equal(best.length, 1);
      assert.equal(best[0]?.protocol, 'n2', 'the newer epoch (lower MED) wins');
      assert.ok(paths.every((p) => p.nexthops === 1));
      const fib = await bgp.routerFib(ctx.vip);
      assert.doesNotMatch(fib, /nexthop/, `one path in the FIB: ${fib}`);
      const claims = routes.frames().slice(claimsBefore);
      assert.ok(
        claims.every((c) => c.via.length <= 1),
        'never a multipath route',
      );
      assert.equal(ctx.prober.currentResponder?.node, 'n2');
      await lab.faults.heal();
      await cluster.waitForState(n1, 'web', 'backup', 10_000);
    });
  });

  it('BIRD restarted on the master: the route comes back; the client sees at most the restart', async () => {
    await runRoutedScenario(async ({ ctx, n1, n2, bgp }) => {
      await bringUp(ctx, n1, [n2]);
      const bird = bgp.speaker(n1);
      const r = await measureFault(ctx, n1, async () => {
        await bird.stop();
        await bird.start();
        await poll(
          'the router routes the VIP to n1 again',
          async () => (await bgp.routerOwner(ctx.vip))?.name === 'n1',
          { timeoutMs: 20_000, intervalMs: 5 },
        );
      });
      const restartMs = r.faultAtMs - r.faultStartMs;
      console.log(
        `# BIRD restart: ${restartMs.toFixed(0)} ms until routed again, client outage ${r.outageMs.toFixed(1)} ms`,
      );
      assert.ok(r.outageMs <= restartMs, `outage ${r.outageMs} ms > restart ${restartMs} ms`);
      assert.equal(ctx.prober.currentResponder?.node, 'n1');
    });
  });

  it('vipd SIGKILLed on the master: the peer takes over, the router follows, the restarted node removes its stale route', async () => {
    await runRoutedScenario(async ({ lab, ctx, cluster, n1, n2, bgp }) => {
      const r = await daemonCrashTrial(ctx, n1, n2);
      console.log(
        `# vipd crash: outage ${r.outageMs.toFixed(1)} ms, router on n2 after ${String(r.announcedAfterMs)} ms`,
      );
      assert.ok(r.answeredAfterMs !== undefined, 'the client is answered by n2');
      assert.equal((await bgp.routerOwner(ctx.vip))?.name, 'n2');
      // n1's stale route is still in its table and still announced, with an older epoch's MED.
      assert.equal((await bgp.routerPaths(ctx.vip)).length, 2, 'stale path still announced');
      cluster.startNode(n1);
      await cluster.waitUntilBackup(n1, 15_000);
      await poll(
        'n1 removes its stale route',
        async () => {
          const { stdout } = await lab.exec(n1, ['ip', 'route', 'show', 'table', '250']);
          return !stdout.includes(ctx.vip);
        },
        { timeoutMs: 5_000 },
      );
      await poll(
        'the router holds n2 path only',
        async () => {
          const paths = await bgp.routerPaths(ctx.vip);
          return paths.length === 1 && paths[0]?.protocol === 'n2';
        },
        { timeoutMs: 5_000 },
      );
      assert.equal(ctx.prober.currentResponder?.node, 'n2');
    });
  });
});
