// With TLS, a node's certificate speaks only for the node it names (CN, or a URI SAN
// vipd:node/<id>): a certificate the cluster CA signed for another node, even with the
// cluster key, cannot authenticate a connection as this node — in either direction.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  createHeartbeatMesh,
  type HeartbeatMesh,
  type PeerAddress,
  type TlsOptions,
} from '../src/index.js';
import { createTestPki, type TestPki } from './helpers/certs.js';
import { TEST_CLUSTER, TEST_KEY } from './helpers/cluster.js';
import { RawPeer } from './helpers/raw-peer.js';
import { waitForEvent } from './helpers/wait.js';

/** Nothing listens on port 1: dials to a peer there fail, and only its dials reach us. */
const UNREACHABLE = '127.0.0.1:1';

function mesh(nodeId: string, peer: PeerAddress, tls: TlsOptions): HeartbeatMesh {
  return createHeartbeatMesh({
    clusterName: TEST_CLUSTER,
    nodeId,
    listen: '127.0.0.1:0',
    peers: [peer],
    key: TEST_KEY,
    intervalMs: 50,
    downMultiplier: 4,
    authTimeoutMs: 3000,
    tls,
  });
}

function clientOptions(tls: TlsOptions) {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ca: readFileSync(tls.caFile),
  };
}

describe('TLS certificates bound to node ids', () => {
  let pki: TestPki;
  let certs: Record<'a' | 'c' | 'bByUri' | 'z', TlsOptions>;

  before(() => {
    pki = createTestPki();
    certs = {
      a: pki.node('a'),
      c: pki.node('c'),
      bByUri: pki.node('b-uri', { cn: 'not-a-node', uris: ['vipd:node/b'] }),
      z: pki.node('z'),
    };
  });
  after(() => {
    pki.remove();
  });

  describe('accepting', () => {
    let a: HeartbeatMesh;
    before(async () => {
      // a's own dials to b fail: only the tests speak as b.
      a = mesh('a', { id: 'b', address: UNREACHABLE }, certs.a);
      await a.start();
    });
    after(async () => {
      await a.stop();
    });

    it("refuses node c's certificate speaking as b, even with the cluster key", async () => {
      const rejected = waitForEvent(a, 'rejected', (reason) => reason === 'unknown-node');
      const x = await RawPeer.connect(a.port(), {
        nodeId: 'b',
        scheme: 'wss',
        client: clientOptions(certs.c),
      });
      x.sendHello();
      const [, peer] = await rejected;
      assert.equal(peer, null, 'rejected before the connection was taken as b');
      await x.closed;
      assert.equal(a.peers()[0]!.up, false);
      assert.equal(
        x.frames.filter((frame) => frame.kind === 'heartbeat').length,
        0,
        'no heartbeat answered the impostor',
      );
    });

    it('accepts a certificate that names b in a vipd:node URI (whatever its CN)', async () => {
      const x = await RawPeer.connect(a.port(), {
        nodeId: 'b',
        scheme: 'wss',
        client: clientOptions(certs.bByUri),
      });
      await x.authenticate();
      x.terminate();
    });
  });

  describe('dialing', () => {
    let a: HeartbeatMesh;
    let b: HeartbeatMesh;
    before(async () => {
      // "b" serves with z's certificate; it never dials a (a's address is unreachable to
      // it), so the only connection is the one a dials.
      b = mesh('b', { id: 'a', address: UNREACHABLE }, certs.z);
      await b.start();
      a = mesh('a', { id: 'b', address: `127.0.0.1:${b.port()}` }, certs.a);
    });
    after(async () => {
      await a.stop();
      await b.stop();
    });

    it('refuses a server whose certificate names another node than the one it dialed', async () => {
      const rejected = waitForEvent(
        a,
        'rejected',
        (reason, _peer, remote) => reason === 'unknown-node' && remote === `127.0.0.1:${b.port()}`,
      );
      await a.start();
      await rejected;
      assert.equal(a.peers()[0]!.up, false);
    });
  });
});
