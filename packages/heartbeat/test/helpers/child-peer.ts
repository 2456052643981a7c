// Peer "b" in a child process on 127.0.0.1: it keeps running while this process is blocked
// (mesh-stall), and it can crash for real, its sockets closed by the kernel (mesh-crash).

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { freePorts } from '@vipd/testkit';
import { createHeartbeatMesh, type HeartbeatMesh } from '../../src/index.js';
import { TEST_CLUSTER, TEST_KEY } from './cluster.js';
import { waitForEvent } from './wait.js';

export interface ChildPeerTiming {
  readonly intervalMs: number;
  readonly downMultiplier: number;
}

/** Peer "b" listening on bPort (TCP and UDP) and dialing "a" at aAddress. */
export function startChildPeer(
  bPort: number,
  aAddress: string,
  timing: ChildPeerTiming,
): ChildProcess {
  const index = new URL('../../src/index.js', import.meta.url).href;
  const options = {
    clusterName: TEST_CLUSTER,
    nodeId: 'b',
    listen: `127.0.0.1:${bPort}`,
    peers: [{ id: 'a', address: aAddress }],
    key: TEST_KEY.toString('hex'),
    ...timing,
    cutSilentAfterMs: 60_000,
  };
  const code =
    `const { createHeartbeatMesh } = await import(${JSON.stringify(index)});` +
    `const o = ${JSON.stringify(options)};` +
    `const mesh = createHeartbeatMesh({ ...o, key: Buffer.from(o.key, 'hex') });` +
    `await mesh.start();`;
  return spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: 'inherit' });
}

/** Mesh "a" in this process and peer "b" in a child; `up` resolves when a hears b. */
export interface PairWithChildPeer {
  readonly a: HeartbeatMesh;
  readonly child: ChildProcess;
  readonly up: Promise<unknown>;
}

export async function startPairWithChildPeer(timing: ChildPeerTiming): Promise<PairWithChildPeer> {
  const [bPort] = (await freePorts(1)) as [number];
  const a = createHeartbeatMesh({
    clusterName: TEST_CLUSTER,
    nodeId: 'a',
    listen: '127.0.0.1:0',
    peers: [{ id: 'b', address: `127.0.0.1:${bPort}` }],
    key: TEST_KEY,
    ...timing,
    cutSilentAfterMs: 60_000,
  });
  // Listening before a starts: b cannot be heard earlier than that.
  const up = waitForEvent(a, 'peer-up', (peer) => peer === 'b', 20_000);
  await a.start();
  const child = startChildPeer(bPort, `127.0.0.1:${a.port()}`, timing);
  return { a, child, up };
}

/** Ends the child (stopped or not) unless it is gone already, then mesh a. */
export async function stopPairWithChildPeer({ a, child }: PairWithChildPeer): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await a.stop();
}
