// The platform floor for the heartbeat benchmark: the same processes, topology, message
// size and rate, but bare ws — no codec, no HMAC, no liveness. What the mesh costs above
// this row is the mesh; what this row costs is Node, ws and the machine.

import { WebSocket, WebSocketServer } from 'ws';
import { floorResult, send, serveBenchNode } from './node-process.js';
import type { Measure, NodeConfig } from './protocol.js';
import { startWindow } from './window.js';

let nodeId = '';
let frameBytes = 0;
let server: WebSocketServer | null = null;
const outbound: WebSocket[] = [];
const latencies: number[] = [];
let measuring = false;

function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

function onPayload(data: Buffer): void {
  // CLOCK_MONOTONIC is shared by all processes on the host: no offsets needed.
  if (measuring) latencies.push(monotonicMs() - data.readDoubleBE(0));
}

async function configure(config: NodeConfig): Promise<void> {
  nodeId = config.nodeId;
  // Same size as a mesh heartbeat with this many groups (see node.ts / the frame layout).
  frameBytes = 68 + 1 + 5 + 1 + Buffer.byteLength(nodeId) + 2 + config.groups * 23 + 32;
  server = new WebSocketServer({ host: '127.0.0.1', port: config.port, perMessageDeflate: false });
  server.on('connection', (ws) => {
    ws.on('message', onPayload);
  });
  await new Promise<void>((resolve) => server?.once('listening', resolve));
  // Peers start at different times: retry each dial until it connects.
  await Promise.all(
    config.peers.map(async (peer) => {
      for (;;) {
        const ws = new WebSocket(`ws://${peer.address}`, {
          perMessageDeflate: false,
          generateMask: (mask: Buffer) => mask.fill(0),
        });
        const opened = await new Promise<boolean>((resolve) => {
          ws.once('open', () => {
            resolve(true);
          });
          ws.once('error', () => {
            resolve(false);
          });
        });
        if (opened) {
          outbound.push(ws);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }),
  );
  const payload = Buffer.alloc(frameBytes, 0x5a);
  setInterval(() => {
    for (const ws of outbound) {
      if (ws.bufferedAmount > 0) continue;
      payload.writeDoubleBE(monotonicMs(), 0);
      ws.send(payload);
    }
  }, config.intervalMs);
  send({ type: 'ready', clockOffsetMs: 0, frameBytes });
}

function measure(request: Measure): void {
  latencies.length = 0;
  measuring = true;
  const finish = startWindow();
  setTimeout(() => {
    measuring = false;
    send(floorResult(nodeId, finish(), latencies));
  }, request.durationMs);
}

serveBenchNode({ configure, measure });
