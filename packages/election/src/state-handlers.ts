// One handler per state. Each looks at a sync group, what the peers say about it (the view)
// and the node-wide context, and decides: stay (until when, and what a backup keeps waiting
// for), change state (to what, why), or re-claim a higher epoch. Handlers read the sync group
// and return the decision as data; they never change it nor emit actions: election.ts hands
// the decision to sync-group-updates.ts, which applies it.
import { compareCandidates, compareClaims, PRIORITY_OWNER } from './priority.js';
import type { PeerTable } from './peer-table.js';
import type { SyncGroup } from './sync-group.js';
import type { GroupName, GroupState, NodeId, TransitionReason } from './types.js';
import type { PeerStanding, SyncGroupView } from './view.js';

export interface ElectionContext {
  readonly nodeId: NodeId;
  readonly nowMs: number;
  readonly intervalMs: number;
  /** downMultiplier x heartbeatIntervalMs. */
  readonly downAfterMs: number;
  readonly quorumEnabled: boolean;
  /** This node plus its peers, witnesses included. */
  readonly voters: number;
  /** Votes needed to be or stay master while the quorum guard is on. */
  readonly majority: number;
  /** This node has had quorum before: gaining it now is regaining it. */
  readonly quorumEverHeld: boolean;
  readonly maintenance: boolean;
  readonly resigned: boolean;
  readonly peers: PeerTable;
}

/**
 * What a backup remembers between evaluations about its chance to claim or preempt. A stay
 * carries all of it, so one place writes it; a transition resets it.
 */
export interface BackupWaits {
  /** Since when this node could claim (eligible, quorum); null while it cannot. */
  readonly claimableSinceMs: number | null;
  /** Since when this node could preempt the live master (for preemptDelayMs). */
  readonly preemptReadySinceMs: number | null;
  /** The last thing that kept this node from claiming was the quorum guard. */
  readonly blockedByQuorum: boolean;
  /** The hold after a release; null once it has run out. */
  readonly releaseHoldUntilMs: number | null;
}

export type Decision =
  | {
      readonly kind: 'transition';
      readonly to: GroupState;
      readonly reason: TransitionReason;
      readonly detail: string;
      /** Members the cause belongs to; the others get reason 'sync-group'. All when absent. */
      readonly triggers?: ReadonlySet<GroupName>;
    }
  /** A master outbid on epoch alone by one it would preempt at once: claim above it, stay. */
  | { readonly kind: 'reclaim'; readonly detail: string }
  | {
      readonly kind: 'stay';
      /** Evaluate again at this time even if nothing arrives; null: only when something does. */
      readonly untilMs: number | null;
      /** A backup's waits, as they are now; absent: unchanged. */
      readonly waits?: BackupWaits;
    };

type Handler = (
  syncGroup: Readonly<SyncGroup>,
  view: SyncGroupView,
  ctx: ElectionContext,
) => Decision;

const STAY: Decision = { kind: 'stay', untilMs: null };

function stay(untilMs: number | null): Decision {
  return untilMs === null ? STAY : { kind: 'stay', untilMs };
}

function earliest(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  return b === null ? a : Math.min(a, b);
}

/** Stays with a backup's waits as given; only a change to them makes a new object. */
function stayWaiting(
  syncGroup: Readonly<SyncGroup>,
  untilMs: number | null,
  claimableSinceMs: number | null,
  preemptReadySinceMs: number | null,
  blockedByQuorum: boolean,
  releaseHoldUntilMs: number | null,
): Decision {
  if (
    claimableSinceMs === syncGroup.claimableSinceMs &&
    preemptReadySinceMs === syncGroup.preemptReadySinceMs &&
    blockedByQuorum === syncGroup.blockedByQuorum &&
    releaseHoldUntilMs === syncGroup.releaseHoldUntilMs
  )
    return stay(untilMs);
  const waits = { claimableSinceMs, preemptReadySinceMs, blockedByQuorum, releaseHoldUntilMs };
  return { kind: 'stay', untilMs, waits };
}

/** Stays while nothing blocks a claim: claimable since then, and no release hold left. */
function stayClaimable(
  syncGroup: Readonly<SyncGroup>,
  untilMs: number | null,
  claimableSinceMs: number,
  preemptReadySinceMs: number | null,
): Decision {
  const blockedByQuorum = syncGroup.blockedByQuorum;
  return stayWaiting(
    syncGroup,
    untilMs,
    claimableSinceMs,
    preemptReadySinceMs,
    blockedByQuorum,
    null,
  );
}

