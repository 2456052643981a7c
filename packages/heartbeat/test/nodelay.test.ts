// TCP_NODELAY on every heartbeat socket, read back from the kernel with getsockopt(2) —
// not taken on trust from ws's source. With Nagle on, a heartbeat written while the
// previous one is unacknowledged would wait for the ACK (up to the 40 ms delayed-ACK timer).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { freePorts } from '@vipd/testkit';
import koffi from 'koffi';
import { createHeartbeatMesh } from '../src/index.js';
import { TEST_CLUSTER, TEST_KEY } from './helpers/cluster.js';
import { until } from './helpers/wait.js';

const IPPROTO_TCP = 6;
const TCP_NODELAY = 1;
const TCP_ESTABLISHED = '01';

interface TcpSocket {
  readonly fd: number;
  readonly localPort: number;
  readonly remotePort: number;
}

/** Established IPv4 TCP sockets of this process, from /proc. */
function ownTcpSockets(): TcpSocket[] {
  const byInode = new Map<string, { localPort: number; remotePort: number }>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== TCP_ESTABLISHED) continue;
    const port = (address: string | undefined): number =>
      parseInt(address?.split(':')[1] ?? '', 16);
    byInode.set(fields[9]!, { localPort: port(fields[1]), remotePort: port(fields[2]) });
  }
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return [];
    }
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    const ports = inode === undefined ? undefined : byInode.get(inode);
    return ports === undefined ? [] : [{ fd: Number(fd), ...ports }];
  });
}

const skip = process.platform !== 'linux' && 'needs /proc and libc';

function noDelay(fd: number): number {
  const libc = koffi.load('libc.so.6');
  const getsockopt = libc.func(
    'int getsockopt(int fd, int level, int name, _Out_ int *value, _Inout_ uint32_t *length)',
  ) as (fd: number, level: number, name: number, value: number[], length: number[]) => number;
  const value = [0];
  assert.equal(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, value, [4]), 0);
  return value[0]!;
}

describe('heartbeat sockets', { skip }, () => {
  it('have TCP_NODELAY set on both the dialing and the accepting side', async () => {
    const [portA, portB] = (await freePorts(2)) as [number, number];
    const mesh = (id: string, port: number, peer: string, peerPort: number) =>
      createHeartbeatMesh({
        clusterName: TEST_CLUSTER,
        nodeId: id,
        listen: `127.0.0.1:${port}`,
        peers: [{ id: peer, address: `127.0.0.1:${peerPort}` }],
        key: TEST_KEY,
        intervalMs: 50,
        downMultiplier: 4,
      });
    const a = mesh('a', portA, 'b', portB);
    const b = mesh('b', portB, 'a', portA);
    await a.start();
    await b.start();
    try {
      await until(() => a.peers()[0]!.up && b.peers()[0]!.up, 'link up');
      const sockets = ownTcpSockets().filter(
        (s) => [portA, portB].includes(s.localPort) || [portA, portB].includes(s.remotePort),
      );
      // The link's connection, seen from both ends (a duplicate may still be closing).
      assert.ok(sockets.length >= 2, `found ${sockets.length} heartbeat sockets`);
      for (const socket of sockets) {
        const where = `${socket.localPort}->${socket.remotePort}`;
        assert.equal(noDelay(socket.fd), 1, `TCP_NODELAY off on ${where}`);
      }
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('have TCP_NODELAY from connect, before the WebSocket upgrade completes', async () => {
    // A "peer" that accepts TCP and never answers the upgrade request.
    let accepted = 0;
    const silent = createServer(() => {
      accepted++;
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    const mesh = createHeartbeatMesh({
      clusterName: TEST_CLUSTER,
      nodeId: 'a',
      listen: '127.0.0.1:0',
      peers: [{ id: 'b', address: `127.0.0.1:${silentPort}` }],
      key: TEST_KEY,
      intervalMs: 1000,
      downMultiplier: 3,
    });
    await mesh.start();
    try {
      await until(() => accepted > 0, 'the dial reached the silent peer');
      const dialed = ownTcpSockets().filter((s) => s.remotePort === silentPort);
      assert.ok(dialed.length > 0);
      for (const socket of dialed) assert.equal(noDelay(socket.fd), 1);
    } finally {
      await mesh.stop();
      silent.close();
    }
  });
});
