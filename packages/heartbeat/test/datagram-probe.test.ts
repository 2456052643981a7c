// probeDatagram on real sockets: a closed port answers port unreachable (ECONNREFUSED on the
// connected socket), a live one takes the datagram, from the listen address, unrefused.

import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { PROBE_RESEND_MS, probeDatagram } from '../src/datagram-socket.js';

const LINGER_MS = 2000;

/** Whether the probe was refused within LINGER_MS. */
function probe(listenHost: string, host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, LINGER_MS);
    probeDatagram(listenHost, Buffer.from('hb'), { host, port }, LINGER_MS, () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** A UDP port that was bound a moment ago and is closed now. */
async function closedPort(type: 'udp4' | 'udp6', host: string): Promise<number> {
  const socket = createSocket(type);
  socket.bind(0, host);
  await once(socket, 'listening');
  const { port } = socket.address();
  socket.close();
  return port;
}

async function listening(type: 'udp4' | 'udp6', host: string): Promise<Socket> {
  const socket = createSocket(type);
  socket.bind(0, host);
  await once(socket, 'listening');
  return socket;
}

describe('probeDatagram', () => {
  it('is refused by a port that took the first probe and closed (a process being killed)', async () => {
    // A killed process's TCP connection can close before its UDP port: the first probe is
    // taken by the dying socket; a resend finds the port closed.
    const dying = await listening('udp4', '127.0.0.1');
    dying.once('message', () => {
      dying.close();
    });
    assert.equal(await probe('127.0.0.1', '127.0.0.1', dying.address().port), true);
  });

  it('sends the same bytes again while unanswered, within the linger', async () => {
    const peer = await listening('udp4', '127.0.0.1');
    let copies = 0;
    peer.on('message', (bytes: Buffer) => {
      if (bytes.toString() === 'hb') copies += 1;
    });
    await probe('127.0.0.1', '127.0.0.1', peer.address().port);
    peer.close();
    assert.equal(copies, 1 + PROBE_RESEND_MS.length);
  });

  for (const [type, listenHost, host] of [
    ['udp4', '127.0.0.1', '127.0.0.1'],
    ['udp4', '0.0.0.0', '127.0.0.1'],
    ['udp6', '::1', '::1'],
    ['udp6', '::', '::1'],
  ] as const) {
    it(`is refused by a closed port at ${host} (listening at ${listenHost})`, async () => {
      assert.equal(await probe(listenHost, host, await closedPort(type, host)), true);
    });
  }

  for (const [type, host] of [
    ['udp4', '127.0.0.1'],
    ['udp6', '::1'],
  ] as const) {
    it(`reaches a live port at ${host} from the listen address, unrefused`, async () => {
      const peer = await listening(type, host);
      const arrived = once(peer, 'message');
      const refused = probe(host, host, peer.address().port);
      const [bytes, remote] = (await arrived) as [Buffer, { address: string }];
      assert.equal(bytes.toString(), 'hb');
      assert.equal(remote.address, host);
      assert.equal(await refused, false);
      peer.close();
    });
  }
});
