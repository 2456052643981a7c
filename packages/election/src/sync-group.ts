// What the election decides on. Groups that share a `syncGroup` fail over together
// (keepalived's vrrp_sync_group), so they share one state and one epoch on this node; a
// group without a sync group is a sync group of one. Everything below is per sync group.
//
// These classes are the state's shape and what can be derived from it. Everyone reads them as
// Readonly<SyncGroup> / Readonly<MemberGroup>; every write is in sync-group-updates.ts.
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
  trackers: ReadonlyMap<string, TrackerReport> = new Map();
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

/** The configs of each sync group, by key, in config order. */
export function configsBySyncGroup(groups: readonly GroupConfig[]): Map<string, GroupConfig[]> {
  const byKey = new Map<string, GroupConfig[]>();
  for (const group of groups) {
    const key = syncGroupKey(group);
    const configs = byKey.get(key);
    if (configs === undefined) byKey.set(key, [group]);
    else configs.push(group);
  }
  return byKey;
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
    public members: readonly MemberGroup[],
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

  memberNames(): string {
    return this.members.map((m) => m.name).join(', ');
  }
}
