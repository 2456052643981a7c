// A peer that keeps talking but stops reading: the mesh must not queue heartbeats for it
// without bound. It skips heartbeats while the socket is backed up, holds at most one frame
// in user space, cuts the peer (terminate) once it stays backed up — and node b, reading
// normally, never notices.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_FRAME_BYTES, type HeartbeatMesh } from '../src/index.js';
import { groupStates, startCluster, type TestCluster } from './helpers/cluster.js';
import { RawPeer } from './helpers/raw-peer.js';
import { record, until, waitForEvent } from './helpers/wait.js';

const INTERVAL_MS = 10;
const STALL_MS = 100;

describe('heartbeat mesh towards a slow consumer', () => {
  let cluster: TestCluster;
  let a: HeartbeatMesh;

  before(async () => {
    cluster = await startCluster(
      ['a', 'b'],
      // A long silence window, so a stall of this shared machine is not taken for silence;
      // the send-stall cut is what is under test.
      () => ({ intervalMs: INTERVAL_MS, downMultiplier: 100, sendStallTimeoutMs: STALL_MS }),
      (id) => (id === 'a' ? [{ id: 'x', address: '127.0.0.1:1' }] : []),
    );
    a = cluster.node('a').mesh;
    // ~60 KB per heartbeat (few groups, long names: cheap for b to decode), so the kernel
    // socket buffers (MBs on loopback) fill within a second or two.
    a.setLocalState(groupStates(230, 1, 250));
    await until(() => a.peers().find((peer) => peer.id === 'b')!.up, 'b up on a');
  });
  after(async () => {
    await cluster.stop();
  });

  it('skips heartbeats, then cuts the peer that stopped reading, and b is unaffected', async () => {
    const x = await RawPeer.connect(a.port(), { nodeId: 'x' });
    const nonce = await x.authenticate();
    // x keeps sending (so a still sees it alive) but never reads again.
    const talking = setInterval(() => {
      x.send(x.heartbeat(nonce));
    }, INTERVAL_MS);
    x.ws.pause();
    const bDowns = record(a, 'peer-down');
    const heardFromA = record(cluster.node('b').mesh, 'heartbeat');
    try {
      const [, reason] = await waitForEvent(a, 'peer-down', (peer) => peer === 'x', 20_000);
      assert.equal(reason, 'closed', 'cut, not silent: x was still talking');
    } finally {
      clearInterval(talking);
      x.terminate();
    }
    const stats = a.stats();
    assert.ok(stats.heartbeatsSkipped > 0, 'heartbeats were skipped while backed up');
    assert.equal(stats.stalledPeersCut, 1);

    const cutLine = cluster
      .node('a')
      .logs.find((line) => line.message.includes('not reading its heartbeats'));
    assert.ok(cutLine, 'the cut was logged');
    const { bufferedBytes, stalledMs } = cutLine.fields as {
      bufferedBytes: number;
      stalledMs: number;
    };
    // Never more than the one frame that was being written when the buffer filled.
    assert.ok(bufferedBytes > 0 && bufferedBytes <= MAX_FRAME_BYTES, `${bufferedBytes} buffered`);
    assert.ok(stalledMs >= STALL_MS, `cut after ${stalledMs} ms backed up`);

    assert.deepEqual(
      bDowns.calls.filter(([peer]) => peer === 'b'),
      [],
    );
    assert.ok(heardFromA.calls.length > 0, 'b kept receiving heartbeats from a');
    assert.ok(a.peers().find((peer) => peer.id === 'b')!.up);
  });
});
