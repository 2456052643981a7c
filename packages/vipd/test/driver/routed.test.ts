// A routed group through the driver, on the manual clock: a route per VIP at metric
// 2^32-1-epoch instead of gratuitous ARP, add-new-then-delete-old on a new epoch,
// make-before-break on a release, withdrawal on FAULT and shutdown.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ROUTED_HANDOVER_GRACE_MS } from '../../src/driver/driver.js';
import { epochMetric } from '../../src/driver/route-announcer.js';
import { DOWN_AFTER_MS, Harness, flush, testConfig } from './harness.js';

const WEB = {
  name: 'web',
  addresses: ['198.51.100.10/32', '2001:db8:5::10/128'],
  priority: 150,
  routedTable: 250,
};
const M = (epoch: number) => 0xffff_ffff - epoch;

let harness: Harness | undefined;
async function master(group: typeof WEB & { preempt?: boolean } = WEB): Promise<Harness> {
  harness = new Harness(testConfig({ groups: [group] }));
  await harness.start();
  await harness.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
  await harness.advance(1);
  assert.equal(harness.state('web'), 'MASTER');
  return harness;
}
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('Driver: routed groups', () => {
  it('epochMetric: newer epochs get lower metrics, clamped to the u32 range', () => {
    assert.equal(epochMetric(0), 4294967295);
    assert.equal(epochMetric(7), 4294967288);
    assert.equal(epochMetric(2 ** 40), 0);
  });

  it('the master puts the VIPs on lo and a route per VIP in its table, no ARP', async () => {
    const h = await master();
    const epoch = h.driver.group('web')?.epoch ?? -1;
    assert.ok(epoch >= 1);
    assert.deepEqual(h.routes.present(), [
      `198.51.100.10 250 ${M(epoch)}`,
      `2001:db8:5::10 250 ${M(epoch)}`,
    ]);
    assert.deepEqual(h.present(), ['198.51.100.10/32', '2001:db8:5::10/128']);
    assert.ok(h.addresses.present().every((v) => v.interface === 'lo'));
    assert.equal(h.announcer.announcing('web'), undefined, 'no gratuitous ARP for a routed group');
    assert.equal(h.conflicts.watched.get('web'), undefined, 'nothing to watch on lo');
    const metrics = await h.metrics.render();
    assert.match(metrics, /vipd_routes_announced_total\{group="web"\} 2/);
  });

  it('a reclaim at a newer epoch adds the new routes before deleting the old ones', async () => {
    const h = await master();
    const epoch = h.driver.group('web')?.epoch ?? -1;
    // A rival master it outranks: n1 reclaims with a new epoch and stays master.
    await h.say('n2', { web: { state: 'MASTER', priority: 100, epoch: epoch + 1 } });
    const next = h.driver.group('web')?.epoch ?? -1;
    assert.ok(next > epoch, `epoch ${next} after ${epoch}`);
    assert.deepEqual(h.routes.present(), [
      `198.51.100.10 250 ${M(next)}`,
      `2001:db8:5::10 250 ${M(next)}`,
    ]);
    const log = h.routes.log.slice(2);
    assert.deepEqual(log, [
      `add 198.51.100.10 250 ${M(next)}`,
      `add 2001:db8:5::10 250 ${M(next)}`,
      `del 198.51.100.10 250 ${M(epoch)}`,
      `del 2001:db8:5::10 250 ${M(epoch)}`,
    ]);
  });

  it('release: route and VIPs stay until the new master is seen, then for the grace', async () => {
    // No preempt: the released node must not take the group straight back within the grace.
    const h = await master({ ...WEB, preempt: false });
    const epoch = h.driver.group('web')?.epoch ?? -1;
    const release = h.driver.release('web', 5000);
    await flush();
    assert.equal(h.state('web'), 'BACKUP');
    assert.equal(h.routes.present().length, 2, 'the route stays through the hand-over');
    // n2 keeps sending heartbeats as master (silent, it would be declared dead meanwhile).
    const n2Master = { web: { state: 'MASTER' as const, priority: 100, epoch: epoch + 1 } };
    for (let elapsedMs = 0; elapsedMs < ROUTED_HANDOVER_GRACE_MS - 1; elapsedMs += 99) {
      await h.say('n2', n2Master);
      await h.advance(Math.min(99, ROUTED_HANDOVER_GRACE_MS - 1 - elapsedMs));
    }
    await h.say('n2', n2Master);
    assert.equal(h.routes.present().length, 2, 'still there within the grace');
    assert.equal(h.present().length, 2);
    await h.advance(1);
    assert.deepEqual(h.routes.present(), []);
    assert.deepEqual(h.present(), []);
    assert.ok((await release).ok, 'the release is done once the VIPs are gone');
    assert.match(await h.metrics.render(), /vipd_routes_withdrawn_total\{group="web"\} 2/);
  });

  it('a failed route add FAULTs the group and leaves neither route nor VIP', async () => {
    harness = new Harness(testConfig({ groups: [WEB] }));
    const h = harness;
    await h.start();
    h.routes.failNextAdd = new Error('EPERM');
    await h.advance(DOWN_AFTER_MS);
    assert.equal(h.state('web'), 'FAULT');
    assert.deepEqual(h.routes.present(), []);
    assert.deepEqual(h.present(), []);
    assert.match(
      await h.metrics.render(),
      /vipd_route_operation_failures_total\{group="web",operation="add"\} 1/,
    );
  });

  it('shutdown (resign) withdraws every route, whether or not a new master showed', async () => {
    const h = await master();
    const resigned = h.driver.resign();
    await h.advance(DOWN_AFTER_MS * 10);
    await resigned;
    assert.deepEqual(h.routes.present(), []);
    assert.deepEqual(h.present(), []);
  });

  it('abandon: a dying node drops its routes before its VIPs', async () => {
    const h = await master();
    h.driver.abandon();
    assert.deepEqual(h.routes.present(), []);
    assert.deepEqual(h.present(), []);
  });
});
