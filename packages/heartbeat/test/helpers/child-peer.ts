// Peer "b" in a child process on 127.0.0.1: it keeps running while this process is blocked
// (mesh-stall), and it can crash for real, its sockets closed by the kernel (mesh-crash).

import { spawn, type ChildProcess } from 'node:child_process';
import { TEST_CLUSTER, TEST_KEY } from './cluster.js';

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
