// The quorum guard under partitions of a 3-node cluster, and a witness that makes a
// 2-node pair safe: the client must never see two masters answering ARP for longer than
// the guard's bound (a master that loses the majority demotes within
// down_multiplier × interval, the same time a backup needs to declare it dead).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LabHost } from '../src/lab.js';
import { doubleAnswerWindows } from '../src/neighbor-frames.js';
import { ArpProbe } from '../src/probes.js';
import { bringUp } from '../src/trials.js';
import {
  e2eSkipReason,
  runScenario,
  sleep,
  trioScenario,
  vip4Address,
  wallClockMs,
  type Scenario,
} from './support.js';

const skip = e2eSkipReason();
const INTERVAL_MS = 100;
const DOWN_MULTIPLIER = 3;
/** The documented bound plus one ARP probe interval (20 ms) of measurement resolution. */
const DOUBLE_MASTER_BOUND_MS = DOWN_MULTIPLIER * INTERVAL_MS + 20;
const SETTLE_MS = 2_000;

/** Applies a partition, watches ARP for a while, and returns the longest double-answer window. */
async function partitionAndWatch(
  s: Scenario,
  partition: () => Promise<void>,
): Promise<{ longestDoubleMs: number; windows: { fromMs: number; toMs: number }[] }> {
  const arping = ArpProbe.start(s.lab, s.vip, 20);
  await sleep(200);
  const startedAt = wallClockMs();
  await partition();
  await sleep(SETTLE_MS);
  await arping.stop();
  const windows = doubleAnswerWindows(s.capture.frames(), s.vip, s.lab.client.mac).filter(
    (w) => w.toMs >= startedAt,
  );
  const longestDoubleMs = Math.max(0, ...windows.map((w) => w.toMs - w.fromMs));
  return { longestDoubleMs, windows };
}

/** The trio with the quorum guard on: a node that sees no majority demotes. */
const QUORUM_TRIO = trioScenario({
  intervalMs: INTERVAL_MS,
  downMultiplier: DOWN_MULTIPLIER,
  quorum: true,
});

async function masters(s: Scenario, nodes: readonly LabHost[]): Promise<string[]> {
  const states = await Promise.all(nodes.map((n) => s.cluster.groupState(n, 'web')));
  return nodes.filter((_, i) => states[i] === 'master').map((n) => n.name);
}

describe('quorum guard', { skip }, () => {
  it('3 nodes, master cut off from both peers: it demotes itself and n2 takes over', async () => {
    await runScenario(QUORUM_TRIO, async (s) => {
      await bringUp(s.ctx, s.n1, [s.n2, s.n3]);
      const watched = await partitionAndWatch(s, () =>
        s.lab.faults.partition([s.n1], [s.n2, s.n3]),
      );
      assert.ok(watched.longestDoubleMs <= DOUBLE_MASTER_BOUND_MS, JSON.stringify(watched.windows));
      assert.deepEqual(await masters(s, s.lab.nodes), ['n2']);
      assert.equal(s.prober.currentResponder?.node, 'n2');
    });
  });

  it('3 nodes, one-way cut (n1 heard by nobody, hears all): one master, n2', async () => {
    await runScenario(QUORUM_TRIO, async (s) => {
      await bringUp(s.ctx, s.n1, [s.n2, s.n3]);
      const watched = await partitionAndWatch(s, () =>
        s.lab.faults.partition([s.n1], [s.n2, s.n3], { oneWay: true }),
      );
      assert.ok(watched.longestDoubleMs <= DOUBLE_MASTER_BOUND_MS, JSON.stringify(watched.windows));
      assert.deepEqual(await masters(s, s.lab.nodes), ['n2']);
      assert.equal(s.prober.currentResponder?.node, 'n2');
    });
  });

  it('3 nodes, one-way cut (n1 hears nobody, heard by all): n1 demotes, one master', async () => {
    await runScenario(QUORUM_TRIO, async (s) => {
      await bringUp(s.ctx, s.n1, [s.n2, s.n3]);
      const watched = await partitionAndWatch(s, () =>
        s.lab.faults.partition([s.n2, s.n3], [s.n1], { oneWay: true }),
      );
      assert.ok(watched.longestDoubleMs <= DOUBLE_MASTER_BOUND_MS, JSON.stringify(watched.windows));
      assert.equal(await s.cluster.groupState(s.n1, 'web'), 'backup', 'n1 cannot hear a majority');
      assert.ok((await masters(s, s.lab.nodes)).length <= 1);
    });
  });

  it('3 nodes, all cut from each other: nobody is master, and a master returns after healing', async () => {
    await runScenario(QUORUM_TRIO, async (s) => {
      await bringUp(s.ctx, s.n1, [s.n2, s.n3]);
      const watched = await partitionAndWatch(s, async () => {
        await s.lab.faults.partition([s.n1], [s.n2, s.n3]);
        await s.lab.faults.partition([s.n2], [s.n3]);
      });
      assert.ok(watched.longestDoubleMs <= DOUBLE_MASTER_BOUND_MS, JSON.stringify(watched.windows));
      assert.deepEqual(await masters(s, s.lab.nodes), []);
      await s.prober.forgetResponder();
      await s.lab.faults.heal();
      await s.prober.waitForResponder('n1', 10_000);
    });
  });

  it('2 nodes and a witness: the isolated master demotes, the other node takes over', async () => {
    await runScenario(
      {
        nodes: 3,
        cluster: (lab) => ({
          intervalMs: INTERVAL_MS,
          downMultiplier: DOWN_MULTIPLIER,
          quorum: true,
          witnesses: ['n3'],
          groups: [
            { name: 'web', addresses: [vip4Address(lab)], priorities: { n1: 150, n2: 100 } },
          ],
        }),
      },
      async (s) => {
        // The witness holds no group: bringUp starts it and has nothing to wait for on it.
        await bringUp(s.ctx, s.n1, [s.n2, s.n3]);
        const watched = await partitionAndWatch(s, () =>
          s.lab.faults.partition([s.n1], [s.n2, s.n3]),
        );
        assert.ok(
          watched.longestDoubleMs <= DOUBLE_MASTER_BOUND_MS,
          JSON.stringify(watched.windows),
        );
        assert.deepEqual(await masters(s, [s.n1, s.n2]), ['n2']);
        assert.equal(s.prober.currentResponder?.node, 'n2');
      },
    );
  });
});
