// Planned takeover, over REST and with vipctl: the new master announces first and the old
// one steps down on seeing the new epoch, so the client's gap stays within 10 ms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { median } from '../src/probe-analysis.js';
import { bringUp, measureFault } from '../src/trials.js';
import {
  e2eSkipReason,
  runScenario,
  pairScenario,
  type Scenario,
  type ScenarioOptions,
} from './support.js';

const skip = e2eSkipReason();
const TRIALS = 3;
const MAX_GAP_MS = 10;
/**
 * Draining keeps the old master's VIPs until the new one is heard (gaps of 0 ms here); a
 * drain that dropped them at once measured ~12 ms, so this bound tells the two apart.
 */
const MAX_DRAIN_GAP_MS = 5;

/** n1 master, n2 backup, no preempt: only the planned move makes n2 master. */
const NO_PREEMPT: ScenarioOptions = pairScenario({ preempt: false });

interface PlannedMove {
  readonly maxGapMs: number;
  readonly move: (scenario: Scenario) => Promise<void>;
  /** n1's state for its group afterwards. */
  readonly oldMasterState: 'backup' | 'maintenance';
  /** Runs once a trial is measured. */
  readonly after?: (scenario: Scenario) => Promise<void>;
}

/**
 * TRIALS bring-ups with n1 master, each followed by the move, which must leave n2 master;
 * asserts the median client-visible gap (one trial on a shared 2-core machine can be
 * descheduled).
 */
async function medianGapOfMove(planned: PlannedMove): Promise<void> {
  const { maxGapMs, move, oldMasterState, after = () => Promise.resolve() } = planned;
  await runScenario(NO_PREEMPT, async (scenario) => {
    const { ctx, cluster, n1, n2 } = scenario;
    const gaps: number[] = [];
    for (let trial = 0; trial < TRIALS; trial += 1) {
      await bringUp(ctx, n1, [n2]);
      const r = await measureFault(ctx, n2, () => move(scenario));
      assert.ok(r.answeredAfterMs !== undefined, 'the client is answered by n2');
      assert.equal(await cluster.groupState(n1, 'web'), oldMasterState, 'n1 stepped down');
      assert.equal(await cluster.groupState(n2, 'web'), 'master');
      gaps.push(r.outageMs);
      await after(scenario);
    }
    assert.ok(median(gaps) <= maxGapMs, `gaps ${gaps.map((g) => g.toFixed(1)).join(', ')} ms`);
  });
}

describe('planned takeover', { skip }, () => {
  it(`via REST: the VIP moves to the backup with a client-visible gap <= ${MAX_GAP_MS} ms`, async () => {
    await medianGapOfMove({
      maxGapMs: MAX_GAP_MS,
      oldMasterState: 'backup',
      move: async ({ cluster, n2 }) => {
        const response = await cluster.api(n2, 'POST', '/v1/groups/web/takeover');
        assert.equal(response.status, 200, JSON.stringify(response.body));
      },
    });
  });

  it(`via vipctl: the VIP moves to the backup with a client-visible gap <= ${MAX_GAP_MS} ms`, async () => {
    await medianGapOfMove({
      maxGapMs: MAX_GAP_MS,
      oldMasterState: 'backup',
      move: async ({ cluster, n2 }) => {
        await cluster.vipctl(n2, ['takeover', 'web']);
      },
    });
  });

  it(`maintenance on the master (vipctl): the VIP moves to the backup with a gap <= ${MAX_DRAIN_GAP_MS} ms`, async () => {
    await medianGapOfMove({
      maxGapMs: MAX_DRAIN_GAP_MS,
      oldMasterState: 'maintenance',
      move: async ({ cluster, n1 }) => {
        await cluster.vipctl(n1, ['maintenance', 'on']);
      },
      // Maintenance outlives a restart (node.state_file): end it before the next bring-up.
      after: async ({ cluster, n1 }) => {
        await cluster.vipctl(n1, ['maintenance', 'off']);
      },
    });
  });

  it('refuses a takeover without the bearer token (401) and leaves the master alone', async () => {
    await runScenario(pairScenario(), async ({ ctx, lab, n1, n2 }) => {
      await bringUp(ctx, n1, [n2]);
      const { stdout } = await lab.exec(n2, [
        process.execPath,
        '-e',
        "fetch('http://127.0.0.1:7411/v1/groups/web/takeover',{method:'POST'}).then(r=>console.log(r.status))",
      ]);
      assert.equal(stdout.trim(), '401');
      assert.equal(ctx.prober.currentResponder?.node, 'n1');
    });
  });
});
