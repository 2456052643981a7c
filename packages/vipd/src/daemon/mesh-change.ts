// The part of the config a reload hands to the heartbeat mesh (HeartbeatMesh.reconfigure):
// the same fields the mesh is created with, so start and reload cannot drift apart.

import type { HeartbeatMeshReconfiguration } from '@vipd/heartbeat';
import type { VipdConfig } from '../config/types.js';

export function meshChange(config: VipdConfig): HeartbeatMeshReconfiguration {
  return {
    peers: config.cluster.peers,
    intervalMs: config.cluster.heartbeatIntervalMs,
    downMultiplier: config.cluster.downMultiplier,
    // Read again at every reload: a renewed certificate under the same path is the usual case.
    ...(config.cluster.tls ? { tls: config.cluster.tls } : {}),
  };
}
