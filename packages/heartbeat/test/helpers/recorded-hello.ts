// Frames a sniffer on the heartbeat network could have recorded: the hello a node sends
// first when it dials a peer, captured by a WebSocket server standing in for that peer.

import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { createHeartbeatMesh } from '../../src/index.js';
import { TEST_CLUSTER, TEST_KEY } from './cluster.js';

/** The first frame `nodeId` sends when it dials `peerId`: its hello, as a sniffer saw it. */
export async function recordHello(
  nodeId: string,
  peerId: string,
  intervalMs: number,
): Promise<Buffer> {
  const recorder = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(recorder, 'listening');
  const { port } = recorder.address() as { port: number };
  const first = new Promise<Buffer>((resolve) => {
    recorder.on('connection', (ws) => {
      ws.once('message', (data: Buffer) => {
        resolve(Buffer.from(data));
      });
    });
  });
  const mesh = createHeartbeatMesh({
    clusterName: TEST_CLUSTER,
    nodeId,
    listen: '127.0.0.1:0',
    peers: [{ id: peerId, address: `127.0.0.1:${port}` }],
    key: TEST_KEY,
    intervalMs,
    downMultiplier: 4,
  });
  await mesh.start();
  try {
    return await first;
  } finally {
    await mesh.stop();
    for (const ws of recorder.clients) ws.terminate();
    recorder.close();
  }
}
