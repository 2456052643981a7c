// Both nodes dial each other at the same moment: two connections authenticate, and both
// sides must independently keep the same one (the lower node id's dial) and drop the other
// without ever reporting the peer down. Held dials are released together, with skews that
// make either side finish its handshakes first.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHeartbeatMesh, type HeartbeatMesh } from '../src/index.js';
import { TEST_CLUSTER, TEST_KEY } from './helpers/cluster.js';
import { FaultProxy } from './helpers/fault-proxy.js';
import { record, until } from './helpers/wait.js';

async function raceDials(skewLowMs: number, skewHighMs: number): Promise<void> {
  const ids = ['n1', 'n2'] as const;
  // proxies.n1 is the one n1 dials to reach n2, and so on.
  const proxies = { n1: await FaultProxy.start(), n2: await FaultProxy.start() };
  const meshes: Record<string, HeartbeatMesh> = {};
  for (const id of ids) {
    const peer = id === 'n1' ? 'n2' : 'n1';
    proxies[id].hold();
    meshes[id] = createHeartbeatMesh({
      clusterName: TEST_CLUSTER,
      nodeId: id,
      listen: '127.0.0.1:0',
      peers: [{ id: peer, address: proxies[id].address }],
      key: TEST_KEY,
      // A wide down window: only a wrong resolution, not a stall of a busy CI machine,
      // should be able to produce a peer-down here.
      intervalMs: 100,
      downMultiplier: 5,
    });
  }
  const downs = ids.map((id) => record(meshes[id]!, 'peer-down'));
  const ups = ids.map((id) => record(meshes[id]!, 'peer-up'));
  try {
    for (const id of ids) await meshes[id]!.start();
    proxies.n1.setTarget(meshes.n2!.port());
    proxies.n2.setTarget(meshes.n1!.port());
    await until(() => proxies.n1.waiting === 1 && proxies.n2.waiting === 1, 'both dials held');
    proxies.n1.delay(skewLowMs);
    proxies.n2.delay(skewHighMs);
    proxies.n1.release();
    proxies.n2.release();

    await until(
      () =>
        ids.every((id) => meshes[id]!.peers()[0]!.up) && proxies.n1.open + proxies.n2.open === 1,
      'one connection left, both up',
    );
    // Give a wrong choice time to show itself (a flap, or the other connection winning).
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(proxies.n1.open, 1, "n1's dial (the lower id) is the one kept");
    assert.equal(proxies.n2.open, 0);
    assert.equal(meshes.n1!.peers()[0]!.direction, 'outbound');
    assert.equal(meshes.n2!.peers()[0]!.direction, 'inbound');
    assert.deepEqual(
      downs.map((d) => d.calls),
      [[], []],
      'duplicate resolution never reports the peer down',
    );
    assert.deepEqual(
      ups.map((u) => u.calls.length),
      [1, 1],
    );
  } finally {
    for (const id of ids) await meshes[id]!.stop();
    await proxies.n1.close();
    await proxies.n2.close();
  }
}

describe('heartbeat mesh with both sides dialing at once', () => {
  for (const [low, high] of [
    [0, 0],
    [0, 10],
    [10, 0],
    [0, 30],
    [30, 0],
  ] as const) {
    it(`keeps one link without a flap (skew ${low}/${high} ms)`, async () => {
      await raceDials(low, high);
    });
  }
});
