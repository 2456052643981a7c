// Reload support: rebuild the sync groups from a new group list while keeping the election
// state of every sync group whose membership did not change, so a SIGHUP that only touches
// one group never moves the addresses of the others.
import { MemberGroup, SyncGroup, syncGroupKey } from './sync-group.js';
import { assertLegalTransition } from './transitions.js';
import type { GroupConfig, GroupName, GroupState, NodeId } from './types.js';

export interface RegroupTransition {
  readonly member: MemberGroup;
  readonly from: GroupState;
  readonly to: GroupState;
  readonly epoch: number;
  readonly detail: string;
}

export interface RegroupResult {
  readonly syncGroups: SyncGroup[];
  /** State changes the reload itself causes (reason 'reconfigured'). */
  readonly transitions: readonly RegroupTransition[];
}

interface RegroupClock {
  readonly nodeId: NodeId;
  readonly nowMs: number;
  readonly intervalMs: number;
}

export function regroup(
  previous: readonly SyncGroup[],
  groups: readonly GroupConfig[],
  clock: RegroupClock,
): RegroupResult {
  const oldSyncGroupOf = new Map<GroupName, SyncGroup>();
  const oldMember = new Map<GroupName, MemberGroup>();
  for (const syncGroup of previous)
    for (const member of syncGroup.members) {
      oldSyncGroupOf.set(member.name, syncGroup);
      oldMember.set(member.name, member);
    }

  const configsByKey = new Map<string, GroupConfig[]>();
  for (const group of groups) {
    const key = syncGroupKey(group);
    configsByKey.set(key, [...(configsByKey.get(key) ?? []), group]);
  }

  const transitions: RegroupTransition[] = [];
  const note = (
    member: MemberGroup,
    from: GroupState,
    to: GroupState,
    epoch: number,
    detail: string,
  ): void => {
    if (from === to) return;
    assertLegalTransition(member.name, from, to);
    transitions.push({ member, from, to, epoch, detail });
  };

  const syncGroups: SyncGroup[] = [];
  for (const [key, configs] of configsByKey) {
    const members = configs.map((config) => {
      const member = oldMember.get(config.name) ?? new MemberGroup(config);
      member.config = config;
      return member;
    });
    const involved = [...new Set(configs.flatMap((c) => oldSyncGroupOf.get(c.name) ?? []))];
    const only = involved[0];
    if (
      involved.length === 1 &&
      only !== undefined &&
      only.key === key &&
      sameMembers(only, configs)
    ) {
      only.members = members;
      syncGroups.push(only);
      continue;
    }

    const syncGroup = new SyncGroup(key, members);
    const states = new Set(involved.map((u) => u.state));
    const source = involved.reduce<SyncGroup | undefined>(
      (best, u) => (best === undefined || u.epoch > best.epoch ? u : best),
      undefined,
    );
    if (states.size === 1 && source !== undefined) {
      // Members regrouped but all in the same state here: keep it; newcomers join it.
      syncGroup.inheritFrom(source);
      syncGroup.epoch = Math.max(...involved.map((u) => u.epoch));
      syncGroup.maxSeenEpoch = Math.max(...involved.map((u) => u.maxSeenEpoch));
      for (const member of members)
        if (!oldMember.has(member.name))
          note(
            member,
            'INIT',
            syncGroup.state,
            syncGroup.epoch,
            `group added to sync group ${key} (${syncGroup.state} here)`,
          );
    } else {
      // New, or members coming from sync groups in different states: start over as backup.
      syncGroup.state = 'BACKUP';
      syncGroup.epoch = Math.max(0, ...involved.map((u) => u.epoch));
      syncGroup.maxSeenEpoch = Math.max(0, ...involved.map((u) => u.maxSeenEpoch));
      syncGroup.listenUntilMs = clock.nowMs + clock.intervalMs;
      syncGroup.ownerListenUntilMs = clock.nowMs + clock.intervalMs;
      syncGroup.masterDownAtMs = clock.nowMs;
      syncGroup.masterDownReason = 'master-down';
      syncGroup.masterDownDetail =
        'no master known for a group added or regrouped by a config reload';
      for (const member of members) {
        const from = oldSyncGroupOf.get(member.name)?.state ?? 'INIT';
        note(
          member,
          from,
          'BACKUP',
          syncGroup.epoch,
          from === 'INIT' ? 'group added by a config reload' : `regrouped into ${key}`,
        );
      }
    }
    syncGroups.push(syncGroup);
  }

  const kept = new Set(groups.map((g) => g.name));
  for (const [name, member] of oldMember) {
    const syncGroup = oldSyncGroupOf.get(name);
    if (kept.has(name) || syncGroup?.state !== 'MASTER') continue;
    note(
      member,
      'MASTER',
      'BACKUP',
      syncGroup.epoch,
      `group removed from the config by ${clock.nodeId}: dropping its addresses`,
    );
  }
  return { syncGroups, transitions };
}

function sameMembers(syncGroup: SyncGroup, configs: readonly GroupConfig[]): boolean {
  if (syncGroup.members.length !== configs.length) return false;
  const names = new Set(syncGroup.members.map((m) => m.name));
  return configs.every((c) => names.has(c.name));
}
