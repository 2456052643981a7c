// Planned takeover, over REST and with vipctl: the new master announces first and the old
// one steps down on seeing the new epoch, so the client's gap stays within 10 ms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median } from '../src/probe-analysis.js';
import { bringUp, measureFault } from '../src/trials.js';
import { e2eSkipReason, runScenario, vip4Address } from './support.js';

const skip = e2eSkipReason();
const TRIALS = 3;
const MAX_GAP_MS = 10;
/**
 * Draining keeps the old master's VIPs until the new one is heard (gaps of 0 ms here); a
 * drain that dropped them at once measured ~12 ms, so this bound tells the two apart.
 */
const MAX_DRAIN_GAP_MS = 5;

describe('planned takeover', { skip }, () => {
  for (const via of ['REST', 'vipctl'] as const) {
    it(`via ${via}: the VIP moves to the backup with a client-visible gap <= ${MAX_GAP_MS} ms`, async () => {
      await runScenario(
        {
          nodes: 2,
          cluster: (lab) => ({
            intervalMs: 100,
            // Without preempt the forced takeover is the only reason n2 becomes master.
            groups: [
              {
                name: 'web',
                addresses: [vip4Address(lab)],
                priorities: { n1: 150, n2: 100 },
                preempt: false,
              },
            ],
          }),
        },
        async ({ ctx, cluster, n1, n2 }) => {
          const gaps: number[] = [];
          for (let trial = 0; trial < TRIALS; trial += 1) {
            await bringUp(ctx, n1, [n2]);
            const r = await measureFault(ctx, n2, async () => {
              if (via === 'REST') {
                const response = await cluster.api(n2, 'POST', '/v1/groups/web/takeover');
                assert.equal(response.status, 200, JSON.stringify(response.body));
              } else {
                await cluster.vipctl(n2, ['takeover', 'web']);
              }
            });
            assert.ok(r.answeredAfterMs !== undefined, 'the client is answered by n2');
            assert.equal(
              await cluster.groupState(n1, 'web'),
              'backup',
              'the old master stepped down',
            );
            gaps.push(r.outageMs);
          }
          // Median of three: one trial on a shared 2-core machine can be descheduled.
          assert.ok(
            median(gaps) <= MAX_GAP_MS,
            `gaps ${gaps.map((g) => g.toFixed(1)).join(', ')} ms`,
          );
        },
      );
    });
  }

  it(`maintenance on the master (vipctl): the VIP moves to the backup with a gap <= ${MAX_DRAIN_GAP_MS} ms`, async () => {
    await runScenario(
      {
        nodes: 2,
        cluster: (lab) => ({
          intervalMs: 100,
          groups: [
            {
              name: 'web',
              addresses: [vip4Address(lab)],
              priorities: { n1: 150, n2: 100 },
              preempt: false,
            },
          ],
        }),
      },
      async ({ ctx, cluster, n1, n2 }) => {
        const gaps: number[] = [];
        for (let trial = 0; trial < TRIALS; trial += 1) {
          await bringUp(ctx, n1, [n2]);
          const r = await measureFault(ctx, n2, async () => {
            await cluster.vipctl(n1, ['maintenance', 'on']);
          });
          assert.ok(r.answeredAfterMs !== undefined, 'the client is answered by n2');
          assert.equal(await cluster.groupState(n2, 'web'), 'master');
          gaps.push(r.outageMs);
          // Maintenance outlives a restart (node.state_file): end it before the next bring-up.
          await cluster.vipctl(n1, ['maintenance', 'off']);
        }
        assert.ok(
          median(gaps) <= MAX_DRAIN_GAP_MS,
          `gaps ${gaps.map((g) => g.toFixed(1)).join(', ')} ms`,
        );
      },
    );
  });

  it('refuses a takeover without the bearer token (401) and leaves the master alone', async () => {
    await runScenario(
      {
        nodes: 2,
        cluster: (lab) => ({
          intervalMs: 100,
          groups: [
            { name: 'web', addresses: [vip4Address(lab)], priorities: { n1: 150, n2: 100 } },
          ],
        }),
      },
      async ({ ctx, lab, n1, n2 }) => {
        await bringUp(ctx, n1, [n2]);
        const { stdout } = await lab.exec(n2, [
          process.execPath,
          '-e',
          "fetch('http://127.0.0.1:7411/v1/groups/web/takeover',{method:'POST'}).then(r=>console.log(r.status))",
        ]);
        assert.equal(stdout.trim(), '401');
        assert.equal(ctx.prober.currentResponder?.node, 'n1');
      },
    );
  });
});
