// Zero series for every labelled counter whose label values the configuration already names.
// Prometheus sees a counter series only once it exists: one that first appears at 1 has no
// earlier sample, so `increase()` over it is 0 and the first failover, conflict or failed
// hook would never show. Declared at start and again after every reload, for what it added.
// `inc(labels, 0)` leaves a series that already counts untouched.

import type { GroupState, TransitionReason } from '@vipd/election';
import type { RejectReason } from '@vipd/heartbeat';
import { ADVERT_REJECT_REASONS, type VrrpTransitionReason } from '@vipd/vrrp';
import type { GroupSpec, VipdConfig } from '../config/types.js';

/** The parts of the configuration the metrics name. */
export type MetricsConfig = Pick<VipdConfig, 'node' | 'cluster' | 'groups'>;

type Transition<R extends string> = readonly [from: GroupState, to: GroupState, reason: R];

/**
 * The transitions a mesh group makes in ordinary life (the failover panel and
 * VipdGroupFlapping count them). The rare ones (`sync-group`, `reconfigured`, a node that
 * starts as owner) are left out to keep /metrics readable; their first occurrence appears
 * as a new series, which the alert rules count with `unless … offset` (vipd.rules.yml).
 */
export const MESH_TRANSITIONS: readonly Transition<TransitionReason>[] = [
  ['INIT', 'BACKUP', 'startup'],
  ['INIT', 'MASTER', 'startup'],
  ['BACKUP', 'MASTER', 'master-down'],
  ['BACKUP', 'MASTER', 'master-resigned'],
  ['BACKUP', 'MASTER', 'peer-connection-closed'],
  ['BACKUP', 'MASTER', 'preempt'],
  ['BACKUP', 'MASTER', 'owner'],
  ['BACKUP', 'MASTER', 'forced-takeover'],
  ['BACKUP', 'MASTER', 'quorum-regained'],
  ['MASTER', 'BACKUP', 'higher-master-seen'],
  ['MASTER', 'BACKUP', 'released'],
  ['MASTER', 'BACKUP', 'resign'],
  ['MASTER', 'BACKUP', 'quorum-lost'],
  ['BACKUP', 'FAULT', 'tracker-fault'],
  ['MASTER', 'FAULT', 'tracker-fault'],
  ['FAULT', 'BACKUP', 'tracker-recovered'],
  ['BACKUP', 'MAINTENANCE', 'maintenance-on'],
  ['MASTER', 'MAINTENANCE', 'maintenance-on'],
  ['MAINTENANCE', 'BACKUP', 'maintenance-off'],
];

/** The same for a `vrrp:` group, in RFC 5798 terms (packages/vrrp, router/types.ts). */
export const VRRP_TRANSITIONS: readonly Transition<VrrpTransitionReason>[] = [
  ['INIT', 'BACKUP', 'startup'],
  ['INIT', 'MASTER', 'owner'],
  ['BACKUP', 'MASTER', 'master-down'],
  ['BACKUP', 'MASTER', 'priority-zero'],
  ['BACKUP', 'MASTER', 'preempt'],
  ['MASTER', 'BACKUP', 'higher-priority'],
  ['MASTER', 'BACKUP', 'resigned'],
  ['BACKUP', 'FAULT', 'fault'],
  ['MASTER', 'FAULT', 'fault'],
  ['FAULT', 'BACKUP', 'fault-cleared'],
];

export const HEARTBEAT_REJECT_REASONS: readonly RejectReason[] = [
  'bad-mac',
  'unknown-node',
  'wrong-receiver',
  'wrong-role',
  'wrong-cluster',
  'replay',
  'stale',
  'oversized',
  'truncated',
  'bad-version',
  'malformed',
];

/** Frames that count as a conflict (probes do not), by the family of the VIP they claim. */
export const CONFLICT_KINDS: Readonly<Record<4 | 6, readonly string[]>> = {
  4: ['gratuitous-arp', 'arp-reply', 'arp-request'],
  6: ['neighbor-advertisement', 'neighbor-solicitation'],
};

/** How a claim that waited for the master's word ended (driver/conflict-defence.ts). */
export const DEFENCE_OUTCOMES = ['defended', 'stood-down', 'announced'] as const;

/** What a group's defence waits for: a mesh group's heartbeat or lost peer, a VRRP advert. */
export function defenceAwaits(group: GroupSpec): readonly string[] {
  return group.vrrp === undefined ? ['heartbeat', 'lost-peer'] : ['advert'];
}

export function vipFamily(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/** Interfaces that carry VIPs of the family: where announcements go out. */
export function announceInterfaces(groups: readonly GroupSpec[], family: 4 | 6): Set<string> {
  return new Set(
    groups
      .filter((g) => g.routed === undefined)
      .flatMap((g) => g.vips.filter((v) => vipFamily(v.address) === family))
      .map((v) => v.interface),
  );
}

/** The label sets of vipd_vrrp_adverts_rejected_total the configuration names. */
export function vrrpRejectLabels(
  groups: readonly GroupSpec[],
): { interface: string; group: string; reason: string }[] {
  const vrrp = groups.filter((g) => g.vrrp !== undefined);
  // Before a packet's VRID names a group it is counted with group "".
  const pairs = [
    ...[...new Set(vrrp.map((g) => g.interface))].map((i) => [i, ''] as const),
    ...vrrp.map((g) => [g.interface, g.name] as const),
  ];
  return pairs.flatMap(([iface, group]) =>
    ADVERT_REJECT_REASONS.map((reason) => ({ interface: iface, group, reason })),
  );
}
