// Counters behind HeartbeatMesh.stats(), shared by the real mesh and the loopback double.

import type {
  ConnectionDropReason,
  DatagramRejectReason,
  HeartbeatMeshStats,
  RejectReason,
} from './types.js';

export type MeshCounters = {
  -readonly [K in keyof HeartbeatMeshStats]: HeartbeatMeshStats[K];
} & {
  rejected: Record<RejectReason, number>;
  connectionsDropped: Record<ConnectionDropReason, number>;
  datagramsRejected: Record<DatagramRejectReason, number>;
};

function zeroRejected(): Record<RejectReason, number> {
  return {
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
  };
}

export function zeroCounters(): MeshCounters {
  return {
    rejected: zeroRejected(),
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
    datagramsSent: 0,
    datagramSendErrors: 0,
    datagramsRefused: 0,
    datagramsReceived: 0,
    datagramsDuplicate: 0,
    datagramsStale: 0,
    datagramsRejected: {
      ...zeroRejected(),
      'datagram-unknown-source': 0,
      'datagram-unknown-incarnation': 0,
    },
  };
}

export function snapshot(counters: MeshCounters): HeartbeatMeshStats {
  return {
    ...counters,
    rejected: { ...counters.rejected },
    connectionsDropped: { ...counters.connectionsDropped },
    datagramsRejected: { ...counters.datagramsRejected },
  };
}
