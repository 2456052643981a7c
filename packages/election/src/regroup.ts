// Reload support: rebuild the sync groups from a new group list while keeping the election
// state of every sync group whose membership did not change, so a SIGHUP that only touches
// one group never moves the addresses of the others.
import { configsBySyncGroup, MemberGroup, SyncGroup } from './sync-group.js';
import {
  adoptConfig,
  inheritElection,
  replaceMembers,
  restartAsBackup,
} from './sync-group-updates.js';
import { assertLegalTransition } from './transitions.js';
import type { GroupConfig, GroupName, GroupState, NodeId } from './types.js';

export interface RegroupTransition {
  readonly member: Readonly<MemberGroup>;
  readonly from: GroupState;
  readonly to: GroupState;
  readonly epoch: number;
  readonly detail: string;
}

export interface RegroupResult {
  readonly syncGroups: readonly Readonly<SyncGroup>[];
  /** State changes the reload itself causes (reason 'reconfigured'). */
  readonly transitions: readonly RegroupTransition[];
}

interface RegroupClock {
  readonly nodeId: NodeId;
  readonly nowMs: number;
  readonly intervalMs: number;
}

export function regroup(
  previous: readonly Readonly<SyncGroup>[],
  groups: readonly GroupConfig[],
  clock: RegroupClock,
): RegroupResult {
  const oldSyncGroupOf = new Map<GroupName, Readonly<SyncGroup>>();
  const oldMember = new Map<GroupName, Readonly<MemberGroup>>();
  for (const syncGroup of previous)
    for (const member of syncGroup.members) {
      oldSyncGroupOf.set(member.name, syncGroup);
      oldMember.set(member.name, member);
    }

  const transitions: RegroupTransition[] = [];
  const note = (
    member: Readonly<MemberGroup>,
    from: GroupState,
    to: GroupState,
    epoch: number,
    detail: string,
  ): void => {
    if (from === to) return;
    assertLegalTransition(member.name, from, to);
    transitions.push({ member, from, to, epoch, detail });
  };

  const syncGroups: Readonly<SyncGroup>[] = [];
  for (const [key, configs] of configsBySyncGroup(groups)) {
    const members = configs.map((config) => {
      const member = oldMember.get(config.name) ?? new MemberGroup(config);
      adoptConfig(member, config);
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
      replaceMembers(only, members);
      syncGroups.push(only);
      continue;
    }

    const syncGroup = new SyncGroup(key, members);
    const states = new Set(involved.map((old) => old.state));
    const source = involved.reduce<Readonly<SyncGroup> | undefined>(
      (best, old) => (best === undefined || old.epoch > best.epoch ? old : best),
      undefined,
    );
    if (states.size === 1 && source !== undefined) {
      // Members regrouped but all in the same state here: keep it; newcomers join it.
      inheritElection(
        syncGroup,
        source,
        Math.max(...involved.map((old) => old.epoch)),
        Math.max(...involved.map((old) => old.maxSeenEpoch)),
      );
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
      restartAsBackup(
        syncGroup,
        Math.max(0, ...involved.map((old) => old.epoch)),
        Math.max(0, ...involved.map((old) => old.maxSeenEpoch)),
        clock.nowMs,
        clock.intervalMs,
      );
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

function sameMembers(syncGroup: Readonly<SyncGroup>, configs: readonly GroupConfig[]): boolean {
  if (syncGroup.members.length !== configs.length) return false;
  const names = new Set(syncGroup.members.map((m) => m.name));
  return configs.every((c) => names.has(c.name));
}
