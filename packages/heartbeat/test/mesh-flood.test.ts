// Connection floods on the heartbeat port from someone without the key (docs/security.md,
// the flooding row): every stage before authentication is bounded in time and in count, per source and in
// total, and a configured peer's address always finds a slot. Flood sources are distinct
// loopback addresses (127.0.0.2, ...), which Linux routes without set-up; bounded in count.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  createHeartbeatMesh,
  HEARTBEAT_PATH,
  type ConnectionDropReason,
  type HeartbeatMesh,
} from '../src/index.js';
import { SLOTS_PER_SOURCE } from '../src/admission.js';
import { createTestPki, type TestPki } from './helpers/certs.js';
import { startCluster, TEST_CLUSTER, TEST_KEY, type TestCluster } from './helpers/cluster.js';
import { RawPeer } from './helpers/raw-peer.js';
import { record, until, waitForEvent } from './helpers/wait.js';

/**
 * Long enough that a flood opened on a loaded machine still holds its slots when the peer
 * tries; AUTH_TIMEOUT_MS + CUT_SLACK_MS, the longest the tests wait for a cut, is far below
 * the 30 s after which Node's HTTP server enforces its own timeouts and the 120 s of its
 * TLS handshake timeout, so a cut that depended on those fails the tests.
 */
const AUTH_TIMEOUT_MS = 3000;
const CUT_SLACK_MS = 7000;

function dropped(mesh: HeartbeatMesh): Record<ConnectionDropReason, number> {
  return { ...mesh.stats().connectionsDropped };
}

/** A TCP connection that sends `bytes` and then nothing; resolves once the far end closed it. */
async function idleSocket(
  port: number,
  localAddress: string,
  bytes?: Buffer,
): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => {
    socket.once('close', () => {
      resolve();
    });
  });
  await new Promise<void>((resolve) => {
    socket.once('connect', resolve).once('close', resolve);
  });
  if (bytes !== undefined && !socket.destroyed) socket.write(bytes);
  return { socket, closed };
}

