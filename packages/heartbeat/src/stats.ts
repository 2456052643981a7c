// Counters behind HeartbeatMesh.stats(), shared by the real mesh and the loopback double.

import type { ConnectionDropReason, HeartbeatMeshStats, RejectReason } from './types.js';

export type MeshCounters = {
  -readonly [K in keyof HeartbeatMeshStats]: HeartbeatMeshStats[K];
} & {
  rejected: Record<RejectReason, number>;
  connectionsDropped: Record<ConnectionDropReason, number>;
};

export function zeroCounters(): MeshCounters {
  return {
    rejected: {
      'bad-mac': 0,
      'unknown-node': 0,
      'wrong-receiver': 0,
      'wrong-role': 0,
      'wrong-cluster': 0,
      replay: 0,
      stale: 0,
      oversized: 0,
      truncated: 0,
      'bad-version': 0,
      malformed: 0,
    },
    heartbeatsSent: 0,
    heartbeatsReceived: 0,
    heartbeatsSkipped: 0,
    framesUnderAcceptedKey: 0,
    stalledPeersCut: 0,
    authTimeouts: 0,
    connectionsRefused: 0,
    connectionsDropped: { 'admission-total': 0, 'admission-per-source': 0, 'preauth-timeout': 0 },
    tlsHandshakeFailures: 0,
    connectionsAccepted: 0,
    dialAttempts: 0,
  };
}

export function snapshot(counters: MeshCounters): HeartbeatMeshStats {
  return {
    ...counters,
    rejected: { ...counters.rejected },
    connectionsDropped: { ...counters.connectionsDropped },
  };
}
