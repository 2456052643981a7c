// Every write to a sync group and its members, in one place. The state handlers and the rest
// of the election read a Readonly<SyncGroup> and decide; what they decide arrives here as
// data (a Decision, a MasterKnowledge, a command's effect) and is applied by one of these
// functions, as raft's step functions decide and its become* functions change the node.
// So each field's rules sit side by side: the epoch only grows, a claim resets the backup's
// waits, a master that steps down starts the master-down clock.
import type { BackupWaits, Decision } from './state-handlers.js';
import type { MasterKnowledge } from './master-knowledge.js';
import type { MemberGroup, SyncGroup, TrackerReport } from './sync-group.js';
import { assertLegalTransition } from './transitions.js';
import type { GroupConfig, GroupState, NodeId, PeerGroupState, TransitionReason } from './types.js';

/** What a state change needs to know about the node at that moment. */
export interface TransitionMoment {
  readonly nodeId: NodeId;
  readonly nowMs: number;
  readonly intervalMs: number;
  readonly downAfterMs: number;
  /** Every peer is heard right now: a group leaving FAULT has nothing to listen for. */
  readonly everyPeerHeard: boolean;
}

// ---- the election's own rhythm ----

/** At startup: listen for the current master before claiming, and count from now as down. */
export function startListening(
  syncGroup: SyncGroup,
  listenUntilMs: number,
  ownerListenUntilMs: number,
  startMs: number,
  detail: string,
): void {
  syncGroup.listenUntilMs = listenUntilMs;
  syncGroup.ownerListenUntilMs = ownerListenUntilMs;
  syncGroup.masterDownAtMs = startMs;
  syncGroup.masterDownReason = 'master-down';
  syncGroup.masterDownDetail = detail;
}

/** Every peer has been heard: the startup listening window ends now, if it has not. */
export function stopListening(syncGroup: SyncGroup, nowMs: number): void {
  syncGroup.listenUntilMs = Math.min(syncGroup.listenUntilMs, nowMs);
  syncGroup.ownerListenUntilMs = Math.min(syncGroup.ownerListenUntilMs, nowMs);
}

/** Something changed that the sync group's state may depend on: evaluate it again. */
export function markDirty(syncGroup: SyncGroup): void {
  syncGroup.dirty = true;
}

/** A peer's advert of a member changed: keep the greatest epoch seen, and note an unseen claim. */
export function noteAdvert(
  syncGroup: SyncGroup,
  advert: PeerGroupState | undefined,
  from: NodeId,
  nowMs: number,
): void {
  syncGroup.dirty = true;
  if (advert === undefined || advert.epoch <= syncGroup.maxSeenEpoch) return;
  syncGroup.maxSeenEpoch = advert.epoch;
  syncGroup.maxSeenEpochFrom = from;
  // A higher epoch from a node that is not master: someone out of our sight claimed.
  if (advert.state !== 'MASTER') syncGroup.unseenClaimAtMs = nowMs;
}

/** A tracker's latest report replaces its previous one; a healthy, weightless one is dropped. */
export function reportTracker(member: MemberGroup, trackerId: string, report: TrackerReport): void {
  const trackers = new Map(member.trackers);
  if (report.weightDelta === 0 && !report.fault) trackers.delete(trackerId);
  else trackers.set(trackerId, report);
  member.trackers = trackers;
}

// ---- what an evaluation decided ----

/** Applies what the peers say about who is master (see master-knowledge.ts). */
export function learnMaster(
  syncGroup: SyncGroup,
  knowledge: MasterKnowledge,
  nodeId: NodeId,
  nowMs: number,
): void {
  switch (knowledge.kind) {
    case 'unchanged':
      return;
    case 'self':
      syncGroup.master = nodeId;
      syncGroup.directMaster = nodeId;
      syncGroup.masterDownAtMs = null;
      return;
    case 'known':
      syncGroup.directMaster = knowledge.directMaster;
      syncGroup.master = knowledge.master;
      syncGroup.masterDownAtMs = null;
      if (knowledge.unseenClaimSettled) syncGroup.unseenClaimAtMs = null;
      if (knowledge.releaseHoldEnded) syncGroup.releaseHoldUntilMs = null;
      return;
    case 'none':
      syncGroup.directMaster = knowledge.directMaster;
      if (knowledge.loss !== null) {
        syncGroup.masterDownReason = knowledge.loss.reason;
        syncGroup.masterDownDetail = knowledge.loss.detail;
        syncGroup.masterDownAtMs = nowMs;
      }
      syncGroup.master = null;
      return;
  }
}

