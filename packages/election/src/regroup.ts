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
  readonly units: SyncGroup[];
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
  const oldUnitOf = new Map<GroupName, SyncGroup>();
  const oldMember = new Map<GroupName, MemberGroup>();
  for (const unit of previous)
    for (const member of unit.members) {
      oldUnitOf.set(member.name, unit);
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

  const units: SyncGroup[] = [];
  for (const [key, configs] of configsByKey) {
    const members = configs.map((config) => {
      const member = oldMember.get(config.name) ?? new MemberGroup(config);
      member.config = config;
      return member;
    });
    const involved = [...new Set(configs.flatMap((c) => oldUnitOf.get(c.name) ?? []))];
    const only = involved[0];
    if (
      involved.length === 1 &&
      only !== undefined &&
      only.key === key &&
      sameMembers(only, configs)
    ) {
      only.members = members;
      units.push(only);
      continue;
    }

    const unit = new SyncGroup(key, members);
    const states = new Set(involved.map((u) => u.state));
    const source = involved.reduce<SyncGroup | undefined>(
      (best, u) => (best === undefined || u.epoch > best.epoch ? u : best),
      undefined,
    );
    if (states.size === 1 && source !== undefined) {
      // Members regrouped but all in the same state here: keep it; newcomers join it.
      unit.inheritFrom(source);
      unit.epoch = Math.max(...involved.map((u) => u.epoch));
      unit.maxSeenEpoch = Math.max(...involved.map((u) => u.maxSeenEpoch));
      for (const member of members)
        if (!oldMember.has(member.name))
          note(
            member,
            'INIT',
            unit.state,
            unit.epoch,
            `group added to sync group ${key} (${unit.state} here)`,
          );
    } else {
      // New, or members coming from sync groups in different states: start over as backup.
      unit.state = 'BACKUP';
      unit.epoch = Math.max(0, ...involved.map((u) => u.epoch));
      unit.maxSeenEpoch = Math.max(0, ...involved.map((u) => u.maxSeenEpoch));
      unit.listenUntilMs = clock.nowMs + clock.intervalMs;
      unit.ownerListenUntilMs = clock.nowMs + clock.intervalMs;
      unit.masterDownAtMs = clock.nowMs;
      unit.masterDownReason = 'master-down';
      unit.masterDownDetail = 'no master known for a group added or regrouped by a config reload';
      for (const member of members) {
        const from = oldUnitOf.get(member.name)?.state ?? 'INIT';
        note(
          member,
          from,
          'BACKUP',
          unit.epoch,
          from === 'INIT' ? 'group added by a config reload' : `regrouped into ${key}`,
        );
      }
    }
    units.push(unit);
  }

  const kept = new Set(groups.map((g) => g.name));
  for (const [name, member] of oldMember) {
    const unit = oldUnitOf.get(name);
    if (kept.has(name) || unit?.state !== 'MASTER') continue;
    note(
      member,
      'MASTER',
      'BACKUP',
      unit.epoch,
      `group removed from the config by ${clock.nodeId}: dropping its addresses`,
    );
  }
  return { units, transitions };
}

function sameMembers(unit: SyncGroup, configs: readonly GroupConfig[]): boolean {
  if (unit.members.length !== configs.length) return false;
  const names = new Set(unit.members.map((m) => m.name));
  return configs.every((c) => names.has(c.name));
}
