// Two drivers over the real WebSocket mesh on 127.0.0.1 (real clock, real codec and auth),
// with @vipd/arp's in-memory addresses and recording announcers: the master's death moves
// the VIPs, and a forced takeover moves them back.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createMemoryAddressManager, createRecordingAnnouncer } from '@vipd/arp/testing';
import { systemClock } from '@vipd/clock';
import { createHeartbeatMesh, type HeartbeatMesh } from '@vipd/heartbeat';
import { Driver } from '../../src/driver/driver.js';
import { NotifyRunner } from '../../src/hooks/notify.js';
import { silentLogger } from '../../src/log/logger.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { freePorts } from '@vipd/testkit';
import { waitFor } from '../tmpdir.js';
import { configuredPeer, groupSpec, testConfig } from './harness.js';

const INTERVAL_MS = 20;

interface Node {
  readonly driver: Driver;
  readonly mesh: HeartbeatMesh;
  readonly addresses: ReturnType<typeof createMemoryAddressManager>;
}

function node(id: string, peer: string, ports: Record<string, number>, priority: number): Node {
  const base = testConfig({ nodeId: id, peers: [peer], groups: [] });
  const config = {
    ...base,
    node: { ...base.node, id, listen: `127.0.0.1:${ports[id]}` },
    cluster: {
      ...base.cluster,
      heartbeatIntervalMs: INTERVAL_MS,
      peers: [configuredPeer(peer, `127.0.0.1:${String(ports[peer])}`)],
    },
    groups: [groupSpec({ name: 'web', addresses: ['10.213.0.100/24'], priority })],
  };
  const logger = silentLogger();
  const metrics = new VipdMetrics();
  const mesh = createHeartbeatMesh({
    clusterName: config.cluster.name,
    nodeId: id,
    listen: config.node.listen,
    peers: config.cluster.peers,
    key: config.cluster.key.reveal(),
    intervalMs: INTERVAL_MS,
    downMultiplier: config.cluster.downMultiplier,
  });
  const addresses = createMemoryAddressManager();
  const driver = new Driver({
    config,
    clock: systemClock,
    mesh,
    addresses,
    announcer: createRecordingAnnouncer(),
    notify: new NotifyRunner({ nodeId: id, timeoutMs: 1000, logger }),
    metrics,
    logger,
  });
  return { driver, mesh, addresses };
}

describe('Driver over the real WebSocket mesh on 127.0.0.1', () => {
  const nodes: Node[] = [];
  after(async () => {
    for (const n of nodes) {
      n.driver.stop();
      await n.mesh.stop();
    }
  });

  it('the backup takes over when the master dies; a forced takeover moves the VIPs back', async () => {
    const [a0 = 0, b0 = 0] = await freePorts(2);
    const ports = { a: a0, b: b0 };
    const a = node('a', 'b', ports, 200);
    const b = node('b', 'a', ports, 100);
    nodes.push(a, b);
    for (const n of nodes) {
      n.driver.start();
      await n.mesh.start();
    }
    await waitFor(
      () =>
        a.driver.group('web')?.state === 'MASTER' &&
        b.driver.group('web')?.state === 'BACKUP' &&
        b.driver.group('web')?.master === 'a',
      5000,
      'a master, b backup following a',
    );
    assert.equal(b.driver.group('web')?.master, 'a');
    assert.deepEqual(
      a.addresses.present().map((v) => v.address),
      ['10.213.0.100'],
    );
    assert.deepEqual(b.addresses.present(), []);

    // a "crashes": its connections close; b must not wait for down_multiplier x interval.
    const killedAt = performance.now();
    a.driver.stop();
    await a.mesh.stop();
    await waitFor(() => b.driver.group('web')?.state === 'MASTER', 5000, 'b master');
    const tookMs = performance.now() - killedAt;
    assert.deepEqual(
      b.addresses.present().map((v) => v.address),
      ['10.213.0.100'],
    );
    assert.ok(tookMs < 2000, `b took over after ${tookMs.toFixed(0)}ms`);

    const takeover = await b.driver.takeover('web', 1000);
    assert.ok(takeover.ok, JSON.stringify(takeover));
    assert.equal(takeover.value.group.forced, true);
  });
});
