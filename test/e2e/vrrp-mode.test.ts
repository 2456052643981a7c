// Two vipd nodes deciding their groups by VRRPv3 on the wire (issue 12, proof 4): no mesh,
// no cluster key, no peers. The client sees what it sees with keepalived: a silent master is
// replaced within Master_Down_Interval (3 x interval + skew time), a SIGTERMed master sends
// priority 0 so the backup takes over within the skew time, and an operator moves the group
// with vipctl. IPv4 and IPv6 groups alike.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Lab } from '../src/lab.js';
import { bringUp, measureFault, silentDeathTrial } from '../src/trials.js';
import type { VipdClusterOptions } from '../src/vipd-cluster.js';
import {
  e2eSkipReason,
  hasAddress,
  runScenario,
  vip4Address,
  vip6Address,
  type ScenarioOptions,
} from './support.js';

const skip = e2eSkipReason();
const INTERVAL_MS = 100;
const PRIORITIES = { n1: 150, n2: 100 };
/** RFC 5798 §6.1: Skew_Time = ((256 - Priority) x Master_Adver_Interval) / 256, for n2. */
const SKEW_MS = ((256 - PRIORITIES.n2) * INTERVAL_MS) / 256;
const MASTER_DOWN_MS = 3 * INTERVAL_MS + SKEW_MS;
/** Adding the VIP, announcing and being scheduled on a shared 2-core machine. */
const SLACK_MS = 150;

function vrrpPair(ipv6 = false): ScenarioOptions {
  return {
    nodes: 2,
    ...(ipv6 ? { ipv6: true } : {}),
    cluster: (lab: Lab): VipdClusterOptions => ({
      intervalMs: INTERVAL_MS,
      groups: [
        {
          name: 'web',
          addresses: [ipv6 ? vip6Address(lab) : vip4Address(lab)],
          priorities: PRIORITIES,
          vrrp: { vrid: 51 },
        },
      ],
    }),
  };
}

interface GroupBody {
  readonly mode: string;
  readonly state: string;
  readonly master: string | null;
  readonly effectivePriority: number;
  readonly vrrp: { readonly vrid: number; readonly masterAddress: string | null } | null;
}

describe('vipd + vipd in VRRP mode', { skip }, () => {
  for (const ipv6 of [false, true]) {
    const family = ipv6 ? 'IPv6' : 'IPv4';
    it(`${family}: a silent master is replaced within Master_Down_Interval; the client follows`, async () => {
      await runScenario(vrrpPair(ipv6), async ({ ctx, n1, n2 }) => {
        const r = await silentDeathTrial(ctx, n1, n2);
        console.log(
          `# VRRP ${family} silent death: outage ${r.outageMs} ms, announced after ${String(r.announcedAfterMs)} ms (Master_Down_Interval ${MASTER_DOWN_MS} ms)`,
        );
        assert.ok(r.answeredAfterMs !== undefined, 'n2 answers the client after the death');
        // A backup cannot declare the master dead before about 2 intervals of silence (the
        // last advert may have been just before the fault), and must by Master_Down_Interval.
        assert.ok(r.outageMs >= 2 * INTERVAL_MS, `outage ${r.outageMs} ms`);
        assert.ok(r.outageMs <= MASTER_DOWN_MS + SLACK_MS, `outage ${r.outageMs} ms`);
      });
    });
  }

  it('SIGTERM of the master: priority 0 goes out, the backup takes over within the skew time', async () => {
    await runScenario(vrrpPair(), async ({ ctx, cluster, lab, n1, n2, vip }) => {
      await bringUp(ctx, n1, [n2]);
      const daemon = cluster.process(n1)!;
      const r = await measureFault(ctx, n2, () => {
        daemon.signal('SIGTERM');
        return Promise.resolve();
      });
      console.log(
        `# VRRP SIGTERM: outage ${r.outageMs} ms, n2 announced after ${String(r.announcedAfterMs)} ms (skew ${SKEW_MS} ms)`,
      );
      assert.deepEqual(await daemon.exited, { code: 0, signal: null });
      assert.ok(r.announcedAfterMs !== undefined, 'n2 announced the VIP');
      // Without the priority 0 advert n2 would wait Master_Down_Interval (361 ms).
      assert.ok(
        r.announcedAfterMs <= SKEW_MS + SLACK_MS,
        `n2 announced ${r.announcedAfterMs} ms after SIGTERM`,
      );
      // n1 keeps the VIP until n2's advert: the client sees no gap as long as the skew time
      // it would see if n1 removed the VIP at once.
      assert.ok(r.outageMs < SKEW_MS, `outage ${r.outageMs} ms`);
      assert.ok(!(await hasAddress(lab, n1, vip)), 'n1 removed the VIP on the way out');
    });
  });

  it('vipctl takeover on the backup advertises 254 until release; status shows vrrp, VRID, master', async () => {
    await runScenario(vrrpPair(), async ({ ctx, cluster, lab, n1, n2, vip }) => {
      await bringUp(ctx, n1, [n2]);
      const status = await cluster.vipctl(n2, ['status']);
      assert.match(status.stdout, /web\s+BACKUP\s+vrrp 51\s+10\.\S+\s+100\s+100\s+-/);

      const takeover = await measureFault(ctx, n2, () => cluster.vipctl(n2, ['takeover', 'web']));
      assert.ok(takeover.answeredAfterMs !== undefined, 'the client follows the takeover');
      assert.ok(await hasAddress(lab, n2, vip), 'n2 holds the VIP');
      const onN2 = (await cluster.api(n2, 'GET', '/v1/groups/web')).body as GroupBody;
      assert.equal(onN2.mode, 'vrrp');
      const vrrp = onN2.vrrp;
      assert.ok(vrrp !== null, 'a VRRP group carries its VRRP view');
      assert.equal(vrrp.vrid, 51);
      assert.equal(onN2.state, 'MASTER');
      assert.equal(onN2.effectivePriority, 254);
      await cluster.waitForState(n1, 'web', 'backup', 5_000);
      const onN1 = (await cluster.api(n1, 'GET', '/v1/groups/web')).body as GroupBody;
      assert.equal(onN1.master, vrrp.masterAddress, "n1 follows n2's address");

      // Back to 100: n1 (150, preempting) takes the group back.
      const release = await measureFault(ctx, n1, () => cluster.vipctl(n2, ['release', 'web']));
      assert.ok(release.answeredAfterMs !== undefined, 'n1 answers the client again');
      await cluster.waitForState(n2, 'web', 'backup', 5_000);
      const released = (await cluster.api(n2, 'GET', '/v1/groups/web')).body as GroupBody;
      assert.equal(released.effectivePriority, 100);
    });
  });
});
