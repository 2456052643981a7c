// The unit the election decides on. Groups that share a `syncGroup` fail over together
// (keepalived's vrrp_sync_group), so they share one state and one epoch on this node; a
// group without a sync group is a sync group of one. Everything below is per sync group.
import { PRIORITY_OWNER, PRIORITY_RESIGN, weightedPriority } from './priority.js';
import type {
  GroupConfig,
  GroupName,
  GroupState,
  NodeId,
  Priority,
  TransitionReason,
} from './types.js';

export interface TrackerReport {
  readonly weightDelta: number;
  readonly fault: boolean;
}

export class MemberGroup {
  /** Latest report of each tracker, by tracker id. */
  readonly trackers = new Map<string, TrackerReport>();
  lastTransitionAtMs: number | null = null;

  constructor(public config: GroupConfig) {}

  get name(): GroupName {
    return this.config.name;
  }

  weighted(): Priority {
    let sum = 0;
    for (const report of this.trackers.values()) sum += report.weightDelta;
    return weightedPriority(this.config.priority, sum);
  }

  /** Ids of the trackers that report a fault now. */
  faultyTrackers(): string[] {
    const ids: string[] = [];
    for (const [id, report] of this.trackers) if (report.fault) ids.push(id);
    return ids;
  }
}

export function syncGroupKey(config: GroupConfig): string {
  return config.syncGroup === undefined ? `group:${config.name}` : `sync:${config.syncGroup}`;
}

export class SyncGroup {
  state: GroupState = 'INIT';
  /** Advertised epoch: the claim epoch while master, else the greatest epoch seen. */
  epoch = 0;
  /** Greatest epoch any node advertised for any member, own claims included. */
  maxSeenEpoch = 0;
  /** Who advertised maxSeenEpoch first, for log details. */
  maxSeenEpochFrom: NodeId | null = null;
  /** When this node last claimed the group (took over or re-claimed a higher epoch). */
  claimedAtMs: number | null = null;
  /** Held by an operator's forced takeover: advertises 255 until it leaves MASTER. */
  forced = false;
  /** After a release: advertise 0 until another master shows up or this time passes. */
  releaseHoldUntilMs: number | null = null;
  /** After a release: do not preempt the node that took over. Cleared on becoming master. */
  preemptSuppressed = false;
  /** Who this node believes is master (itself included), or null. */
  master: NodeId | null = null;
  /** The master this node hears directly (itself while MASTER): what it reports it follows. */
  directMaster: NodeId | null = null;
  /** Since when no master is known; null while one is. */
  masterDownAtMs: number | null = null;
  masterDownReason: TransitionReason = 'master-down';
  masterDownDetail = '';
  /** A peer advertised an epoch above any master we know: someone we cannot see claimed. */
  unseenClaimAtMs: number | null = null;
  /** Since when this node could claim (backup, eligible, quorum); null while it cannot. */
  claimableSinceMs: number | null = null;
  /** The last thing that kept this node from claiming was the quorum guard. */
  blockedByQuorum = false;
  /** Since when this node could preempt the live master (for preemptDelayMs). */
  preemptReadySinceMs: number | null = null;
  /** Until then a non-owner claims nothing: it listens for the current master first. */
  listenUntilMs = 0;
  /** The owner listens at most one interval, to learn the epoch it must beat. */
  ownerListenUntilMs = 0;
  /** When this sync group must be evaluated again even if nothing arrives. */
  deadlineMs: number | null = null;
  dirty = true;

  constructor(
    readonly key: string,
    public members: MemberGroup[],
  ) {}

  /** A sync group preempts only if every member allows it, after the longest delay. */
  get preempt(): boolean {
    return this.members.every((m) => m.config.preempt);
  }

  get preemptDelayMs(): number {
    let delay = 0;
    for (const m of this.members) delay = Math.max(delay, m.config.preemptDelayMs);
    return delay;
  }

  /** Weighted priority of the sync group: its weakest member's (it fails over as one). */
  weightedPriority(): Priority {
    let min = PRIORITY_OWNER;
    for (const m of this.members) min = Math.min(min, m.weighted());
    return min;
  }

  faulty(): boolean {
    return this.members.some((m) => m.faultyTrackers().length > 0);
  }

  /** What this node advertises for `member`, given node-wide overrides. */
  advertisedPriority(member: MemberGroup, resigned: boolean): Priority {
    if (resigned || this.state === 'MAINTENANCE' || this.releaseHoldUntilMs !== null)
      return PRIORITY_RESIGN;
    if (this.forced && this.state === 'MASTER') return PRIORITY_OWNER;
    return member.weighted();
  }

  /** Lowest advertised priority over the members: what peers rank this node by. */
  advertisedSyncGroupPriority(resigned: boolean): Priority {
    let min = PRIORITY_OWNER;
    for (const m of this.members) min = Math.min(min, this.advertisedPriority(m, resigned));
    return min;
  }

  /**
   * Carries the election state of `source` over to this regrouped sync group: its state,
   * epochs, claims and operator holds, and the master it knows. Left out on purpose, because
   * the first evaluation of the new sync group derives them again from the peers and the
   * clock: `directMaster` (updateMasterKnowledge), `claimableSinceMs`,
   * `preemptReadySinceMs` and `blockedByQuorum` (the backup handler, for the new members'
   * combined priority and preempt settings), `deadlineMs` (every handler's verdict) and
   * `dirty` (a new sync group starts dirty, so it is evaluated at once).
   */
  inheritFrom(source: SyncGroup): void {
    this.state = source.state;
    this.epoch = source.epoch;
    this.maxSeenEpoch = source.maxSeenEpoch;
    this.maxSeenEpochFrom = source.maxSeenEpochFrom;
    this.forced = source.forced;
    this.claimedAtMs = source.claimedAtMs;
    this.releaseHoldUntilMs = source.releaseHoldUntilMs;
    this.preemptSuppressed = source.preemptSuppressed;
    this.master = source.master;
    this.masterDownAtMs = source.masterDownAtMs;
    this.masterDownReason = source.masterDownReason;
    this.masterDownDetail = source.masterDownDetail;
    this.unseenClaimAtMs = source.unseenClaimAtMs;
    this.listenUntilMs = source.listenUntilMs;
    this.ownerListenUntilMs = source.ownerListenUntilMs;
  }

  memberNames(): string {
    return this.members.map((m) => m.name).join(', ');
  }
}
