// The datagram path (README "Datagram path") on real sockets at 127.0.0.1: every heartbeat
// also goes out as a UDP datagram, deduplicated with the stream by seq; a peer heard only by
// datagram stays up while its connection is stalled or cut (the one-way cut of issue #17);
// and a datagram only ever confirms an incarnation a connection proved, from the address
// the peer is configured at, with a seq above the last delivered.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import {
  createHeartbeatMesh,
  encodeHeartbeat,
  type HeartbeatFrame,
  type HeartbeatMesh,
  type HeartbeatReceived,
  type PeerDownReason,
} from '../src/index.js';
import { judgeDatagram, type DatagramLinkState } from '../src/datagram-receiver.js';
import { TEST_CLUSTER, TEST_KEY, startCluster, type TestCluster } from './helpers/cluster.js';
import { record, sleep, until, waitForEvent } from './helpers/wait.js';

// Wide enough that a stall of this shared machine is not taken for a dead peer.
const INTERVAL_MS = 20;
const DOWN_MULTIPLIER = 8;
const DOWN_AFTER_MS = INTERVAL_MS * DOWN_MULTIPLIER;

function peerOf(mesh: HeartbeatMesh, id: string) {
  const peer = mesh.peers().find((p) => p.id === id);
  assert.ok(peer, `no peer ${id}`);
  return peer;
}

/** Every heartbeat event's seq is above the one before, per sender and incarnation. */
function assertStrictlyIncreasing(heartbeats: readonly [HeartbeatReceived][]): void {
  const last = new Map<string, number>();
  for (const [hb] of heartbeats) {
    const key = `${hb.from}/${hb.incarnation}`;
    const before = last.get(key) ?? -1;
    assert.ok(hb.seq > before, `seq ${hb.seq} after ${before} from ${key}`);
    last.set(key, hb.seq);
  }
}

async function twoNodes(): Promise<TestCluster> {
  const cluster = await startCluster(
    ['a', 'b'],
    () => ({ intervalMs: INTERVAL_MS, downMultiplier: DOWN_MULTIPLIER }),
    () => [],
    { datagramRelays: true },
  );
  for (const [self, peer] of [
    ['a', 'b'],
    ['b', 'a'],
  ] as const) {
    await until(
      () => peerOf(cluster.node(self).mesh, peer).path === 'both',
      `${self} hears ${peer} both ways`,
    );
  }
  return cluster;
}

