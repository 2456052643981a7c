// A VRRP group as the API shows it: the same Group view as a mesh group (the state gauges,
// vipctl and the web view read one shape), with mode "vrrp", its VRID and the master's address
// where a mesh group has a master node id. VRRP has no epochs: epoch is always 0.

import type { Clock } from '@vipd/clock';
import type { GroupView } from '../api/control.js';
import type { LastTransitions } from '../events/last-transitions.js';
import { vipText } from '../driver/vip-holder.js';
import type { VrrpGroup } from './virtual-group.js';

export interface GroupViewParts {
  readonly clock: Clock;
  readonly wallClockMs: () => number;
  readonly isHeld: (group: string) => boolean;
  readonly trackLinks: (group: string) => GroupView['track'];
  /** The node is drained: a backup shows MAINTENANCE, as a mesh group does. */
  readonly maintenance: boolean;
  readonly lastTransitions: LastTransitions;
}

export function vrrpGroupView(group: VrrpGroup, parts: GroupViewParts): GroupView {
  const status = group.status();
  const { spec } = group;
  const state = parts.maintenance && status.state === 'BACKUP' ? 'MAINTENANCE' : status.state;
  const at = group.lastTransitionAtMs;
  return {
    name: group.name,
    state,
    priority: spec.priority,
    effectivePriority: status.priority,
    epoch: 0,
    master: status.masterAddress,
    forced: group.hold === 'takeover',
    interface: spec.interface,
    addresses: spec.vips.map(vipText),
    announced: status.state === 'MASTER' && parts.isHeld(group.name),
    lastTransitionAt:
      at === null ? null : new Date(parts.wallClockMs() - (parts.clock.now() - at)).toISOString(),
    lastTransitionReason: parts.lastTransitions.of(group.name)?.reason ?? null,
    lastTransitionDetail: parts.lastTransitions.of(group.name)?.detail ?? null,
    track: parts.trackLinks(group.name),
    mode: 'vrrp',
    vrrp: {
      vrid: spec.vrrp.vrid,
      family: spec.vrrp.family,
      primaryAddress: group.primaryAddress,
      masterAddress: status.masterAddress,
      advertIntervalMs: spec.vrrp.advertIntervalMs,
      masterAdvertIntervalMs: status.masterAdvertIntervalCs * 10,
      masterDownIntervalMs: status.masterDownIntervalMs,
    },
  };
}
