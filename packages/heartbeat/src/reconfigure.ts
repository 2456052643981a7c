// What a reload changes in the mesh, worked out from the resolved options before and after.
// Pure, so the rules (which peer is new, gone or moved; whether the deadlines change) are
// tested without sockets.

import type { ResolvedOptions } from './options.js';
import type { MeshReconfigured } from './types.js';

export function reconciliation(before: ResolvedOptions, after: ResolvedOptions): MeshReconfigured {
  const running = new Map(before.peers.map((peer) => [peer.id, peer.address]));
  const next = new Set(after.peers.map((peer) => peer.id));
  return {
    peersAdded: after.peers.filter((peer) => !running.has(peer.id)).map((peer) => peer.id),
    peersRemoved: [...running.keys()].filter((id) => !next.has(id)),
    peersReaddressed: after.peers
      .filter((peer) => running.has(peer.id) && running.get(peer.id) !== peer.address)
      .map((peer) => peer.id),
    retimed:
      before.intervalMs !== after.intervalMs ||
      before.downAfterMs !== after.downAfterMs ||
      before.cutSilentAfterMs !== after.cutSilentAfterMs ||
      before.reconnectMinDelayMs !== after.reconnectMinDelayMs ||
      before.reconnectMaxDelayMs !== after.reconnectMaxDelayMs,
    tlsReloaded: after.tls !== null,
  };
}
