// What the daemon builds that touches the host: netlink, packet sockets, the heartbeat
// listener and the clock. The defaults are the real ones; tests pass @vipd/arp's in-memory
// doubles and @vipd/heartbeat's loopback network instead, so start-up and reload run as an
// ordinary process, without root.

import {
  createAddressManager,
  createConflictWatch,
  createRouteManager,
  createMacWatch,
  openPacketSocket,
  type ConflictWatch,
  type ConflictWatchOptions,
  type FrameSender,
  type MacWatch,
  type MacWatchOptions,
  type NetlinkAddressManager,
  type NetlinkRouteManager,
} from '@vipd/arp';
import { systemClock, type Clock } from '@vipd/clock';
import {
  createHeartbeatMesh,
  type HeartbeatMesh,
  type HeartbeatMeshOptions,
} from '@vipd/heartbeat';
import { HOST_VRRP_PARTS, type VrrpParts } from '../vrrp/parts.js';

export interface DaemonParts {
  readonly clock: Clock;
  readonly createAddressManager: () => NetlinkAddressManager;
  /** VIP routes of routed groups, marked proto 241. */
  readonly createRouteManager: () => Pick<
    NetlinkRouteManager,
    'addNow' | 'removeNow' | 'listManagedNow' | 'close'
  >;
  /** A packet socket on an interface, for announcements and neighbour requests. */
  readonly openPacketSocket: (interfaceName: string) => FrameSender;
  readonly createHeartbeatMesh: (options: HeartbeatMeshOptions) => HeartbeatMesh;
  readonly createConflictWatch: (options: ConflictWatchOptions) => ConflictWatch;
  readonly createMacWatch: (options: MacWatchOptions) => MacWatch;
  /** @vipd/vrrp's codec, raw sockets and virtual routers, for groups with `vrrp:`. */
  readonly vrrp: VrrpParts;
}

export const HOST_PARTS: DaemonParts = {
  clock: systemClock,
  createAddressManager: () => createAddressManager(),
  createRouteManager: () => createRouteManager(),
  openPacketSocket: (interfaceName) => openPacketSocket(interfaceName),
  createHeartbeatMesh,
  createConflictWatch,
  createMacWatch,
  vrrp: HOST_VRRP_PARTS,
};
