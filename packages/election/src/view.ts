// What the other nodes say about one sync group, boiled down to the two lists the state
// handlers need: who claims to be master, and who could take over. Because every heartbeat
// carries every group's priority, state and epoch, each node sees all candidates at once;
// that is what lets the best backup act without RFC 5798's Skew_Time (§6.1).
import { advertOf } from './peer-advert.js';
import { compareClaims } from './priority.js';
import type { PeerTable } from './peer-table.js';
import type { SyncGroup } from './sync-group.js';
import type { NodeId, Priority } from './types.js';

export interface PeerStanding {
  readonly nodeId: NodeId;
  /** Lowest priority it advertises over the sync group's members. */
  readonly priority: Priority;
  /** Greatest epoch it advertises over the members. */
  readonly epoch: number;
  /** Heard directly; false when only vouched for by a peer that hears it. */
  readonly direct: boolean;
}

export interface SyncGroupView {
  /** The strongest (epoch, priority, node id) master claim among reachable peers. */
  readonly master: PeerStanding | null;
  /** The strongest claim among peers heard directly (the ones that can hear us back). */
  readonly directMaster: PeerStanding | null;
  /** Reachable peers in BACKUP with priority > 0 for every member. */
  readonly candidates: readonly PeerStanding[];
}

/**
 * A peer counts when heard directly, or when a live peer says it hears it: a master that
 * only this node lost (a broken link, a closed TCP connection) is not dead. A peer known
 * only that way is a master only while no greater epoch has been seen since.
 */
export function viewSyncGroup(unit: SyncGroup, peers: PeerTable): SyncGroupView {
  let master: PeerStanding | null = null;
  let directMaster: PeerStanding | null = null;
  const candidates: PeerStanding[] = [];
  for (const peer of peers.all()) {
    let present = 0;
    let claimsMaster = false;
    let candidate = true;
    let priority = Number.POSITIVE_INFINITY;
    let epoch = 0;
    for (const member of unit.members) {
      const advert = advertOf(peer.groups, member.name);
      if (advert === undefined) {
        candidate = false;
        continue;
      }
      present++;
      if (advert.state === 'MASTER' && advert.priority > 0) claimsMaster = true;
      // INIT has not started electing (RFC 5798 §6.4.1): not a candidate yet.
      if (advert.state !== 'BACKUP') candidate = false;
      if (advert.priority < priority) priority = advert.priority;
      if (advert.epoch > epoch) epoch = advert.epoch;
    }
    if (present === 0) continue;
    const direct = peer.alive;
    if (!direct && !peers.vouchedFor(peer.id)) continue;
    const standing: PeerStanding = { nodeId: peer.id, priority, epoch, direct };
    if (claimsMaster) {
      if (!direct && epoch < unit.maxSeenEpoch) continue;
      if (master === null || compareClaims(standing, master) > 0) master = standing;
      if (direct && (directMaster === null || compareClaims(standing, directMaster) > 0))
        directMaster = standing;
    } else if (candidate && priority > 0) {
      candidates.push(standing);
    }
  }
  return { master, directMaster, candidates };
}
