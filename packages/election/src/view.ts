// What the other nodes say about one sync group, boiled down to what the state handlers
// need: who claims to be master, who could take over, and how many voters back this node.
// Because every heartbeat carries every group's priority, state and epoch, each node sees
// all candidates at once; that is what lets the best backup act without RFC 5798's
// Skew_Time (§6.1).
import { compareClaims, type MasterClaim } from './priority.js';
import type { PeerTable, PeerView } from './peer-table.js';
import type { SyncGroup } from './sync-group.js';
import type { NodeId, PeerGroupState, Priority } from './types.js';

export interface PeerStanding {
  readonly nodeId: NodeId;
  /** Lowest priority it advertises over the sync group's members. */
  readonly priority: Priority;
  /** Greatest epoch it advertises over the members. */
  readonly epoch: number;
  /** Heard directly; false when only vouched for by a peer that hears it. */
  readonly direct: boolean;
  /** Its latest heartbeat says it hears this node, or does not say (older mesh). */
  readonly hearsUs: boolean;
}

export interface RelayedMaster {
  readonly nodeId: NodeId;
  readonly reportedBy: NodeId;
}

export interface SyncGroupView {
  /** The strongest (epoch, priority, node id) master claim among reachable peers. */
  readonly master: PeerStanding | null;
  /** The strongest claim among peers heard directly. */
  readonly directMaster: PeerStanding | null;
  /** A master this node cannot hear, reported by a live peer that follows it. */
  readonly relayedMaster: RelayedMaster | null;
  /**
   * The strongest master heard directly that cannot hear this node (one-way loss, see
   * PeerTable.deafToSelfFromMs): it never sees this node's claim, so only this node can end
   * the two claims.
   */
  readonly deafMaster: PeerStanding | null;
  /** When a master heard directly that leaves this node out of its `hears` counts as deaf. */
  readonly deafMasterDueAtMs: number | null;
  /** Reachable peers in BACKUP with priority > 0 for every member. */
  readonly candidates: readonly PeerStanding[];
  /** Quorum guard votes for this node for this sync group, its own included. */
  readonly votes: number;
  /** While master: when the first vote counted now lapses (null when none will). */
  readonly voteLapsesAtMs: number | null;
}

/** This node's claim: its current one while master, the one it would make otherwise. */
export interface OwnClaim {
  readonly nodeId: NodeId;
  readonly claim: MasterClaim;
  /**
   * A voter counts only this long after its last heartbeat, shorter than the downMultiplier
   * x interval after which peers may replace a master (a lease shorter than the election
   * timeout, as in Raft): an old master fences itself before a new one can be elected on
   * the other side of a partition. Claims use the same lease, so a fresh master keeps it.
   */
  readonly lease: { readonly nowMs: number; readonly windowMs: number };
  /**
   * Until when a voter still following another master counts for this node (the master
   * is one it outbids, or one it cannot see while the voter has seen no newer epoch):
   * always while deciding to claim (the voter switches once it hears the claim), and one
   * lease after the claim; a voter that never hears the claim must not back it for good.
   */
  readonly handoverUntilMs: number;
}

/**
 * A peer counts when heard directly, or when a live peer says it hears it: a master that
 * only this node lost (a broken link, a closed TCP connection) is not dead. A peer known
 * only that way is a master only while no greater epoch has been seen since.
 */
export function viewSyncGroup(
  syncGroup: Readonly<SyncGroup>,
  peers: PeerTable,
  self: OwnClaim,
  /** Count quorum votes (the guard is on, or a command asks); otherwise votes is 0. */
  countVotes: boolean,
): SyncGroupView {
  let master: PeerStanding | null = null;
  let directMaster: PeerStanding | null = null;
  let deafMaster: PeerStanding | null = null;
  let deafMasterDueAtMs: number | null = null;
  const nowMs = self.lease.nowMs;
  const candidates: PeerStanding[] = [];
  for (const peer of peers.all()) {
    const standing = standingOf(syncGroup, peer, peers, nowMs);
    if (standing === null) continue;
    if (standing.claimsMaster) {
      if (!standing.direct && standing.epoch < syncGroup.maxSeenEpoch) continue;
      if (master === null || compareClaims(standing, master) > 0) master = standing;
      if (standing.direct && (directMaster === null || compareClaims(standing, directMaster) > 0))
        directMaster = standing;
      const deafFromMs = peers.deafToSelfFromMs(peer);
      if (deafFromMs === null) continue;
      if (nowMs < deafFromMs) {
        if (deafMasterDueAtMs === null || deafFromMs < deafMasterDueAtMs)
          deafMasterDueAtMs = deafFromMs;
      } else if (deafMaster === null || compareClaims(standing, deafMaster) > 0) {
        deafMaster = standing;
      }
    } else if (standing.candidate) {
      candidates.push(standing);
    }
  }
  const { votes, lapsesAtMs } = countVotes ? votesFor(syncGroup, peers, self) : NO_VOTES;
  return {
    master,
    directMaster,
    relayedMaster: master === null ? relayedMasterOf(syncGroup, peers, self.nodeId) : null,
    deafMaster,
    deafMasterDueAtMs,
    candidates,
    votes,
    voteLapsesAtMs: lapsesAtMs,
  };
}

