// One node of the benchmark cluster, in a process of its own so that process.cpuUsage()
// is this node's CPU time and nobody else's.

import { createHeartbeatMesh, encodeHeartbeat, type HeartbeatMesh } from '../src/index.js';
import { benchGroups } from './groups.js';
import { send, serveBenchNode } from './node-process.js';
import type { Measure, NodeConfig } from './protocol.js';
import { startWindow } from './window.js';

let mesh: HeartbeatMesh | null = null;
let nodeId = '';

function meshClockOffsetMs(): number {
  return performance.timeOrigin + performance.now() - Number(process.hrtime.bigint()) / 1e6;
}

async function configure(config: NodeConfig): Promise<void> {
  nodeId = config.nodeId;
  const key = Buffer.from(config.key, 'hex');
  const groups = benchGroups(config.groups);
  mesh = createHeartbeatMesh({
    clusterName: 'bench',
    nodeId: config.nodeId,
    listen: `127.0.0.1:${config.port}`,
    peers: config.peers,
    key,
    intervalMs: config.intervalMs,
    downMultiplier: 3,
  });
  mesh.setLocalState(groups);
  // Ready once every peer has been up at least once: on an overloaded machine a 16-node
  // cluster at 10 ms may never have all peers up at the same instant.
  const seen = new Set<string>();
  const allSeen = new Promise<void>((resolve) => {
    mesh?.on('peer-up', (peer) => {
      seen.add(peer);
      if (seen.size === config.peers.length) resolve();
    });
  });
  await mesh.start();
  const slow = setTimeout(() => {
    const missing = config.peers.filter((peer) => !seen.has(peer.id)).map((peer) => peer.id);
    console.error(`${config.nodeId}: still waiting for ${missing.join(', ')}`, mesh?.stats());
  }, 20_000);
  await allSeen;
  clearTimeout(slow);
  const frameBytes = encodeHeartbeat(
    {
      kind: 'heartbeat',
      role: 'dialer',
      incarnation: '0'.repeat(32),
      nonce: '0'.repeat(32),
      seq: 1,
      sentAtMs: 0,
      echoSentAtMs: 0,
      echoHeldMs: 0,
      clusterName: 'bench',
      nodeId: config.nodeId,
      receiverId: config.peers[0]?.id ?? config.nodeId,
      groups,
    },
    key,
  ).length;
  send({ type: 'ready', clockOffsetMs: meshClockOffsetMs(), frameBytes });
}

function measure(request: Measure): void {
  if (mesh === null) throw new Error('measure before config');
  const running = mesh;
  const ownOffsetMs = meshClockOffsetMs();
  const latencies: number[] = [];
  let peerDowns = 0;
  const onHeartbeat = (hb: { from: string; sentAtMs: number; receivedAtMs: number }): void => {
    const senderOffsetMs = request.clockOffsetsMs[hb.from] ?? ownOffsetMs;
    latencies.push(hb.receivedAtMs - ownOffsetMs - (hb.sentAtMs - senderOffsetMs));
  };
  const onDown = (): void => {
    peerDowns++;
  };
  running.on('heartbeat', onHeartbeat);
  running.on('peer-down', onDown);
  const statsBefore = running.stats();
  const finish = startWindow();
  setTimeout(() => {
    const figures = finish();
    running.off('heartbeat', onHeartbeat);
    running.off('peer-down', onDown);
    const stats = running.stats();
    const rejectedNow = Object.values(stats.rejected).reduce((sum, n) => sum + n, 0);
    const rejectedBefore = Object.values(statsBefore.rejected).reduce((sum, n) => sum + n, 0);
    send({
      type: 'result',
      nodeId,
      ...figures,
      latenciesMs: Float64Array.from(latencies),
      rttMs: running.peers().flatMap((peer) => (peer.rttMs === null ? [] : [peer.rttMs])),
      peerDowns,
      rejected: rejectedNow - rejectedBefore,
      skipped: stats.heartbeatsSkipped - statsBefore.heartbeatsSkipped,
    });
  }, request.durationMs);
}

serveBenchNode({
  configure,
  measure,
  stop: () => mesh?.stop() ?? Promise.resolve(),
});
