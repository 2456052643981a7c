// The adversarial suite (docs/security.md): someone on the heartbeat network without the cluster key cannot split
// the cluster. Real vipd daemons in namespaces (two nodes, 100 ms, no quorum guard); the
// attacker runs in the client namespace with plain `ws` clients. During each attack the
// pair must keep exactly one master and report no peer down.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { heartbeatUrl, startAttack } from '../src/attacks/attacker.js';
import { processCpuNs } from '../src/cpu.js';
import { HEARTBEAT_PORT } from '../src/vipd-cluster.js';
import {
  assertLinkBack,
  assertOneMaster,
  assertUndisturbed,
  cutLinkOnce,
  counterTotal,
  note,
  noteWatch,
  pairCluster,
  underAttack,
  type LinkCut,
} from './adversarial-support.js';
import { e2eSkipReason, runScenario, sleep } from './support.js';

const skip = e2eSkipReason();
const ATTACK_TIMEOUT_MS = 60_000;

describe('adversarial: heartbeat port, no key', { skip }, () => {
  it('relay: two clients forwarding frames between n1 and n2 never become the link', async () => {
    await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
      let result: Record<string, unknown> = {};
      const attacked = await underAttack(s, async () => {
        const attack = startAttack(
          s.lab,
          s.lab.client,
          'heartbeat-relay',
          [
            ...[
              '--a',
              heartbeatUrl(s.n1, HEARTBEAT_PORT),
              '--b',
              heartbeatUrl(s.n2, HEARTBEAT_PORT),
            ],
            ...['--duration-ms', '6000', '--round-ms', '2000', '--forward-ms', '400'],
          ],
          ATTACK_TIMEOUT_MS,
        );
        result = await attack.result;
      });
      note('relay attacker', result);
      noteWatch('relay', attacked);
      // The attack reached both nodes. (Whether a node still greets a stranger, so there is
      // anything to forward, is up to the node: a node that does not is simply safe.)
      assert.ok(Number(result['connectionsOpened']) >= 2, 'the relay did not reach both nodes');
      assertUndisturbed(attacked, 'relay');
      await assertOneMaster(s, 'relay');
    });
  });

  it('parked hellos: the n1–n2 link cut once comes back within the reconnect backoff', async () => {
    await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
      let result: Record<string, unknown> = {};
      let cut: LinkCut | undefined;
      const attacked = await underAttack(s, async (a) => {
        const attack = startAttack(
          s.lab,
          s.lab.client,
          'parked-hellos',
          [
            ...[
              '--a',
              heartbeatUrl(s.n1, HEARTBEAT_PORT),
              '--b',
              heartbeatUrl(s.n2, HEARTBEAT_PORT),
            ],
            ...['--rate', '5', '--duration-ms', '8000'],
          ],
          ATTACK_TIMEOUT_MS,
        );
        await attack.ready;
        await sleep(2_000);
        cut = await cutLinkOnce(s, a);
        result = await attack.result;
      });
      note('parked-hellos attacker', result);
      note('parked-hellos link back after the cut (ms)', cut?.backAfterMs);
      noteWatch('parked-hellos', attacked);
      assert.ok(Number(result['connectionsOpened']) > 0, 'the attacker reached no node');
      assertLinkBack('parked hellos', attacked, cut!);
      await assertOneMaster(s, 'parked hellos');
    });
  });

  it('garbage: 64 KiB random and wrong-MAC frames at full speed change nothing', async () => {
    await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
      let result: Record<string, unknown> = {};
      const cpu = { idlePercent: 0, attackPercent: 0 };
      let rejected = 0;
      let badMac = 0;
      const attacked = await underAttack(s, async () => {
        const [pid] = s.cluster.daemonPids(s.n1);
        assert.ok(pid !== undefined, 'vipd is not running on n1');
        const rejectedBefore = await counterTotal(s, s.n1, 'vipd_heartbeats_rejected_total');
        const badMacBefore = await counterTotal(
          s,
          s.n1,
          'vipd_heartbeats_rejected_total',
          'reason="bad-mac"',
        );
        const percentOfCore = async (run: () => Promise<unknown>): Promise<number> => {
          const before = processCpuNs(pid);
          const startedAt = performance.now();
          await run();
          return ((processCpuNs(pid) - before) / 1e6 / (performance.now() - startedAt)) * 100;
        };
        cpu.idlePercent = await percentOfCore(() => sleep(4_000));
        const attack = startAttack(
          s.lab,
          s.lab.client,
          'garbage-frames',
          [
            ...['--url', heartbeatUrl(s.n1, HEARTBEAT_PORT), '--kind', 'random,wrong-mac'],
            ...['--connections', '4', '--duration-ms', '10000'],
            ...['--node-id', s.n2.name, '--receiver-id', s.n1.name],
          ],
          ATTACK_TIMEOUT_MS,
        );
        // The frames are built before "ready": count the node's CPU from the first one.
        await attack.ready;
        cpu.attackPercent = await percentOfCore(() => attack.result);
        result = await attack.result;
        rejected = (await counterTotal(s, s.n1, 'vipd_heartbeats_rejected_total')) - rejectedBefore;
        badMac =
          (await counterTotal(s, s.n1, 'vipd_heartbeats_rejected_total', 'reason="bad-mac"')) -
          badMacBefore;
      });
      note('garbage attacker', result);
      note(
        'garbage: n1 vipd CPU (% of one core)',
        `idle ${cpu.idlePercent.toFixed(1)} %, under attack ${cpu.attackPercent.toFixed(1)} %`,
      );
      note('garbage: frames rejected by n1', { all: rejected, badMac });
      noteWatch('garbage', attacked);
      assert.ok(Number(result['framesSent']) > 0, 'the attacker sent no frame');
      assert.ok(rejected > 0, 'n1 counted no rejected frame');
      // The wrong-MAC frames got through every structural check to the MAC: the costliest
      // path a keyless sender can drive.
      assert.ok(
        badMac > 0,
        'no wrong-MAC frame reached the MAC check: if n1 counts them as bad-version, the ' +
          'heartbeat wire format has moved past protocol 3 and wrongMacFrame() in ' +
          'test/src/attacks/garbage-frames.ts must follow it',
      );
      assertUndisturbed(attacked, 'garbage frames');
      await assertOneMaster(s, 'garbage frames');
    });
  });
});
