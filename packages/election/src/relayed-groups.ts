// What a node says about groups it does not hold (every group, on a witness): priority 0,
// the greatest epoch seen and the master it hears directly. This is what keeps quorum votes
// exclusive: a witness that hears two masters of one group which cannot hear each other
// reports following only the stronger, so the weaker loses its vote.
import { advertOf, sameAdvert } from './peer-advert.js';
import { compareClaims, type MasterClaim } from './priority.js';
import type { PeerTable } from './peer-table.js';
import type { GroupName, NodeId, PeerGroupState } from './types.js';

interface Observation {
  epoch: number;
  master: NodeId | null;
  claim: MasterClaim | null;
}

/**
 * The adverts to relay, by group name (sorted), from what live peers advertise for groups
 * `holds` says this node does not hold. Unchanged adverts keep their previous object, so
 * callers can compare by reference; epochs never go back while a group stays observed.
 */
export function relayedGroups(
  peers: PeerTable,
  holds: (name: GroupName) => boolean,
  previous: ReadonlyMap<GroupName, PeerGroupState>,
): Map<GroupName, PeerGroupState> {
  const found = new Map<GroupName, Observation>();
  for (const peer of peers.all()) {
    if (!peer.alive) continue;
    for (const name in peer.groups) {
      if (holds(name)) continue;
      const advert = advertOf(peer.groups, name);
      if (advert === undefined) continue;
      const seen = found.get(name) ?? {
        epoch: previous.get(name)?.epoch ?? 0,
        master: null,
        claim: null,
      };
      seen.epoch = Math.max(seen.epoch, advert.epoch);
      if (advert.state === 'MASTER' && advert.priority > 0) {
        const claim = { epoch: advert.epoch, priority: advert.priority, nodeId: peer.id };
        if (seen.claim === null || compareClaims(claim, seen.claim) > 0) {
          seen.claim = claim;
          seen.master = peer.id;
        }
      }
      found.set(name, seen);
    }
  }
  const next = new Map<GroupName, PeerGroupState>();
  for (const name of [...found.keys()].sort()) {
    const seen = found.get(name);
    if (seen === undefined) continue;
    const advert: PeerGroupState = {
      priority: 0,
      state: 'BACKUP',
      epoch: seen.epoch,
      master: seen.master,
    };
    const before = previous.get(name);
    next.set(
      name,
      before !== undefined && sameAdvert(before, advert) ? before : Object.freeze(advert),
    );
  }
  return next;
}