/** Maintenance and tracker faults override every election rule. */
function leaveForMaintenanceOrFault(
  syncGroup: Readonly<SyncGroup>,
  ctx: ElectionContext,
): Decision | null {
  if (ctx.maintenance)
    return {
      kind: 'transition',
      to: 'MAINTENANCE',
      reason: 'maintenance-on',
      detail: `${ctx.nodeId} drained by operator`,
    };
  const faulty = syncGroup.members.filter((m) => m.faultyTrackers().length > 0);
  if (faulty.length > 0)
    return {
      kind: 'transition',
      to: 'FAULT',
      reason: 'tracker-fault',
      detail: faulty
        .map((m) => `${m.name}: tracker ${m.faultyTrackers().join(', ')} failing`)
        .join('; '),
      triggers: new Set(faulty.map((m) => m.name)),
    };
  return null;
}

type ClaimBlocker = 'resigned' | 'never-master' | 'released' | 'quorum';

export function quorumDetail(view: SyncGroupView, ctx: ElectionContext): string {
  return `backed by ${view.votes} of ${ctx.voters} voters, needs ${ctx.majority}`;
}

function hasQuorum(view: SyncGroupView, ctx: ElectionContext): boolean {
  return !ctx.quorumEnabled || view.votes >= ctx.majority;
}

/** The hold after a release, or null once it has run out (or there is none). */
function releaseHold(syncGroup: Readonly<SyncGroup>, ctx: ElectionContext): number | null {
  const untilMs = syncGroup.releaseHoldUntilMs;
  return untilMs !== null && ctx.nowMs < untilMs ? untilMs : null;
}

function claimBlocker(
  syncGroup: Readonly<SyncGroup>,
  view: SyncGroupView,
  ctx: ElectionContext,
): ClaimBlocker | null {
  if (ctx.resigned) return 'resigned';
  if (syncGroup.weightedPriority() === 0) return 'never-master';
  if (releaseHold(syncGroup, ctx) !== null) return 'released';
  if (!hasQuorum(view, ctx)) return 'quorum';
  return null;
}

function rankOf(
  syncGroup: Readonly<SyncGroup>,
  candidates: readonly PeerStanding[],
  ctx: ElectionContext,
): number {
  const self = { nodeId: ctx.nodeId, priority: syncGroup.weightedPriority() };
  let rank = 0;
  for (const c of candidates) if (compareCandidates(c, self) > 0) rank++;
  return rank;
}

const onInit: Handler = (syncGroup, _view, ctx) => {
  const leave = leaveForMaintenanceOrFault(syncGroup, ctx);
  if (leave !== null) return leave;
  // RFC 5798 §6.4.1 sends the owner straight to Master; we let it listen first (README).
  return {
    kind: 'transition',
    to: 'BACKUP',
    reason: 'startup',
    detail:
      ctx.peers.size === 0
        ? 'no peers configured'
        : `listening up to ${Math.round(syncGroup.listenUntilMs - ctx.nowMs)}ms for the current master`,
  };
};

const onBackup: Handler = (syncGroup, view, ctx) => {
  const leave = leaveForMaintenanceOrFault(syncGroup, ctx);
  if (leave !== null) return leave;

  const blocker = claimBlocker(syncGroup, view, ctx);
  // A hold that ran out ends here, unless what is checked before it blocks the claim.
  const hold =
    blocker === 'resigned' || blocker === 'never-master'
      ? syncGroup.releaseHoldUntilMs
      : releaseHold(syncGroup, ctx);
  if (blocker !== null) {
    const quorumBlocked = blocker === 'quorum' && ctx.quorumEverHeld;
    const untilMs = blocker === 'released' ? hold : null;
    return stayWaiting(syncGroup, untilMs, null, null, quorumBlocked, hold);
  }
  const claimableSinceMs = syncGroup.claimableSinceMs ?? ctx.nowMs;

  if (view.master !== null)
    return preemptWhenDue(syncGroup, view, view.master, ctx, claimableSinceMs);
  // A master we cannot hear but a live peer follows: not ours to replace or preempt.
  if (view.relayedMaster !== null)
    return stayClaimable(syncGroup, null, claimableSinceMs, syncGroup.preemptReadySinceMs);
  return claimWhenDue(syncGroup, view, ctx, claimableSinceMs);
};

/**
 * No master: the best candidate claims at the moment the master was declared down, each
 * lower rank one interval later (instead of RFC 5798 §6.1 Skew_Time). Never before the
 * startup listening window ends, nor within downAfterMs of an epoch claimed out of sight.
 */
