// The election's view of a vipd config: node, peers, timing and each group's ranking rules.
// VIPs, trackers and hooks stay with the driver; the election never sees an address.

import type { ElectionConfig } from '@vipd/election';
import type { VipdConfig } from '../config/types.js';

export function toElectionConfig(config: VipdConfig): ElectionConfig {
  return {
    nodeId: config.node.id,
    peers: config.cluster.peers.map((p) => p.id),
    heartbeatIntervalMs: config.cluster.heartbeatIntervalMs,
    downMultiplier: config.cluster.downMultiplier,
    quorum: config.cluster.quorum,
    // Groups with `vrrp:` are decided on the wire, never by the mesh.
    groups: config.groups
      .filter((g) => g.vrrp === undefined)
      .map((g) => ({
        name: g.name,
        priority: g.priority,
        preempt: g.preempt,
        preemptDelayMs: g.preemptDelayMs,
        ...(g.syncGroup === undefined ? {} : { syncGroup: g.syncGroup }),
      })),
  };
}