const NO_VOTES = { votes: 0, lapsesAtMs: null };

interface Standing extends PeerStanding {
  readonly claimsMaster: boolean;
  readonly candidate: boolean;
}

function standingOf(
  syncGroup: Readonly<SyncGroup>,
  peer: PeerView,
  peers: PeerTable,
  nowMs: number,
): Standing | null {
  let present = 0;
  let claimsMaster = false;
  let candidate = true;
  let priority = Number.POSITIVE_INFINITY;
  let epoch = 0;
  for (const member of syncGroup.members) {
    const advert = peer.adverts.get(member.name);
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
  if (present === 0) return null;
  const direct = peer.alive;
  // A master presumed alive behind a one-way cut (PeerTable.presumeIfDeaf) still counts.
  const reachable =
    direct || peers.vouchedFor(peer.id) || (claimsMaster && peers.presumed(peer, nowMs));
  if (!reachable) return null;
  return {
    nodeId: peer.id,
    priority,
    epoch,
    direct,
    hearsUs: peer.hears === null || peer.hears.has(peers.selfId),
    claimsMaster,
    candidate: candidate && priority > 0,
  };
}

/** What a live peer says about the sync group (its first member it advertises). */
function reportOf(syncGroup: Readonly<SyncGroup>, peer: PeerView): PeerGroupState | undefined {
  for (const member of syncGroup.members) {
    const advert = peer.adverts.get(member.name);
    if (advert !== undefined) return advert;
  }
  return undefined;
}

function relayedMasterOf(
  syncGroup: Readonly<SyncGroup>,
  peers: PeerTable,
  selfId: NodeId,
): RelayedMaster | null {
  for (const peer of peers.all()) {
    if (!peer.alive) continue;
    const reported = reportOf(syncGroup, peer)?.master;
    if (typeof reported !== 'string' || reported === selfId || reported === peer.id) continue;
    if (peers.get(reported)?.alive === true) continue;
    return { nodeId: reported, reportedBy: peer.id };
  }
  return null;
}

/**
 * Quorum guard votes: this node, plus every live peer that hears it back and does not
 * follow a master this node cannot see itself beating. A voter's support is exclusive:
 * while it follows master M, it backs nobody else, unless that node hears M directly and
 * M is weaker (a preemption in progress) or no longer master. Peers whose heartbeat does
 * not say whom they hear or follow count on hearing alone.
 */
function votesFor(
  syncGroup: Readonly<SyncGroup>,
  peers: PeerTable,
  self: OwnClaim,
): { votes: number; lapsesAtMs: number | null } {
  let votes = 1;
  let lapsesAtMs: number | null = null;
  for (const peer of peers.all()) {
    if (!peer.alive || peer.lastHeardMs === null) continue;
    const support = backs(syncGroup, peers, peer, self);
    if (support === 'no') continue;
    if (self.lease.nowMs >= peer.lastHeardMs + self.lease.windowMs) continue;
    if (support === 'handover') {
      // Lease lapses are watched per peer by the election; handovers end per sync group.
      if (self.lease.nowMs >= self.handoverUntilMs) continue;
      if (lapsesAtMs === null || self.handoverUntilMs < lapsesAtMs)
        lapsesAtMs = self.handoverUntilMs;
    }
    votes++;
  }
  return { votes, lapsesAtMs };
}

/** Whether the peer backs this node: outright, only while a handover completes, or not. */
function backs(
  syncGroup: Readonly<SyncGroup>,
  peers: PeerTable,
  peer: PeerView,
  self: OwnClaim,
): 'yes' | 'handover' | 'no' {
  if (peer.hears !== null && !peer.hears.has(self.nodeId)) return 'no';
  const report = reportOf(syncGroup, peer);
  const follows = report?.master;
  // An older sender that does not say whom it follows: hearing alone decides.
  if (follows === undefined || follows === self.nodeId) return 'yes';
  // Following nobody backs a claimant, and a fresh master while the voter has not heard the
  // claim yet; a lease after the claim it must follow this master, or this master's claim
  // never reached it (one-way loss) and the vote is stale.
  if (follows === null) return 'handover';
  const rival = peers.get(follows);
  // A master this node cannot see. If the voter has seen no epoch above this node's claim,
  // it may simply not have heard the claim yet (two claims crossing): a handover, bounded
  // by one lease, not an instant fence that would make both claimants fall and retry.
  if (rival?.alive !== true)
    return report !== undefined && report.epoch <= self.claim.epoch ? 'handover' : 'no';
  const standing = standingOf(syncGroup, rival, peers, self.lease.nowMs);
  if (standing === null || !standing.claimsMaster || compareClaims(self.claim, standing) > 0)
    return 'handover';
  return 'no';
}