function claimWhenDue(
  syncGroup: Readonly<SyncGroup>,
  view: SyncGroupView,
  ctx: ElectionContext,
  claimableSince: number,
): Decision {
  const owner = syncGroup.weightedPriority() === PRIORITY_OWNER;
  const downAt = syncGroup.masterDownAtMs ?? ctx.nowMs;
  let from = Math.max(
    downAt,
    claimableSince,
    owner ? syncGroup.ownerListenUntilMs : syncGroup.listenUntilMs,
  );
  if (syncGroup.unseenClaimAtMs !== null)
    from = Math.max(from, syncGroup.unseenClaimAtMs + ctx.downAfterMs);
  const rank = rankOf(syncGroup, view.candidates, ctx);
  const dueAt = from + rank * ctx.intervalMs;
  if (ctx.nowMs < dueAt)
    return stayClaimable(syncGroup, dueAt, claimableSince, syncGroup.preemptReadySinceMs);

  const regained = syncGroup.blockedByQuorum && claimableSince > downAt;
  const rankNote = rank === 0 ? 'best live candidate' : `rank ${rank}, waited ${rank} interval(s)`;
  if (owner && ctx.nowMs < syncGroup.listenUntilMs)
    return {
      kind: 'transition',
      to: 'MASTER',
      reason: 'owner',
      detail: `address owner (priority 255) claims without waiting ${ctx.downAfterMs}ms: no master heard`,
    };
  return {
    kind: 'transition',
    to: 'MASTER',
    reason: regained ? 'quorum-regained' : syncGroup.masterDownReason,
    detail: regained
      ? `quorum regained (${quorumDetail(view, ctx)}) and no master; ${rankNote}`
      : `${syncGroup.masterDownDetail}; ${rankNote}`,
  };
}

/**
 * A live master with a lower priority: preempt (RFC 5798 §6.4.2 lets the master-down timer
 * expire instead; we know all priorities, so the best backup claims a higher epoch at once,
 * after preemptDelayMs). Owners (255) always preempt at once (§6.1 Preempt_Mode note).
 */
function preemptWhenDue(
  syncGroup: Readonly<SyncGroup>,
  view: SyncGroupView,
  master: PeerStanding,
  ctx: ElectionContext,
  claimableSinceMs: number,
): Decision {
  const priority = syncGroup.weightedPriority();
  const self = { nodeId: ctx.nodeId, priority };
  const outranked = view.candidates.some((c) => compareCandidates(c, self) > 0);
  const owner = priority === PRIORITY_OWNER;
  if (
    priority <= master.priority ||
    // It, or another master heard, does not hear this node: that one would never see the
    // claim and stay master too (README, "One-way cuts").
    !master.hearsUs ||
    view.deafMaster !== null ||
    view.deafMasterDueAtMs !== null ||
    outranked ||
    syncGroup.preemptSuppressed ||
    (!owner && !syncGroup.preempt)
  )
    return stayClaimable(syncGroup, null, claimableSinceMs, null);
  if (owner) {
    if (ctx.nowMs < syncGroup.ownerListenUntilMs)
      return stayClaimable(
        syncGroup,
        syncGroup.ownerListenUntilMs,
        claimableSinceMs,
        syncGroup.preemptReadySinceMs,
      );
    return {
      kind: 'transition',
      to: 'MASTER',
      reason: 'owner',
      detail: `address owner (priority 255) takes over from ${master.nodeId} (priority ${master.priority})`,
    };
  }
  const readySinceMs = syncGroup.preemptReadySinceMs ?? ctx.nowMs;
  const dueAt = Math.max(readySinceMs + syncGroup.preemptDelayMs, syncGroup.listenUntilMs);
  if (ctx.nowMs < dueAt) return stayClaimable(syncGroup, dueAt, claimableSinceMs, readySinceMs);
  const waited =
    syncGroup.preemptDelayMs > 0 ? ` after a ${syncGroup.preemptDelayMs}ms preempt delay` : '';
  return {
    kind: 'transition',
    to: 'MASTER',
    reason: 'preempt',
    detail: `priority ${priority} > master ${master.nodeId} priority ${master.priority}${waited}`,
  };
}

