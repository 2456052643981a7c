// Unplanned failover as the client sees it: silent death of the master host, SIGTERM and
// SIGKILL of the master daemon (and its restart).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { doubleAnswerWindows } from '../src/neighbor-frames.js';
import { median } from '../src/probe-analysis.js';
import { ArpProbe } from '../src/probes.js';
import { bringUp, measureFault, silentDeathTrial } from '../src/trials.js';
import {
  e2eSkipReason,
  hasAddress,
  runScenario,
  sleep,
  pairScenario,
  trioScenario,
  wallClockMs,
} from './support.js';

const skip = e2eSkipReason();
const INTERVAL_MS = 100;
const DOWN_MULTIPLIER = 3;

describe('unplanned failover', { skip }, () => {
  it('silent master death: the best backup takes over within down_multiplier × interval', async () => {
    await runScenario(
      trioScenario({ intervalMs: INTERVAL_MS, downMultiplier: DOWN_MULTIPLIER }),
      async ({ ctx, n1, n2, n3 }) => {
        const outages: number[] = [];
        for (let trial = 0; trial < 3; trial += 1) {
          // n3 runs too: the best backup (n2), not any backup, must win.
          const r = await silentDeathTrial(ctx, n1, n2, [n3]);
          assert.ok(
            r.answeredAfterMs !== undefined,
            'the client is answered by n2 after the death',
          );
          assert.ok(
            !r.replies.some((reply) => reply.node === 'n3'),
            'n3 (lower priority) never answered the client',
          );
          outages.push(r.outageMs);
        }
        const typical = median(outages);
        // The backup cannot declare the master dead before (multiplier − 1) intervals
        // after the last heartbeat; it must have by multiplier intervals, plus the time
        // to add the VIP, announce and be scheduled on a shared 2-core machine.
        assert.ok(
          typical >= (DOWN_MULTIPLIER - 1) * INTERVAL_MS - 50,
          `outages ${outages.join(', ')} ms`,
        );
        assert.ok(
          typical <= DOWN_MULTIPLIER * INTERVAL_MS + 150,
          `outages ${outages.join(', ')} ms`,
        );
      },
    );
  });

  it('SIGTERM of the master: it resigns, the backup takes over at once and the old master exits 0', async () => {
    await runScenario(pairScenario(), async ({ ctx, cluster, lab, n1, n2, vip }) => {
      await bringUp(ctx, n1, [n2]);
      const daemon = cluster.process(n1)!;
      const r = await measureFault(ctx, n2, () => {
        daemon.signal('SIGTERM');
        return Promise.resolve();
      });
      assert.deepEqual(await daemon.exited, { code: 0, signal: null });
      assert.ok(r.answeredAfterMs !== undefined, 'n2 answers the client');
      // Waiting for the master to be declared dead would take >= 2 intervals.
      assert.ok(r.outageMs < INTERVAL_MS, `outage ${r.outageMs} ms`);
      assert.ok(!(await hasAddress(lab, n1, vip)), 'n1 removed the VIP on the way out');
    });
  });

  it('SIGKILL of the master daemon: the backup takes over; the restarted daemon removes its stale VIP', async () => {
    await runScenario(
      // No preempt: the restarted n1 must stay backup, so the VIP stays on n2.
      pairScenario({ preempt: false }),
      async ({ ctx, cluster, lab, capture, n1, n2, vip }) => {
        await bringUp(ctx, n1, [n2]);
        const arping = ArpProbe.start(lab, vip, 20);
        const r = await measureFault(ctx, n2, () => {
          for (const pid of cluster.daemonPids(n1)) process.kill(pid, 'SIGKILL');
          return Promise.resolve();
        });
        assert.ok(r.announcedAfterMs !== undefined, 'n2 announced the VIP');
        assert.ok(
          r.announcedAfterMs <= DOWN_MULTIPLIER * INTERVAL_MS + 150,
          `n2 announced ${r.announcedAfterMs} ms after the crash`,
        );
        assert.ok(await hasAddress(lab, n1, vip), 'the crashed daemon left its VIP behind');
        await sleep(300);
        const staleUntil = wallClockMs();
        const doubleBefore = doubleAnswerWindows(capture.frames(), vip, lab.client.mac).filter(
          (w) => w.fromMs >= r.faultAtMs && w.fromMs < staleUntil,
        );
        assert.ok(
          doubleBefore.length > 0,
          'arping saw both MACs answer while the stale VIP was there',
        );

        cluster.startNode(n1);
        await cluster.waitForState(n1, 'web', 'backup', 10_000);
        const restartedAt = wallClockMs();
        assert.ok(!(await hasAddress(lab, n1, vip)), 'the restarted daemon removed the stale VIP');
        await sleep(1_500);
        await arping.stop();
        const after = capture
          .frames()
          .filter((f) => f.atMs >= restartedAt && f.address === vip && f.kind === 'arp-reply');
        assert.ok(after.length > 10, `arping got ${after.length} replies after the restart`);
        assert.deepEqual(
          [...new Set(after.map((f) => f.claimedMac))],
          [n2.mac],
          'only n2 answers ARP',
        );
        const doubleAfter = doubleAnswerWindows(capture.frames(), vip, lab.client.mac).filter(
          (w) => w.toMs >= restartedAt,
        );
        assert.deepEqual(doubleAfter, []);
        assert.equal(ctx.prober.currentResponder?.node, 'n2');
      },
    );
  });
});