describe('heartbeat datagrams', () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await twoNodes();
  });
  afterEach(async () => {
    await cluster.stop();
  });

  it('delivers each heartbeat once, whichever path brings it first', async () => {
    const a = cluster.node('a').mesh;
    const heartbeats = record(a, 'heartbeat');
    const before = a.stats();
    await sleep(20 * INTERVAL_MS);
    heartbeats.stop();
    const after = a.stats();
    const delivered = heartbeats.calls.length;
    const byDatagram = after.datagramsReceived - before.datagramsReceived;
    const copies = after.datagramsDuplicate - before.datagramsDuplicate;
    assert.ok(delivered >= 5, `${delivered} heartbeats delivered`);
    // Both paths carry every heartbeat: each datagram was news or the stream's copy.
    assert.ok(byDatagram + copies >= delivered / 2, `${byDatagram} + ${copies} of ${delivered}`);
    assert.ok(after.datagramsSent > before.datagramsSent, 'a sends datagrams too');
    assertStrictlyIncreasing(heartbeats.calls);
    assert.equal(cluster.relay('b', 'a').dropped, 0);
  });

  it('keeps a peer heard only by datagram up through a one-way cut that stalls TCP', async () => {
    const a = cluster.node('a').mesh;
    const b = cluster.node('b').mesh;
    const downOnA = record(a, 'peer-down');
    const heartbeatsOnA = record(a, 'heartbeat');
    const bDown = waitForEvent(b, 'peer-down', (peer) => peer === 'a');
    // a -> b is cut; b -> a only by datagram: its TCP stalls without a's acknowledgements.
    cluster.relay('a', 'b').drop();
    for (const proxy of cluster.link('a', 'b')) proxy.blackhole();
    const [, reason] = await bDown;
    assert.equal(reason, 'silent', 'b hears nothing of a');
    // Past b's down deadline, a's, and the cut of the silent connection on both sides.
    await sleep(3 * DOWN_AFTER_MS);
    await until(() => peerOf(a, 'b').path === 'datagram', 'a hears b by datagram alone');
    downOnA.stop();
    heartbeatsOnA.stop();
    assert.deepEqual(downOnA.calls, [], 'a never reports b down');
    assert.ok(peerOf(a, 'b').up);
    assert.equal(peerOf(b, 'a').up, false);
    const fromB = heartbeatsOnA.calls.filter(([hb]) => hb.from === 'b');
    assert.ok(fromB.length >= DOWN_MULTIPLIER, `${fromB.length} heartbeats of b on a`);
    assertStrictlyIncreasing(heartbeatsOnA.calls);
    // Healed: b hears a again (a new connection, or the old one once TCP retransmits).
    const bUp = waitForEvent(b, 'peer-up', (peer) => peer === 'a', 10_000);
    cluster.relay('a', 'b').forward();
    for (const proxy of cluster.link('a', 'b')) proxy.restore();
    await bUp;
    await until(() => peerOf(a, 'b').path === 'both', 'both paths again', 10_000);
  });

  it('reports no peer-down while datagrams flow after the connection closed', async () => {
    const a = cluster.node('a').mesh;
    const b = cluster.node('b').mesh;
    const downs = [record(a, 'peer-down'), record(b, 'peer-down')];
    for (const proxy of cluster.link('a', 'b')) {
      proxy.refuse();
      proxy.cut();
    }
    await sleep(2 * DOWN_AFTER_MS);
    await until(() => peerOf(a, 'b').path === 'datagram', 'a hears b by datagram alone');
    await until(() => peerOf(b, 'a').path === 'datagram', 'b hears a by datagram alone');
    for (const down of downs) {
      down.stop();
      assert.deepEqual(down.calls, [], 'no peer-down with datagrams arriving');
    }
    // The probe sent at the close reached a live datagram port: no one answered unreachable.
    assert.equal(a.stats().datagramsRefused + b.stats().datagramsRefused, 0);
    assert.ok(peerOf(a, 'b').up && peerOf(b, 'a').up);
    for (const proxy of cluster.link('a', 'b')) proxy.restore();
    await until(() => peerOf(a, 'b').path === 'both', 'the stream is back', 10_000);
    // What stands for 'peer up' when the peer never went down: said once it is back.
    const logs = [...cluster.node('a').logs, ...cluster.node('b').logs];
    assert.ok(logs.some((line) => line.message === 'heartbeat connection back'));
  });

  it("still reports 'closed' when the connection closes and the datagrams stop", async () => {
    const a = cluster.node('a').mesh;
    const down = waitForEvent(a, 'peer-down', (peer) => peer === 'b');
    // Like a crashed process: the stream closes, nothing more comes by either path.
    cluster.relay('b', 'a').drop();
    for (const proxy of cluster.link('a', 'b')) {
      proxy.refuse();
      proxy.cut();
    }
    const [, reason]: [string, PeerDownReason] = await down;
    assert.equal(reason, 'closed');
  });

  it('drops a replayed datagram as a duplicate or stale, never delivering it again', async () => {
    const a = cluster.node('a').mesh;
    const relay = cluster.relay('b', 'a');
    const captured = relay.last;
    assert.ok(captured !== null);
    await sleep(3 * INTERVAL_MS); // newer heartbeats went by
    const heartbeats = record(a, 'heartbeat');
    const before = a.stats();
    relay.inject(captured);
    await until(() => a.stats().datagramsStale > before.datagramsStale, 'the replay counted stale');
    heartbeats.stop();
    assertStrictlyIncreasing(heartbeats.calls);
  });
});