const onMaster: Handler = (syncGroup, view, ctx) => {
  const leave = leaveForMaintenanceOrFault(syncGroup, ctx);
  if (leave !== null) return leave;
  if (ctx.resigned)
    return { kind: 'transition', to: 'BACKUP', reason: 'resign', detail: `${ctx.nodeId} resigns` };

  const own = {
    epoch: syncGroup.epoch,
    priority: syncGroup.advertisedSyncGroupPriority(ctx.resigned),
    nodeId: ctx.nodeId,
  };
  // Before comparing claims: a master that cannot hear this node never sees this claim, so
  // whichever claim is stronger, only this node can end the two (README, "One-way cuts").
  const deaf = view.deafMaster;
  if (deaf !== null)
    return {
      kind: 'transition',
      to: 'BACKUP',
      reason: 'higher-master-seen',
      detail: `${deaf.nodeId} is master (epoch ${deaf.epoch}, priority ${deaf.priority}) and does not hear ${ctx.nodeId}: it cannot see this claim, so this node yields`,
    };
  const rival = view.directMaster;
  if (rival !== null && compareClaims(rival, own) > 0) {
    if (
      rival.epoch >= syncGroup.maxSeenEpoch &&
      wouldPreemptAtOnce(syncGroup, view, rival, own.priority, ctx)
    )
      return {
        kind: 'reclaim',
        detail: `${rival.nodeId} claims epoch ${rival.epoch} at priority ${rival.priority} < own ${own.priority}`,
      };
    return {
      kind: 'transition',
      to: 'BACKUP',
      reason: 'higher-master-seen',
      detail: `${rival.nodeId} is master at (epoch ${rival.epoch}, priority ${rival.priority}) > own (epoch ${own.epoch}, priority ${own.priority})`,
    };
  }
  if (syncGroup.maxSeenEpoch > syncGroup.epoch)
    return {
      kind: 'transition',
      to: 'BACKUP',
      reason: 'higher-master-seen',
      detail: `${syncGroup.maxSeenEpochFrom ?? 'a peer'} advertised epoch ${syncGroup.maxSeenEpoch} > own ${syncGroup.epoch}: another node took over`,
    };
  // Self-fencing last, so a master outbid by a claim it can see says so in its reason.
  if (!hasQuorum(view, ctx))
    return {
      kind: 'transition',
      to: 'BACKUP',
      reason: 'quorum-lost',
      detail: `self-fencing: ${quorumDetail(view, ctx)}`,
    };
  // Re-check when a handover vote ends, or when a master that does not hear this node has
  // had time enough to hear it, even if nothing arrives meanwhile.
  return stay(earliest(ctx.quorumEnabled ? view.voteLapsesAtMs : null, view.deafMasterDueAtMs));
};

/**
 * A master outbid on epoch alone by a lower-priority master it would preempt at once anyway
 * (it is an owner or forced master advertising 255, or preempts with no delay and no better
 * backup exists) claims a higher epoch and stays, instead of stepping down to preempt back a
 * moment later: the addresses never move. Typical after a partition heals.
 */
function wouldPreemptAtOnce(
  syncGroup: Readonly<SyncGroup>,
  view: SyncGroupView,
  rival: PeerStanding,
  advertised: number,
  ctx: ElectionContext,
): boolean {
  if (advertised === PRIORITY_OWNER) return rival.priority < PRIORITY_OWNER;
  const priority = syncGroup.weightedPriority();
  if (
    !syncGroup.preempt ||
    syncGroup.preemptDelayMs > 0 ||
    syncGroup.preemptSuppressed ||
    priority <= rival.priority
  )
    return false;
  const self = { nodeId: ctx.nodeId, priority };
  return !view.candidates.some((c) => compareCandidates(c, self) > 0);
}

const onFault: Handler = (syncGroup, _view, ctx) => {
  if (ctx.maintenance)
    return {
      kind: 'transition',
      to: 'MAINTENANCE',
      reason: 'maintenance-on',
      detail: `${ctx.nodeId} drained by operator`,
    };
  if (!syncGroup.faulty())
    return {
      kind: 'transition',
      to: 'BACKUP',
      reason: 'tracker-recovered',
      detail: 'every tracker healthy',
    };
  return STAY;
};

const onMaintenance: Handler = (syncGroup, _view, ctx) => {
  if (ctx.maintenance) return STAY;
  const faulty = syncGroup.faulty();
  return {
    kind: 'transition',
    to: faulty ? 'FAULT' : 'BACKUP',
    reason: 'maintenance-off',
    detail: faulty ? 'maintenance ended; a tracker still reports a fault' : 'maintenance ended',
  };
};

export const STATE_HANDLERS: Readonly<Record<GroupState, Handler>> = {
  INIT: onInit,
  BACKUP: onBackup,
  MASTER: onMaster,
  FAULT: onFault,
  MAINTENANCE: onMaintenance,
};
