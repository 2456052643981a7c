// probeDatagram on real sockets: a closed port answers port unreachable (ECONNREFUSED on the
// connected socket), a live one takes the datagram, from the listen address, unrefused.

import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { probeDatagram } from '../src/datagram-socket.js';

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
