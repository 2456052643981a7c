// Reload, trackers and IPv6, seen from the client.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { claimsFor } from '../src/neighbor-frames.js';
import { responderSegments } from '../src/probe-analysis.js';
import { bringUp, silentDeathTrial } from '../src/trials.js';
import {
  e2eSkipReason,
  runScenario,
  sleep,
  pairScenario,
  vip4Address,
  vip6Address,
  wallClockMs,
} from './support.js';

const skip = e2eSkipReason();
const INTERVAL_MS = 100;
/** announce.delay's default: when a new master's second gratuitous ARP burst starts. */
const SECOND_BURST_AFTER_MS = 5_000;

describe('reload, trackers and IPv6', { skip }, () => {
  it('SIGHUP with unchanged groups: no transition, no announcement, no gap', async () => {
    await runScenario(pairScenario(), async ({ ctx, cluster, capture, prober, vip, n1, n2 }) => {
      await bringUp(ctx, n1, [n2]);
      // A new master announces twice: a burst at the takeover and one announce.delay (5 s)
      // later. When n2 started slowly, bringUp returns before the second burst, which would
      // then land in the reload's window: let it pass first.
      const takeover = claimsFor(capture.frames(), vip).find((f) => f.kind !== 'arp-reply');
      if (takeover !== undefined) {
        await sleep(Math.max(0, takeover.atMs + SECOND_BURST_AFTER_MS + 300 - wallClockMs()));
      }
      await prober.collect();
      const framesBefore = capture.frames().length;
      const reloadedAt = wallClockMs();
      for (const node of [n1, n2]) cluster.process(node)!.signal('SIGHUP');
      await sleep(2_000);
      const { replies, sent } = await prober.collect();
      assert.deepEqual(
        responderSegments(replies).map((s) => s.node),
        ['n1'],
      );
      assert.ok(
        sent - replies.length <= 2,
        `${sent - replies.length} probes unanswered across the reload`,
      );
      const claims = claimsFor(capture.frames().slice(framesBefore), vip).filter(
        (f) => f.atMs >= reloadedAt && f.kind !== 'arp-reply',
      );
      assert.deepEqual(claims, [], 'nobody re-announced the VIP');
      assert.equal(await cluster.groupState(n1, 'web'), 'master');
      assert.ok(cluster.process(n1)!.running && cluster.process(n2)!.running);
    });
  });

  for (const preempt of [true, false]) {
    it(`a failing tracker moves the VIP; its recovery moves it back ${preempt ? 'with' : 'not without'} preempt`, async () => {
      await runScenario(
        {
          nodes: 2,
          cluster: (lab) => {
            const healthFile = join(lab.runDir, 'n1-health');
            writeFileSync(healthFile, '0\n');
            return {
              intervalMs: INTERVAL_MS,
              groups: [
                {
                  name: 'web',
                  addresses: [vip4Address(lab)],
                  priorities: { n1: 150, n2: 100 },
                  preempt,
                  // keepalived track_file: weight 0 means FAULT while the file holds non-zero.
                  track: { n1: [{ tracker: 'health', weight: 0 }] },
                },
              ],
              trackers: {
                n1: [{ name: 'health', type: 'file', path: healthFile, interval: '100ms' }],
              },
            };
          },
        },
        async ({ ctx, lab, prober, n1, n2 }) => {
          const healthFile = join(lab.runDir, 'n1-health');
          await bringUp(ctx, n1, [n2]);
          writeFileSync(healthFile, '1\n');
          await prober.waitForResponder('n2', 5_000);
          await sleep(500);
          await prober.forgetResponder();
          writeFileSync(healthFile, '0\n');
          if (preempt) {
            await prober.waitForResponder('n1', 5_000);
          } else {
            await sleep(3_000);
            const { replies } = await prober.collect();
            assert.deepEqual(
              [...new Set(replies.slice(-1_000).map((r) => r.node))],
              ['n2'],
              'the VIP stayed on n2',
            );
          }
        },
      );
    });
  }

  it('IPv6 VIP fails over and the client neighbour cache follows the new master', async () => {
    await runScenario(
      {
        nodes: 2,
        ipv6: true,
        cluster: (lab) => ({
          intervalMs: INTERVAL_MS,
          groups: [
            {
              name: 'web',
              addresses: [vip4Address(lab), vip6Address(lab)],
              priorities: { n1: 150, n2: 100 },
            },
          ],
        }),
      },
      async ({ ctx, lab, n1, n2, vip }) => {
        const r = await silentDeathTrial(ctx, n1, n2);
        assert.ok(r.answeredAfterMs !== undefined, 'the client is answered over IPv6 by n2');
        assert.ok(r.outageMs <= 3 * INTERVAL_MS + 150, `IPv6 outage ${r.outageMs} ms`);
        const advertisements = r.frames.filter(
          (f) =>
            f.kind === 'neighbor-advertisement' && f.address === vip && f.claimedMac === n2.mac,
        );
        assert.ok(advertisements.length > 0, 'n2 sent an unsolicited NA for the VIP');
        const { stdout } = await lab.exec(lab.client, ['ip', '-6', 'neigh', 'show', vip]);
        assert.match(stdout, new RegExp(`lladdr ${n2.mac}`), stdout);
      },
    );
  });
});