/** A handler decided to stay: remember until when, and what a backup waits for. */
export function settle(syncGroup: SyncGroup, decision: Decision & { kind: 'stay' }): void {
  syncGroup.deadlineMs = decision.untilMs;
  syncGroup.dirty = false;
  if (syncGroup.state !== 'MASTER')
    syncGroup.epoch = Math.max(syncGroup.epoch, syncGroup.maxSeenEpoch);
  if (decision.waits !== undefined) applyWaits(syncGroup, decision.waits);
}

function applyWaits(syncGroup: SyncGroup, waits: BackupWaits): void {
  syncGroup.claimableSinceMs = waits.claimableSinceMs;
  syncGroup.preemptReadySinceMs = waits.preemptReadySinceMs;
  syncGroup.blockedByQuorum = waits.blockedByQuorum;
  syncGroup.releaseHoldUntilMs = waits.releaseHoldUntilMs;
}

/** A master outbid on epoch alone claims above every epoch seen and stays master. */
export function reclaimEpoch(syncGroup: SyncGroup, nodeId: NodeId, nowMs: number): void {
  syncGroup.claimedAtMs = nowMs;
  syncGroup.epoch = syncGroup.maxSeenEpoch + 1;
  syncGroup.maxSeenEpoch = syncGroup.epoch;
  syncGroup.maxSeenEpochFrom = nodeId;
}

/**
 * Moves the sync group to `to` (throws on an illegal transition, before changing anything).
 * Becoming master claims a new epoch above every one seen and ends any hold; leaving master
 * starts the master-down clock; leaving FAULT listens again, as a deaf node may have missed
 * the master. Returns the state it left.
 */
export function enterState(
  syncGroup: SyncGroup,
  to: GroupState,
  reason: TransitionReason,
  moment: TransitionMoment,
): GroupState {
  const from = syncGroup.state;
  for (const member of syncGroup.members) assertLegalTransition(member.name, from, to);
  if (to === 'MASTER') {
    syncGroup.claimedAtMs = moment.nowMs;
    syncGroup.epoch = Math.max(syncGroup.epoch, syncGroup.maxSeenEpoch) + 1;
    syncGroup.maxSeenEpoch = syncGroup.epoch;
    syncGroup.maxSeenEpochFrom = moment.nodeId;
    syncGroup.master = moment.nodeId;
    syncGroup.masterDownAtMs = null;
    syncGroup.unseenClaimAtMs = null;
    syncGroup.preemptSuppressed = false;
    syncGroup.releaseHoldUntilMs = null;
  } else {
    syncGroup.epoch = Math.max(syncGroup.epoch, syncGroup.maxSeenEpoch);
  }
  if (from === 'FAULT' && to === 'BACKUP') listenAfterFault(syncGroup, moment);
  if (from === 'MASTER') {
    syncGroup.forced = false;
    syncGroup.master = null;
    syncGroup.masterDownAtMs = moment.nowMs;
    syncGroup.masterDownReason = 'master-down';
    syncGroup.masterDownDetail = `${moment.nodeId} stepped down (${reason})`;
  }
  syncGroup.state = to;
  syncGroup.claimableSinceMs = null;
  syncGroup.preemptReadySinceMs = null;
  syncGroup.dirty = true;
  return from;
}

/**
 * A fault (typically its own interface down) may have left this node deaf: the peers it
 * holds silent may be alive, one of them master. So, as at startup, a recovered group
 * listens `downAfterMs` before claiming, unless every peer is heard right now. Unlike at
 * startup, hearing a peer again does not end the wait: the first heartbeats after an
 * outage are TCP's backlog from before it (a backup following this node), not news.
 * Without it, a node whose link flaps reclaims at each recovery while the master it
 * cannot hear yet holds the VIPs.
 */
