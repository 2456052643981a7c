// SIGHUP changing what shapes the mesh — heartbeat interval, down multiplier, peers removed
// and added — on a live 3-node cluster (a pair and a witness), one node at a time like a
// rolling reload, while the client probes the VIP: no gap, no transition, no re-announcement.
// (lifecycle.test.ts covers a reload that changes nothing.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabHost } from '../src/lab.js';
import type { VipdCluster, VipdClusterOptions } from '../src/vipd-cluster.js';
import { claimsFor } from '../src/neighbor-frames.js';
import { responderSegments } from '../src/probe-analysis.js';
import { bringUp } from '../src/trials.js';
import { e2eSkipReason, runScenario, sleep, vip4Address, wallClockMs } from './support.js';

const skip = e2eSkipReason();
const INTERVAL_MS = 100;
/** A master's second gratuitous ARP burst comes announce.delay (5 s) after its takeover. */
const SECOND_BURST_AFTER_MS = 5_300;
/** Between one node's reload and the next: several heartbeats on the mixed configs. */
const STAGGER_MS = 1_500;

/** JSON log lines of state transitions (driver.ts #onTransition). */
const transitions = (cluster: VipdCluster, node: LabHost): string[] =>
  (cluster.process(node)?.output() ?? []).filter((line) =>
    /"from":"[A-Z]+","to":"[A-Z]+"/.test(line),
  );

const reloadsDone = (cluster: VipdCluster, node: LabHost): number =>
  (cluster.process(node)?.output() ?? []).filter((line) => /configuration reloaded/.test(line))
    .length;

/** Writes the new configs, then SIGHUPs `order` one at a time, each reload confirmed. */
async function rollingReload(
  cluster: VipdCluster,
  options: VipdClusterOptions,
  order: readonly LabHost[],
): Promise<void> {
  cluster.writeConfigs(options);
  for (const node of order) {
    const before = reloadsDone(cluster, node);
    cluster.process(node)!.signal('SIGHUP');
    const deadline = Date.now() + 10_000;
    while (reloadsDone(cluster, node) === before) {
      const refused = cluster
        .process(node)!
        .output()
        .filter((l) => /reload rejected/.test(l));
      assert.ok(Date.now() < deadline, `${node.name} did not reload: ${refused.join('\n')}`);
      await sleep(50);
    }
    await sleep(STAGGER_MS);
  }
}

describe('reload of the mesh settings, rolling, under a probing client', { skip }, () => {
  it('interval, down multiplier, a peer removed and added back: no gap, no transition', async () => {
    const base = (lab: Parameters<typeof vip4Address>[0]): VipdClusterOptions => ({
      intervalMs: INTERVAL_MS,
      downMultiplier: 3,
      witnesses: ['n3'],
      groups: [{ name: 'web', addresses: [vip4Address(lab)], priorities: { n1: 150, n2: 100 } }],
    });
    await runScenario(
      { nodes: 3, cluster: base },
      async ({ lab, ctx, cluster, capture, prober, vip, n1, n2, n3 }) => {
        await bringUp(ctx, n1, [n2, n3]);
        const takeover = claimsFor(capture.frames(), vip).find((f) => f.kind !== 'arp-reply');
        if (takeover !== undefined)
          await sleep(Math.max(0, takeover.atMs + SECOND_BURST_AFTER_MS - wallClockMs()));
        await prober.collect();
        const framesBefore = capture.frames().length;
        const startedAt = wallClockMs();
        const transitionsBefore = [n1, n2].map((n) => transitions(cluster, n).length);
        const all = [n1, n2, n3];

        // 1. A longer interval (150 ms: two of them fit the 300 ms deadline peers still use).
        let options: VipdClusterOptions = { ...base(lab), intervalMs: 150 };
        await rollingReload(cluster, options, all);
        // 2. A larger down multiplier, master first this time.
        options = { ...options, downMultiplier: 6 };
        await rollingReload(cluster, options, [n1, n3, n2]);
        // 3. The witness leaves: stopped, then dropped from the others' peers.
        await cluster.process(n3)!.stop();
        options = { ...options, witnesses: [] };
        await rollingReload(cluster, options, [n2, n1]);
        // 4. And comes back: added to the peers, then started.
        options = { ...options, witnesses: ['n3'] };
        await rollingReload(cluster, options, [n1, n2]);
        cluster.startNode(n3);
        await sleep(3_000);

        const { replies, sent } = await prober.collect();
        assert.deepEqual(
          responderSegments(replies).map((s) => s.node),
          ['n1'],
          'only n1 answered for the VIP throughout',
        );
        assert.ok(sent - replies.length <= 2, `${sent - replies.length} probes unanswered`);
        assert.deepEqual(
          [n1, n2].map((n, i) => transitions(cluster, n).slice(transitionsBefore[i])),
          [[], []],
          'no state transition on either node',
        );
        const claims = claimsFor(capture.frames().slice(framesBefore), vip).filter(
          (f) => f.atMs >= startedAt && f.kind !== 'arp-reply',
        );
        assert.deepEqual(claims, [], 'nobody re-announced the VIP');
        assert.equal(await cluster.groupState(n1, 'web'), 'master');
        assert.equal(await cluster.groupState(n2, 'web'), 'backup');
        const peers = (await cluster.api(n1, 'GET', '/v1/status')).body as {
          peers?: { id: string; up: boolean }[];
        };
        assert.ok(
          peers.peers === undefined || peers.peers.some((p) => p.id === 'n3'),
          `n1 knows n3 again: ${JSON.stringify(peers.peers)}`,
        );
      },
    );
  });
});
