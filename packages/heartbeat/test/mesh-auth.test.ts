// Hostile and broken input against a real mesh: every bad frame is rejected with its
// reason, counted and logged (never with the key), unproven connections are cut, nothing
// crashes — and all the while node a keeps its link to the honest node b.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  HEARTBEAT_PATH,
  MAX_FRAME_BYTES,
  type HeartbeatMesh,
  type RejectReason,
} from '../src/index.js';
import { startCluster, TEST_KEY, type TestCluster } from './helpers/cluster.js';
import { RawPeer, type RawPeerOptions } from './helpers/raw-peer.js';
import { record, sleep, until, waitForEvent } from './helpers/wait.js';

// Long enough that 32 connections opened at once on a busy machine are all still pending
// together (the pending-limit test), short enough to keep the suite quick.
const AUTH_TIMEOUT_MS = 1000;

describe('heartbeat mesh against bad peers', () => {
  let cluster: TestCluster;
  let a: HeartbeatMesh;
  let bDowns: ReturnType<typeof record<'peer-down'>>;

  before(async () => {
    cluster = await startCluster(
      ['a', 'b'],
      () => ({ intervalMs: 50, downMultiplier: 4, authTimeoutMs: AUTH_TIMEOUT_MS }),
      // x is a peer a knows but that only the tests play; a's own dials to it fail.
      (id) => (id === 'a' ? [{ id: 'x', address: '127.0.0.1:1' }] : []),
    );
    a = cluster.node('a').mesh;
    await until(() => a.peers().find((peer) => peer.id === 'b')!.up, 'b up on a');
    bDowns = record(a, 'peer-down');
  });
  after(async () => {
    await cluster.stop();
  });

  const connectRaw = (options: Partial<RawPeerOptions> = {}): Promise<RawPeer> =>
    RawPeer.connect(a.port(), { nodeId: 'x', ...options });

  /** Expect exactly one rejection for `reason`, as event and counter. */
  async function expectRejected(
    reason: RejectReason,
    act: () => void | Promise<void>,
  ): Promise<void> {
    const before = a.stats().rejected[reason];
    const rejected = waitForEvent(a, 'rejected', (got) => got === reason);
    await act();
    await rejected;
    assert.equal(a.stats().rejected[reason], before + 1);
  }

  it('lets an honest peer with the key authenticate and come up', async () => {
    const x = await connectRaw();
    const up = waitForEvent(a, 'peer-up', (peer) => peer === 'x');
    await x.authenticate();
    await up;
    const down = waitForEvent(a, 'peer-down', (peer) => peer === 'x');
    x.terminate();
    assert.deepEqual((await down)[1], 'closed');
  });

  it('rejects a peer with the wrong key (bad-mac) and cuts it', async () => {
    const x = await connectRaw({ key: Buffer.from('not-the-cluster-key-0000000000000000') });
    await expectRejected('bad-mac', () => {
      x.sendHello();
    });
    assert.equal(await x.closed, 1006, 'terminated, not politely closed');
  });

  it('rejects a node of another cluster (wrong-cluster)', async () => {
    const x = await connectRaw({ clusterName: 'other-cluster' });
    await expectRejected('wrong-cluster', () => {
      x.sendHello();
    });
    await x.closed;
  });

  it('rejects a node id it does not know, even with the key (unknown-node)', async () => {
    const mallory = await RawPeer.connect(a.port(), { nodeId: 'mallory' });
    await expectRejected('unknown-node', () => {
      mallory.sendHello();
    });
    await mallory.closed;
  });

  it('rejects a heartbeat replayed from an earlier connection (replay)', async () => {
    const first = await connectRaw();
    const firstNonce = await first.authenticate();
    const recorded = first.heartbeat(firstNonce);
    first.terminate();
    await first.closed;

    const second = await connectRaw();
    second.sendHello();
    await second.meshHello();
    await expectRejected('replay', () => {
      second.send(recorded);
    });
    await second.closed;
  });

  it('rejects repeated and older sequence numbers on a live connection, keeping it', async () => {
    const x = await connectRaw();
    const nonce = await x.authenticate();
    const current = x.seq;
    await expectRejected('replay', () => {
      x.send(x.heartbeat(nonce, { seq: current }));
    });
    await expectRejected('stale', () => {
      x.send(x.heartbeat(nonce, { seq: current - 1 }));
    });
    // The frames were dropped, the authenticated connection stays and still works.
    const heard = waitForEvent(a, 'heartbeat', (hb) => hb.from === 'x' && hb.seq === current + 10);
    x.send(x.heartbeat(nonce, { seq: current + 10 }));
    await heard;
    assert.equal(x.ws.readyState, WebSocket.OPEN);
    x.terminate();
  });

  it('rejects a heartbeat before any hello', async () => {
    const x = await connectRaw();
    await expectRejected('malformed', () => {
      x.send(x.heartbeat('0'.repeat(32)));
    });
    await x.closed;
  });

  /** One rejection for `reason`, logged at warn with the reason and the detail. */
  async function expectWarned(reason: RejectReason, act: () => void): Promise<void> {
    const logs = cluster.node('a').logs;
    const from = logs.length;
    await expectRejected(reason, act);
    const line = logs.slice(from).find((l) => (l.fields as { reason?: string }).reason === reason);
    assert.ok(line !== undefined, `no log line for ${reason}`);
    assert.equal(line.level, 'warn');
  }

  it('says nothing signed until a valid hello addressed to it; one for another node is wrong-receiver, at warn', async () => {
    const x = await connectRaw({ receiverId: 'b' });
    let answered = 0;
    x.ws.on('message', () => answered++);
    await sleep(200);
    assert.equal(answered, 0, 'the acceptor spoke first');
    await expectWarned('wrong-receiver', () => {
      x.sendHello();
    });
    await x.closed;
    assert.equal(answered, 0, 'a hello for another node got an answer');
  });

  it('rejects a hello signed by the acceptor of a connection (wrong-role), at warn', async () => {
    // On a connection it dialed, a frame saying "I accepted this one" was made for another.
    const x = await connectRaw({ role: 'acceptor' });
    await expectWarned('wrong-role', () => {
      x.sendHello();
    });
    await x.closed;
  });

  it('rejects an oversized frame (maxPayload) and closes with 1009', async () => {
    const x = await connectRaw();
    await expectRejected('oversized', () => {
      x.send(Buffer.alloc(MAX_FRAME_BYTES + 1));
    });
    assert.equal(await x.closed, 1009);
  });

  const garbage: [string, RejectReason, (x: RawPeer) => Uint8Array | string][] = [
    ['random bytes', 'malformed', () => Buffer.from('\x00\x01garbage-garbage-garbage')],
    ['a text message', 'malformed', () => 'hello?'],
    ['a cut-off hello', 'truncated', (x) => x.frame('hello').subarray(0, 100)],
    [
      'a version 2 frame',
      'bad-version',
      (x) => {
        const bytes = Buffer.from(x.frame('hello'));
        bytes[2] = 2;
        return bytes;
      },
    ],
  ];
  for (const [name, reason, bytes] of garbage) {
    it(`rejects ${name} (${reason})`, async () => {
      const x = await connectRaw();
      await expectRejected(reason, () => {
        x.send(bytes(x));
      });
      await x.closed;
    });
  }

  it('cuts a connection that never authenticates', async () => {
    const before = a.stats().authTimeouts;
    const ws = new WebSocket(`ws://127.0.0.1:${a.port()}${HEARTBEAT_PATH}`);
    ws.on('error', () => undefined);
    const openedAt = Date.now();
    const code = await new Promise<number>((resolve) => ws.on('close', resolve));
    assert.equal(code, 1006);
    assert.ok(Date.now() - openedAt >= AUTH_TIMEOUT_MS - 20);
    assert.equal(a.stats().authTimeouts, before + 1);
  });

  it('refuses unauthenticated connections beyond the pending limit, then recovers', async () => {
    const limit = 16 + 4 * 2;
    const sockets = await Promise.all(
      Array.from({ length: limit + 8 }, async () => {
        const ws = new WebSocket(`ws://127.0.0.1:${a.port()}${HEARTBEAT_PATH}`);
        ws.on('error', () => undefined);
        await new Promise((resolve) => ws.once('open', resolve).once('close', resolve));
        return ws;
      }),
    );
    await until(() => a.stats().connectionsRefused >= 8, '8 refused');
    for (const ws of sockets) ws.terminate();
    // Room again: an honest peer still gets in.
    await sleep(50);
    const x = await connectRaw();
    await x.authenticate();
    x.terminate();
  });

  it('survives rapid connect/disconnect loops', async () => {
    const deadline = Date.now() + 3000;
    for (let i = 0; i < 150 && Date.now() < deadline; i++) {
      if (i % 3 === 0) {
        // TCP only: connect and reset at once.
        const socket = connect(a.port(), '127.0.0.1');
        socket.on('error', () => undefined);
        socket.once('connect', () => socket.resetAndDestroy());
      } else {
        const ws = new WebSocket(`ws://127.0.0.1:${a.port()}${HEARTBEAT_PATH}`);
        ws.on('error', () => undefined);
        await new Promise((resolve) => ws.once('open', resolve).once('close', resolve));
        if (i % 3 === 1) ws.terminate();
        else ws.close();
      }
    }
    const x = await connectRaw();
    await x.authenticate();
    x.terminate();
  });

  it('kept its link to b through all of it', () => {
    assert.deepEqual(
      bDowns.calls.filter(([peer, reason]) => peer === 'b' && reason === 'closed'),
      [],
    );
    assert.ok(a.peers().find((peer) => peer.id === 'b')!.up);
    assert.equal(a.stats().rejected['bad-mac'] > 0, true);
  });

  it('never wrote the key to a log line', () => {
    const logs = JSON.stringify(cluster.node('a').logs);
    assert.ok(logs.includes('heartbeat frame rejected'), 'rejections were logged');
    for (const form of [
      TEST_KEY.toString('utf8'),
      TEST_KEY.toString('hex'),
      TEST_KEY.toString('base64'),
    ]) {
      assert.ok(!logs.includes(form), `key found in logs as ${form}`);
    }
  });
});
