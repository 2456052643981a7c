// Issue #12, proof 5: a third router on the LAN sends bad VRRP adverts that would each make the
// master step down if accepted (priority 254). vipd refuses every one with its RFC 5798 §7.1
// reason, counts it and logs it; neither vipd nor keepalived changes state. A good advert
// from the same injector then does make vipd step down: the bad ones did reach it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdvertFields } from '@vipd/vrrp';
import { bringUp } from '../src/trials.js';
import { encodeVrrpv2, VrrpInjector } from '../src/vrrp-injector.js';
import { counterTotal } from './adversarial-support.js';
import { sleep, wallClockMs } from './support.js';
import { report, runVrrpScenario, vrrpSkipReason } from './vrrp-support.js';

const skip = vrrpSkipReason();
const INTERVAL_MS = 100;
const COPIES = 5;
const REJECTED = 'vipd_vrrp_adverts_rejected_total';

describe('VRRP adverts vipd must refuse', { skip }, () => {
  it('proof 5: wrong VRID, wrong address list, TTL 1, bad checksum and VRRPv2 are each counted and logged with their reason; nothing changes state', async () => {
    await runVrrpScenario(
      { nodes: 3, intervalMs: INTERVAL_MS, speakers: { n1: 'vipd', n2: 'keepalived' } },
      async ({ ctx, cluster, lab, adverts, prober, n1, n2, n3 }) => {
        await bringUp(ctx, n1, [n2]);
        const vipd = { cluster: cluster.vipd };
        const injector = VrrpInjector.open(n3);
        const takeover: AdvertFields = {
          vrid: 51,
          priority: 254,
          maxAdvertIntervalCs: INTERVAL_MS / 10,
          addresses: [lab.vip4()],
        };
        const good = injector.advert(takeover);
        const badChecksum = Buffer.from(good);
        badChecksum.writeUInt16BE(badChecksum.readUInt16BE(6) ^ 0x5a5a, 6);
        const cases: { reason: string; payload: Buffer; ttl?: number }[] = [
          { reason: 'vrid', payload: injector.advert({ ...takeover, vrid: 52 }) },
          {
            reason: 'address-list',
            payload: injector.advert({ ...takeover, addresses: [lab.vip4(1)] }),
          },
          { reason: 'ttl', payload: good, ttl: 1 },
          { reason: 'checksum', payload: badChecksum },
          { reason: 'vrrpv2', payload: encodeVrrpv2(takeover, 1) },
        ];
        const before = new Map<string, number>();
        for (const c of cases)
          before.set(c.reason, await counterTotal(vipd, n1, REJECTED, `reason="${c.reason}"`));
        const keepalivedLines = cluster.process(n2)!.output().length;
        await prober.collect();
        const fromMs = wallClockMs();
        try {
          for (let copy = 0; copy < COPIES; copy += 1) {
            for (const c of cases) await injector.send(c.payload, c.ttl);
            await sleep(INTERVAL_MS / 2);
          }
          await sleep(3 * INTERVAL_MS);
          const counted: string[] = [];
          for (const c of cases) {
            const added =
              (await counterTotal(vipd, n1, REJECTED, `reason="${c.reason}"`)) -
              (before.get(c.reason) ?? 0);
            assert.equal(added, COPIES, `${c.reason}: ${added} of ${COPIES} counted`);
            const logged = cluster
              .process(n1)!
              .output()
              .find((line) => line.includes(`"reason":"${c.reason}"`) && line.includes(n3.ipv4));
            assert.ok(logged !== undefined, `vipd logged a ${c.reason} refusal naming ${n3.ipv4}`);
            counted.push(`${c.reason} ${added}`);
          }
          // Nothing changed: vipd is master and answers alone, keepalived stayed backup, and
          // nobody but vipd advertised.
          assert.equal(await cluster.vipd.groupState(n1, 'web'), 'master');
          const record = await prober.collect();
          assert.ok(record.replies.length > 0, 'the client was answered throughout');
          assert.deepEqual(new Set(record.replies.map((r) => r.node)), new Set(['n1']));
          const newLines = cluster.process(n2)!.output().slice(keepalivedLines);
          assert.ok(
            !newLines.some((line) => /Entering (MASTER|BACKUP|FAULT) STATE/.test(line)),
            `keepalived changed state: ${newLines.join(' | ')}`,
          );
          const routers = adverts.adverts(fromMs).filter((a) => a.sourceAddress !== n3.ipv4);
          assert.ok(routers.length >= COPIES, 'vipd kept advertising');
          assert.ok(
            routers.every((a) => a.sourceAddress === n1.ipv4 && a.priority === 150),
            'only vipd advertised, at its own priority',
          );
          report(`refused and counted by vipd: ${counted.join(', ')}; no state change`);

          // The control: the same injector's valid priority-254 advert is obeyed. It keeps
          // advertising, as a real master does: vipd rightly takes the group back a master-down
          // interval after the last advert, which a loaded machine's poll could miss.
          const advertising = setInterval(() => {
            injector.send(good).catch(() => undefined);
          }, INTERVAL_MS);
          try {
            await cluster.vipd.waitForState(n1, 'web', 'backup', 5_000);
          } finally {
            clearInterval(advertising);
          }
        } finally {
          injector.close();
        }
      },
    );
  });
});
