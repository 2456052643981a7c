// Rotating the cluster key on a running mesh: the three-step procedure keeps every link up
// with no peer-down and no rejected frame, and a node that skips a step is rejected.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '@vipd/clock';
import { decodeSigned, encodeHeartbeat, HeartbeatConfigError } from '../src/index.js';
import type { HeartbeatFrame, HeartbeatMesh } from '../src/index.js';
import { startCluster, TEST_KEY, type TestCluster } from './helpers/cluster.js';
import { heartbeatRound, record, until, waitForEvent } from './helpers/wait.js';

const NEW_KEY = Buffer.from('the-next-cluster-key-0123456789ab');
const OTHER_KEY = Buffer.from('a-key-nobody-accepts-0123456789ab');
const INTERVAL_MS = 20;
/** Several heartbeats each way under every key combination. */
const SETTLE_ROUNDS = 10;

describe('cluster key rotation', () => {
  // The real meshes on one manual clock: every heartbeat is a step the test takes, and the
  // frames travel over real sockets in between.
  const clock = createManualClock();
  let cluster: TestCluster;
  let a: HeartbeatMesh;
  let b: HeartbeatMesh;

  before(async () => {
    cluster = await startCluster(['a', 'b'], () => ({
      intervalMs: INTERVAL_MS,
      downMultiplier: 4,
      clock,
    }));
    a = cluster.node('a').mesh;
    b = cluster.node('b').mesh;
    await until(() => a.peers()[0]?.up === true && b.peers()[0]?.up === true, 'a and b up');
  });
  after(async () => {
    await cluster.stop();
  });

  const rejectedTotal = (mesh: HeartbeatMesh) =>
    Object.values(mesh.stats().rejected).reduce((sum, n) => sum + n, 0);
  /** One interval: each node ticks once and hears the other's heartbeat. */
  const round = () =>
    heartbeatRound(clock, INTERVAL_MS, [
      [a, 'b'],
      [b, 'a'],
    ]);
  const settle = async () => {
    for (let i = 0; i < SETTLE_ROUNDS; i++) await round();
  };

  it('moves both nodes to a new key in three steps without losing the link', async () => {
    const downs = [record(a, 'peer-down'), record(b, 'peer-down')];
    const rejectedBefore = rejectedTotal(a) + rejectedTotal(b);
    // 1. Accept the new key everywhere, still signing with the old one.
    a.setKeys(TEST_KEY, [NEW_KEY]);
    await settle();
    b.setKeys(TEST_KEY, [NEW_KEY]);
    await settle();
    // 2. Sign with the new key, one node at a time; the other still accepts it.
    a.setKeys(NEW_KEY, [TEST_KEY]);
    await round();
    const underAcceptedOnB = b.stats().framesUnderAcceptedKey;
    assert.ok(underAcceptedOnB > 0, 'b verified a with its accepted (new) key');
    await settle();
    b.setKeys(NEW_KEY, [TEST_KEY]);
    await settle();
    // 3. Drop the old key.
    a.setKeys(NEW_KEY);
    b.setKeys(NEW_KEY);
    const settledOnA = a.stats().framesUnderAcceptedKey;
    await round();
    await settle();
    assert.equal(a.stats().framesUnderAcceptedKey, settledOnA, 'every frame under the signing key');
    assert.deepEqual(
      downs.map((d) => d.calls),
      [[], []],
      'no peer went down at any step',
    );
    assert.equal(rejectedTotal(a) + rejectedTotal(b), rejectedBefore, 'no frame rejected');
    for (const d of downs) d.stop();
  });

  it('rejects the frames of a node that signs with a key the other does not accept', async () => {
    const badMacBefore = a.stats().rejected['bad-mac'];
    const down = record(a, 'peer-down');
    b.setKeys(OTHER_KEY);
    const rejected = waitForEvent(a, 'rejected', (reason) => reason === 'bad-mac');
    clock.advance(INTERVAL_MS);
    await rejected;
    assert.ok(a.stats().rejected['bad-mac'] > badMacBefore, 'a rejects b (bad-mac)');
    // Nothing from b counts any more: a declares it down at the silence deadline.
    clock.advance(4 * INTERVAL_MS);
    assert.deepEqual(down.calls, [['b', 'silent']], 'a declares b down');
    const up = waitForEvent(a, 'peer-up', (peer) => peer === 'b');
    b.setKeys(NEW_KEY);
    clock.advance(INTERVAL_MS);
    await up;
    assert.equal(a.peers()[0]?.up, true, 'b back up on a once it signs with NEW_KEY');
    down.stop();
  });

  it('refuses a key that is too short, keeping the keys it had', async () => {
    assert.throws(() => {
      a.setKeys(Buffer.from('short'));
    }, HeartbeatConfigError);
    assert.throws(() => {
      a.setKeys(NEW_KEY, [Buffer.from('short')]);
    }, /acceptKeys\[0\]/);
    await round();
    assert.equal(a.peers()[0]?.up, true);
  });
});

describe('decodeSigned', () => {
  const frame: HeartbeatFrame = {
    kind: 'heartbeat',
    role: 'dialer',
    incarnation: '0'.repeat(32),
    nonce: '1'.repeat(32),
    seq: 7,
    sentAtMs: 1,
    echoSentAtMs: 0,
    echoHeldMs: 0,
    clusterName: 'lab',
    nodeId: 'a',
    receiverId: 'b',
    groups: {},
  };

  it('says which key signed a frame: 0 the signing key, 1 + i acceptKeys[i]', () => {
    const signedNew = encodeHeartbeat(frame, NEW_KEY);
    assert.equal(decodeSigned(signedNew, { key: NEW_KEY }).keyIndex, 0);
    assert.equal(
      decodeSigned(signedNew, { key: TEST_KEY, acceptKeys: [OTHER_KEY, NEW_KEY] }).keyIndex,
      2,
    );
    assert.throws(
      () => decodeSigned(signedNew, { key: TEST_KEY, acceptKeys: [OTHER_KEY] }),
      /MAC matches none of the cluster keys/,
    );
  });
});
