// Faults injected between real meshes by TCP proxies: a blackholed link is reported
// 'silent' after downMultiplier x interval (not before, and promptly after), a cut
// connection 'closed' at once, a slow path shows in the RTT, and links heal by themselves —
// while the third node never notices anything.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nowMs } from '../src/clock.js';
import { startCluster, type TestCluster } from './helpers/cluster.js';
import { record, sleep, until, waitForEvent } from './helpers/wait.js';

// Wide enough that a stall of this shared test machine is not mistaken for a fault.
const INTERVAL_MS = 50;
const DOWN_MULTIPLIER = 4;
const DOWN_AFTER_MS = DOWN_MULTIPLIER * INTERVAL_MS;

describe('heartbeat mesh under injected faults', () => {
  let cluster: TestCluster;
  let cDowns: ReturnType<typeof record<'peer-down'>>[];
  before(async () => {
    cluster = await startCluster(['a', 'b', 'c'], () => ({
      intervalMs: INTERVAL_MS,
      downMultiplier: DOWN_MULTIPLIER,
      authTimeoutMs: 300,
    }));
    for (const id of ['a', 'b', 'c']) {
      await until(
        () =>
          cluster
            .node(id)
            .mesh.peers()
            .every((peer) => peer.up),
        `${id} all up`,
      );
    }
    // Node c's links are never faulted: nothing must ever go down on them.
    cDowns = ['a', 'b', 'c'].map((id) => record(cluster.node(id).mesh, 'peer-down'));
  });
  after(async () => {
    await cluster.stop();
  });

  const healAll = (): void => {
    for (const proxy of cluster.link('a', 'b')) proxy.restore();
  };
  const bothUp = async (): Promise<void> => {
    await until(
      () =>
        cluster
          .node('a')
          .mesh.peers()
          .every((peer) => peer.up) &&
        cluster
          .node('b')
          .mesh.peers()
          .every((peer) => peer.up),
      'a and b up again',
    );
  };

  it('reports a blackholed link as silent after down_multiplier x interval, then heals', async () => {
    const a = cluster.node('a').mesh;
    const b = cluster.node('b').mesh;
    const downOnA = waitForEvent(a, 'peer-down', (peer) => peer === 'b');
    const downOnB = waitForEvent(b, 'peer-down', (peer) => peer === 'a');
    for (const proxy of cluster.link('a', 'b')) proxy.blackhole();
    const [, reasonOnA] = await downOnA;
    const detectedAt = nowMs();
    const lastHeard = a.peers().find((peer) => peer.id === 'b')!.lastHeartbeatAtMs!;
    const [, reasonOnB] = await downOnB;
    assert.equal(reasonOnA, 'silent');
    assert.equal(reasonOnB, 'silent');
    const silenceMs = detectedAt - lastHeard;
    assert.ok(silenceMs >= DOWN_AFTER_MS, `declared down after only ${silenceMs} ms`);
    // Never early; the precision itself is unit-tested (SilenceWatch) — here only a bound a
    // busy CI machine cannot break, which still catches a detector that never fires.
    assert.ok(silenceMs < DOWN_AFTER_MS + 1000, `took ${silenceMs} ms to notice`);

    const upOnA = waitForEvent(a, 'peer-up', (peer) => peer === 'b', 5000);
    healAll();
    await upOnA;
    await bothUp();
  });

  it('reports a cut connection as closed at once, not as silence, and reconnects', async () => {
    const a = cluster.node('a').mesh;
    const b = cluster.node('b').mesh;
    const downOnA = waitForEvent(a, 'peer-down', (peer) => peer === 'b');
    const downOnB = waitForEvent(b, 'peer-down', (peer) => peer === 'a');
    const cutAt = nowMs();
    for (const proxy of cluster.link('a', 'b')) proxy.cut();
    const [[, reasonOnA], [, reasonOnB]] = await Promise.all([downOnA, downOnB]);
    assert.equal(reasonOnA, 'closed');
    assert.equal(reasonOnB, 'closed');
    assert.ok(nowMs() - cutAt < 1000);
    await bothUp();
  });

  it('measures the extra round trip of a delayed path', async () => {
    const a = cluster.node('a').mesh;
    const rttTo = (id: string): number =>
      a.peers().find((peer) => peer.id === id)!.lastRttMs ?? Number.NaN;
    const median = (values: number[]): number => values.sort((x, y) => x - y)[values.length >> 1]!;
    for (const proxy of cluster.link('a', 'b')) proxy.delay(15);
    await until(() => rttTo('b') >= 30, 'RTT to b above 30 ms', 3000);
    // Medians of samples taken over ~10 intervals: robust to one stall of this machine.
    const toB: number[] = [];
    const toC: number[] = [];
    for (let i = 0; i < 10; i++) {
      await sleep(INTERVAL_MS);
      toB.push(rttTo('b'));
      toC.push(rttTo('c'));
    }
    assert.ok(median(toB) >= 30, `RTT to b ${median(toB)} ms with 2 x 15 ms added`);
    assert.ok(median(toC) + 15 < median(toB), `RTT to c ${median(toC)} ms unaffected`);
    // 15 ms each way is well inside the down window: b never went down.
    assert.ok(a.peers().every((peer) => peer.up));
    healAll();
    await until(() => rttTo('b') < 15, 'RTT back down', 3000);
  });

  it('brings a merely late peer back up on the same connection, without redialling', async () => {
    const a = cluster.node('a').mesh;
    const b = cluster.node('b').mesh;
    await bothUp();
    const accepted = cluster.link('a', 'b').map((proxy) => proxy.accepted);
    const dials = a.stats().dialAttempts + b.stats().dialAttempts;
    const down = waitForEvent(a, 'peer-down', (peer) => peer === 'b');
    const backUp = waitForEvent(a, 'peer-up', (peer) => peer === 'b', 5000);
    // 300 ms late each way: past the 200 ms down window, well short of the 1 s cut.
    for (const proxy of cluster.link('a', 'b')) proxy.delay(300);
    assert.equal((await down)[1], 'silent');
    await backUp;
    assert.deepEqual(
      cluster.link('a', 'b').map((proxy) => proxy.accepted),
      accepted,
      'no new connection was opened',
    );
    assert.equal(a.stats().dialAttempts + b.stats().dialAttempts, dials);
    healAll();
    await bothUp();
  });

  it('redials a dead peer with bounded attempts and is back within a few intervals', async (t) => {
    const a = cluster.node('a').mesh;
    const b = cluster.node('b').mesh;
    // Only a may dial, so this measures a's redial, not b's dial at start.
    cluster.proxy('b', 'a').refuse();
    const down = waitForEvent(a, 'peer-down', (peer) => peer === 'b');
    await b.stop();
    await down;
    cluster.proxy('a', 'b').refuse();
    const attemptsBefore = a.stats().dialAttempts;
    await sleep(500);
    const attempts = a.stats().dialAttempts - attemptsBefore;
    // Backoff caps at 2 x interval = 100 ms with half jitter: roughly 6-12 attempts in 500 ms.
    assert.ok(attempts >= 3 && attempts <= 30, `${attempts} dial attempts in 500 ms`);

    await b.start();
    for (const from of ['a', 'c']) cluster.proxy(from, 'b').setTarget(b.port());
    const up = waitForEvent(a, 'peer-up', (peer) => peer === 'b');
    const reachableAt = nowMs();
    cluster.proxy('a', 'b').restore();
    await up;
    const backMs = nowMs() - reachableAt;
    t.diagnostic(`peer back ${Math.round(backMs)} ms after it became reachable`);
    // The backoff cap is 100 ms; a generic 30 s cap would fail this even on a busy machine.
    assert.ok(backMs < 2000, `back after ${backMs} ms`);
    cluster.proxy('b', 'a').restore();
    await bothUp();
  });

  it('never cut node c, whose links were not faulted', async (t) => {
    const downs = cDowns.flatMap((recorded, i) =>
      recorded.calls
        .filter(([peer]) => peer === 'c' || i === 2)
        .map(([peer, reason]) => `${['a', 'b', 'c'][i]} lost ${peer} (${reason})`),
    );
    // b's restart is seen by c as 'closed'; that one is expected. A 'silent' here can only
    // come from this process stalling (all three nodes share one event loop), so it is
    // reported, not failed on.
    // After such a stall the side that notices first cuts the connection, so the other
    // side may then see 'closed': only a run without stalls proves nothing leaked onto c.
    const silent = downs.filter((line) => line.endsWith('(silent)'));
    if (silent.length > 0) {
      t.diagnostic(`event-loop stalls seen, isolation not checked: ${downs.join(', ')}`);
    } else {
      assert.deepEqual(
        downs.filter((line) => line !== 'c lost b (closed)'),
        [],
      );
    }
    for (const id of ['a', 'b', 'c']) {
      await until(
        () =>
          cluster
            .node(id)
            .mesh.peers()
            .every((peer) => peer.up),
        `${id} all up`,
      );
    }
  });
});