/** Resolves once every socket is closed; rejects if some is still open after `ms`. */
async function allClosedWithin(
  sockets: readonly { socket: Socket; closed: Promise<void> }[],
  ms: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      const open = sockets.filter(({ socket }) => !socket.destroyed).length;
      reject(new Error(`${open} of ${sockets.length} sockets still open after ${ms} ms`));
    }, ms);
  });
  try {
    await Promise.race([Promise.all(sockets.map(({ closed }) => closed)), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Writes one more byte every 100 ms, as long as the socket is open, for at most `ms`. */
async function trickle(socket: Socket, byte: Buffer, ms: number): Promise<void> {
  for (let i = 0; i < ms / 100 && !socket.destroyed; i++) {
    socket.write(byte);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** An upgraded WebSocket that never says a word; resolves once it opened or was refused. */
async function silentWebSocket(port: number, localAddress: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${HEARTBEAT_PATH}`, { localAddress });
  ws.on('error', () => undefined);
  await new Promise((resolve) => ws.once('open', resolve).once('close', resolve));
  return ws;
}

describe('heartbeat port under a connection flood', () => {
  let cluster: TestCluster;
  let a: HeartbeatMesh;
  let downs: ReturnType<typeof record<'peer-down'>>;

  before(async () => {
    cluster = await startCluster(
      ['a', 'b'],
      () => ({ intervalMs: 50, downMultiplier: 4, authTimeoutMs: AUTH_TIMEOUT_MS }),
      // x is a peer a knows at 127.0.0.1 that only the tests play; a's own dials to it fail.
      (id) => (id === 'a' ? [{ id: 'x', address: '127.0.0.1:1' }] : []),
    );
    a = cluster.node('a').mesh;
    await until(() => a.peers().find((peer) => peer.id === 'b')!.up, 'b up on a');
    downs = record(a, 'peer-down');
  });
  after(async () => {
    await cluster.stop();
  });

  it('cuts idle TCP connections that never send a request within the auth timeout', async () => {
    const before = dropped(a);
    const count = 12;
    const sockets = await Promise.all(
      Array.from({ length: count }, () => idleSocket(a.port(), '127.0.0.2')),
    );
    await allClosedWithin(sockets, AUTH_TIMEOUT_MS + CUT_SLACK_MS);
    const after = dropped(a);
    // One source: SLOTS_PER_SOURCE held a slot until the deadline, the rest were refused.
    assert.equal(after['preauth-timeout'] - before['preauth-timeout'], SLOTS_PER_SOURCE);
    assert.equal(
      after['admission-per-source'] - before['admission-per-source'],
      count - SLOTS_PER_SOURCE,
    );
  });

  it('cuts a connection that trickles an HTTP request forever', async () => {
    const before = dropped(a);
    const client = await idleSocket(a.port(), '127.0.0.3', Buffer.from('GET /'));
    // A byte every 100 ms keeps any idle timer from firing; only a deadline cuts it.
    await trickle(client.socket, Buffer.from('a'), AUTH_TIMEOUT_MS + CUT_SLACK_MS);
    await allClosedWithin([client], 0);
    assert.equal(dropped(a)['preauth-timeout'], before['preauth-timeout'] + 1);
  });

  it('still lets a configured peer in while a flood holds every other slot', async () => {
    const before = dropped(a);
    // Seven sources x (SLOTS_PER_SOURCE + 2) silent WebSockets: each source asks more than
    // its share, and together they ask more than the shared pool (16 + 4 x 2 peers = 24),
    // so both limits are hit. They hold their slots until the auth timeout, long enough
    // for the peer's attempt below.
    const sources = 7;
    const flood = await Promise.all(
      Array.from({ length: sources * (SLOTS_PER_SOURCE + 2) }, (_, i) =>
        silentWebSocket(a.port(), `127.0.0.${2 + (i % sources)}`),
      ),
    );
    try {
      // The peers' address, 127.0.0.1, has slots of its own: x gets in and comes up...
      const up = waitForEvent(a, 'peer-up', (peer) => peer === 'x');
      const peer = await RawPeer.connect(a.port(), { nodeId: 'x' });
      await peer.authenticate();
      await up;
      peer.terminate();
      // ...while anyone else is refused.
      const stranger = await silentWebSocket(a.port(), `127.0.0.${2 + sources}`);
      assert.notEqual(stranger.readyState, WebSocket.OPEN, 'a stranger got in');
      const after = dropped(a);
      assert.ok(after['admission-per-source'] > before['admission-per-source']);
      assert.ok(after['admission-total'] > before['admission-total']);
    } finally {
      for (const ws of flood) ws.terminate();
    }
  });

  it('kept its link to b up through all of it', () => {
    assert.deepEqual(
      downs.calls.filter(([peer]) => peer === 'b'),
      [],
    );
    assert.ok(a.peers().find((peer) => peer.id === 'b')!.up);
  });
});

describe('TLS heartbeat port against a client that never finishes its handshake', () => {
  let pki: TestPki;
  let mesh: HeartbeatMesh;

  before(async () => {
    pki = createTestPki();
    mesh = createHeartbeatMesh({
      clusterName: TEST_CLUSTER,
      nodeId: 'a',
      listen: '127.0.0.1:0',
      // Never up: only its listening side is under test.
      peers: [{ id: 'b', address: '127.0.0.1:1' }],
      key: TEST_KEY,
      intervalMs: 50,
      downMultiplier: 4,
      authTimeoutMs: AUTH_TIMEOUT_MS,
      tls: pki.node('a'),
    });
    await mesh.start();
  });
  after(async () => {
    await mesh.stop();
    pki.remove();
  });

  it('cuts it within the auth timeout, counted as such and not as a TLS failure', async () => {
    const before = dropped(mesh);
    const tlsFailures = mesh.stats().tlsHandshakeFailures;
    // A TLS handshake record header announcing 512 bytes, then the body a byte at a time.
    const client = await idleSocket(
      mesh.port(),
      '127.0.0.4',
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]),
    );
    await trickle(client.socket, Buffer.from([0x01]), AUTH_TIMEOUT_MS + CUT_SLACK_MS);
    await allClosedWithin([client], 0);
    assert.equal(dropped(mesh)['preauth-timeout'], before['preauth-timeout'] + 1);
    // A real failure after it (plain HTTP on the TLS port) is counted, and is the only one.
    const plain = await idleSocket(mesh.port(), '127.0.0.4', Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    await until(() => mesh.stats().tlsHandshakeFailures > tlsFailures, 'the TLS failure counted');
    assert.equal(mesh.stats().tlsHandshakeFailures, tlsFailures + 1);
    plain.socket.destroy();
  });
});