function listenAfterFault(syncGroup: SyncGroup, moment: TransitionMoment): void {
  if (moment.everyPeerHeard) return;
  syncGroup.listenUntilMs = Math.max(syncGroup.listenUntilMs, moment.nowMs + moment.downAfterMs);
  syncGroup.ownerListenUntilMs = Math.max(
    syncGroup.ownerListenUntilMs,
    moment.nowMs + moment.intervalMs,
  );
}

export function markTransitioned(member: MemberGroup, nowMs: number): void {
  member.lastTransitionAtMs = nowMs;
}

// ---- operator commands ----

/** A forced takeover (or a takeover of a group already held): advertise 255 until released. */
export function holdAsForced(syncGroup: SyncGroup): void {
  syncGroup.forced = true;
  syncGroup.dirty = true;
}

/** Released: advertise 0 until another master shows up or `untilMs`, and do not preempt it. */
export function holdAfterRelease(syncGroup: SyncGroup, untilMs: number): void {
  syncGroup.releaseHoldUntilMs = untilMs;
  syncGroup.preemptSuppressed = true;
  syncGroup.dirty = true;
}

// ---- reload ----

export function adoptConfig(member: MemberGroup, config: GroupConfig): void {
  member.config = config;
}

export function replaceMembers(syncGroup: SyncGroup, members: readonly MemberGroup[]): void {
  syncGroup.members = members;
}

/**
 * Carries the election state of `source` over to a regrouped sync group: its state, epochs
 * (the greatest of every sync group it is made of), claims and operator holds, and the
 * master it knows. Left out on purpose, because the first evaluation of the new sync group
 * derives them again from the peers and the clock: `directMaster` (master knowledge),
 * `claimableSinceMs`, `preemptReadySinceMs` and `blockedByQuorum` (the backup handler, for
 * the new members' combined priority and preempt settings), `deadlineMs` (every handler's
 * verdict) and `dirty` (a new sync group starts dirty, so it is evaluated at once).
 */
export function inheritElection(
  syncGroup: SyncGroup,
  source: Readonly<SyncGroup>,
  epoch: number,
  maxSeenEpoch: number,
): void {
  syncGroup.state = source.state;
  syncGroup.epoch = epoch;
  syncGroup.maxSeenEpoch = maxSeenEpoch;
  syncGroup.maxSeenEpochFrom = source.maxSeenEpochFrom;
  syncGroup.forced = source.forced;
  syncGroup.claimedAtMs = source.claimedAtMs;
  syncGroup.releaseHoldUntilMs = source.releaseHoldUntilMs;
  syncGroup.preemptSuppressed = source.preemptSuppressed;
  syncGroup.master = source.master;
  syncGroup.masterDownAtMs = source.masterDownAtMs;
  syncGroup.masterDownReason = source.masterDownReason;
  syncGroup.masterDownDetail = source.masterDownDetail;
  syncGroup.unseenClaimAtMs = source.unseenClaimAtMs;
  syncGroup.listenUntilMs = source.listenUntilMs;
  syncGroup.ownerListenUntilMs = source.ownerListenUntilMs;
}

/** A sync group new to the reload, or made of groups in different states: a listening backup. */
export function restartAsBackup(
  syncGroup: SyncGroup,
  epoch: number,
  maxSeenEpoch: number,
  nowMs: number,
  intervalMs: number,
): void {
  syncGroup.state = 'BACKUP';
  syncGroup.epoch = epoch;
  syncGroup.maxSeenEpoch = maxSeenEpoch;
  syncGroup.listenUntilMs = nowMs + intervalMs;
  syncGroup.ownerListenUntilMs = nowMs + intervalMs;
  syncGroup.masterDownAtMs = nowMs;
  syncGroup.masterDownReason = 'master-down';
  syncGroup.masterDownDetail = 'no master known for a group added or regrouped by a config reload';
}
