// wss with a cluster CA verifying both ends: nodes with CA-signed certificates link up;
// a client with no certificate, a certificate from another CA, or no TLS at all gets no
// connection — and the nodes' own link never notices.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import {
  createHeartbeatMesh,
  HEARTBEAT_PATH,
  HeartbeatConfigError,
  type HeartbeatMesh,
  type TlsOptions,
} from '../src/index.js';
import { createTestPki, type TestPki } from './helpers/certs.js';
import { startCluster, TEST_KEY, type TestCluster } from './helpers/cluster.js';
import { RawPeer } from './helpers/raw-peer.js';
import { record, until } from './helpers/wait.js';

describe('heartbeat mesh over TLS', () => {
  let pki: TestPki;
  let cluster: TestCluster;
  let a: HeartbeatMesh;
  let downs: ReturnType<typeof record<'peer-down'>>;

  let certs: Record<'a' | 'b' | 'c' | 'z' | 'mallory', TlsOptions>;

  before(async () => {
    // openssl runs synchronously: make every certificate before any mesh is running.
    pki = createTestPki();
    certs = {
      a: pki.node('a'),
      b: pki.node('b'),
      c: pki.node('c'),
      z: pki.node('z'),
      mallory: pki.rogue('mallory'),
    };
    const tls: Record<string, TlsOptions> = certs;
    cluster = await startCluster(['a', 'b'], (id) => ({
      tls: tls[id]!,
      intervalMs: 100,
      downMultiplier: 5,
      authTimeoutMs: 1000,
    }));
    a = cluster.node('a').mesh;
    await until(() => a.peers().every((peer) => peer.up), 'b up on a over TLS', 5000);
    downs = record(a, 'peer-down');
  });
  after(async () => {
    await cluster.stop();
    pki.remove();
  });

  const attempt = async (options: ConstructorParameters<typeof WebSocket>[2], scheme = 'wss') => {
    const ws = new WebSocket(`${scheme}://127.0.0.1:${a.port()}${HEARTBEAT_PATH}`, options);
    let opened = false;
    ws.on('open', () => {
      opened = true;
    });
    ws.on('error', () => undefined);
    await new Promise((resolve) => ws.on('close', resolve));
    return opened;
  };

  it('links two nodes whose certificates the cluster CA signed, exchanging heartbeats', async () => {
    const heartbeats = record(a, 'heartbeat');
    await until(() => heartbeats.calls.length >= 3, 'heartbeats over wss');
    heartbeats.stop();
    assert.ok(a.peers()[0]!.rttMs !== null);
  });

  it('refuses a client without a certificate', async () => {
    const before = a.stats().tlsHandshakeFailures;
    const ca = readFileSync(certs.c.caFile);
    assert.equal(await attempt({ ca, rejectUnauthorized: true }), false, 'no WebSocket opened');
    await until(() => a.stats().tlsHandshakeFailures > before, 'TLS failure counted');
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const before = a.stats().tlsHandshakeFailures;
    const rogue = certs.mallory;
    const opened = await attempt({
      cert: readFileSync(rogue.certFile),
      key: readFileSync(rogue.keyFile),
      ca: readFileSync(rogue.caFile),
    });
    assert.equal(opened, false, 'no WebSocket opened');
    await until(() => a.stats().tlsHandshakeFailures > before, 'TLS failure counted');
  });

  it('refuses plain WebSocket on the TLS port', async () => {
    const before = a.stats().tlsHandshakeFailures;
    assert.equal(await attempt({}, 'ws'), false);
    await until(() => a.stats().tlsHandshakeFailures > before, 'TLS failure counted');
  });

  it('still requires the cluster key from a client with a valid certificate', async () => {
    const c = certs.c;
    const x = await RawPeer.connect(a.port(), {
      nodeId: 'b',
      key: Buffer.from('wrong-key-but-good-certificate-0123'),
      scheme: 'wss',
      client: {
        cert: readFileSync(c.certFile),
        key: readFileSync(c.keyFile),
        ca: readFileSync(c.caFile),
      },
    });
    x.sendHello();
    await x.closed;
    assert.ok(a.stats().rejected['bad-mac'] >= 1);
  });

  it('kept the a-b link up throughout', () => {
    assert.deepEqual(downs.calls, []);
    assert.ok(a.peers().every((peer) => peer.up));
  });

  it('fails start() with a typed error when a TLS file is missing', async () => {
    const mesh = createHeartbeatMesh({
      clusterName: 'lab',
      nodeId: 'z',
      listen: '127.0.0.1:0',
      peers: [],
      key: TEST_KEY,
      intervalMs: 100,
      downMultiplier: 3,
      tls: { ...certs.z, caFile: `${pki.dir}/missing-ca.crt` },
    });
    await assert.rejects(
      mesh.start(),
      (error: unknown) =>
        error instanceof HeartbeatConfigError &&
        error.code === 'TLS_UNREADABLE' &&
        error.message.includes('caFile'),
    );
  });
});