describe('heartbeat datagrams refused', () => {
  let cluster: TestCluster;
  let sender: ReturnType<typeof createSocket>;
  after(async () => {
    sender.close();
    await cluster.stop();
  });

  /** A frame from b to a as b would sign it, with `change` applied. */
  function frame(change: Partial<HeartbeatFrame>): HeartbeatFrame {
    const b = peerOf(cluster.node('a').mesh, 'b');
    return {
      kind: 'heartbeat',
      role: 'dialer',
      incarnation: b.incarnation!,
      nonce: randomBytes(16).toString('hex'),
      seq: 1,
      sentAtMs: Date.now(),
      echoSentAtMs: 0,
      echoHeldMs: 0,
      clusterName: TEST_CLUSTER,
      nodeId: 'b',
      receiverId: 'a',
      groups: {},
      ...change,
    };
  }

  async function refused(
    bytes: Uint8Array,
    counter: (stats: ReturnType<HeartbeatMesh['stats']>) => number,
  ): Promise<void> {
    const a = cluster.node('a').mesh;
    const before = counter(a.stats());
    const heartbeats = record(a, 'heartbeat');
    await new Promise<void>((resolve, reject) => {
      sender.send(bytes, a.port(), '127.0.0.1', (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
    await until(() => counter(a.stats()) > before, 'counted');
    heartbeats.stop();
    assert.ok(
      heartbeats.calls.every(([hb]) => hb.from !== 'b' || hb.seq !== 1),
      'nothing refused was delivered',
    );
  }

  it('refuses each kind of bad datagram by its reason', async () => {
    cluster = await twoNodes();
    sender = createSocket('udp4');
    await new Promise<void>((resolve) => sender.bind(0, '127.0.0.1', resolve));
    const wrongKey = Buffer.alloc(32, 7);
    await refused(encodeHeartbeat(frame({}), wrongKey), (s) => s.datagramsRejected['bad-mac']);
    await refused(
      encodeHeartbeat(frame({ incarnation: randomBytes(16).toString('hex') }), TEST_KEY),
      (s) => s.datagramsRejected['datagram-unknown-incarnation'],
    );
    await refused(
      encodeHeartbeat(frame({ receiverId: 'c' }), TEST_KEY),
      (s) => s.datagramsRejected['wrong-receiver'],
    );
    await refused(
      encodeHeartbeat(frame({ kind: 'hello' }), TEST_KEY),
      (s) => s.datagramsRejected.malformed,
    );
    await refused(
      encodeHeartbeat(frame({ nodeId: 'mallory' }), TEST_KEY),
      (s) => s.datagramsRejected['datagram-unknown-source'],
    );
    // A genuine incarnation and key, but a seq long delivered: stale, not news.
    await refused(encodeHeartbeat(frame({ seq: 1 }), TEST_KEY), (s) => s.datagramsStale);
    assert.ok(peerOf(cluster.node('a').mesh, 'b').up, 'none of it touched the link');
  });

  it('refuses a datagram from an address no peer is configured at, before its MAC', async () => {
    const a = cluster.node('a').mesh;
    const stranger = createSocket('udp4');
    await new Promise<void>((resolve) => stranger.bind(0, '127.0.0.2', resolve));
    const before = a.stats();
    const heartbeats = record(a, 'heartbeat');
    stranger.send(encodeHeartbeat(frame({ seq: 2 ** 40 }), TEST_KEY), a.port(), '127.0.0.1');
    await until(
      () =>
        a.stats().datagramsRejected['datagram-unknown-source'] >
        before.datagramsRejected['datagram-unknown-source'],
      'counted as an unknown source',
    );
    stranger.close();
    heartbeats.stop();
    assert.ok(
      heartbeats.calls.every(([hb]) => hb.seq !== 2 ** 40),
      "the stranger's heartbeat was not delivered",
    );
  });
});

describe('heartbeat datagrams switched off', () => {
  it('binds no UDP socket and sends none', async () => {
    const mesh = createHeartbeatMesh({
      clusterName: TEST_CLUSTER,
      nodeId: 'a',
      listen: '127.0.0.1:0',
      peers: [{ id: 'b', address: '127.0.0.1:9' }],
      key: TEST_KEY,
      intervalMs: INTERVAL_MS,
      downMultiplier: DOWN_MULTIPLIER,
      datagram: false,
    });
    await mesh.start();
    try {
      const probe = createSocket('udp4');
      // The port number is free for UDP: nothing of the mesh holds it.
      await new Promise<void>((resolve, reject) => {
        probe.once('error', reject);
        probe.bind(mesh.port(), '127.0.0.1', resolve);
      });
      probe.close();
      await sleep(3 * INTERVAL_MS);
      assert.equal(mesh.stats().datagramsSent, 0);
      assert.equal(peerOf(mesh, 'b').path, null);
    } finally {
      await mesh.stop();
    }
  });
});

describe('judgeDatagram', () => {
  const base: HeartbeatFrame = {
    kind: 'heartbeat',
    role: 'acceptor',
    incarnation: 'a'.repeat(32),
    nonce: 'b'.repeat(32),
    seq: 10,
    sentAtMs: 1,
    echoSentAtMs: 0,
    echoHeldMs: 0,
    clusterName: 'lab',
    nodeId: 'n2',
    receiverId: 'n1',
    groups: {},
  };
  const link: DatagramLinkState = { id: 'n2', incarnation: 'a'.repeat(32), lastSeq: 9 };
  const cases: {
    name: string;
    frame?: Partial<HeartbeatFrame>;
    link?: DatagramLinkState | undefined;
    action: string;
    reason?: string;
  }[] = [
    { name: 'news', action: 'deliver' },
    { name: 'the last delivered again', frame: { seq: 9 }, action: 'duplicate' },
    { name: 'older', frame: { seq: 3 }, action: 'stale' },
    {
      name: 'no link at that address',
      link: undefined,
      action: 'reject',
      reason: 'datagram-unknown-source',
    },
    {
      name: 'a restart no connection proved',
      frame: { incarnation: 'c'.repeat(32) },
      action: 'reject',
      reason: 'datagram-unknown-incarnation',
    },
    {
      name: 'before any connection',
      link: { ...link, incarnation: null },
      action: 'reject',
      reason: 'datagram-unknown-incarnation',
    },
    {
      name: 'for another node',
      frame: { receiverId: 'n3' },
      action: 'reject',
      reason: 'wrong-receiver',
    },
    { name: 'a hello', frame: { kind: 'hello' }, action: 'reject', reason: 'malformed' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = judgeDatagram({ ...base, ...c.frame }, 'link' in c ? c.link : link, 'n1');
      assert.equal(verdict.action, c.action);
      if (verdict.action === 'reject') assert.equal(verdict.reason, c.reason);
    });
  }
});
