// @vipd/arp: announce VIPs on the LAN and keep them on interfaces.
export type {
  MacAddress,
  Vip,
  VipScope,
  AnnounceMode,
  AnnounceSchedule,
  Announcer,
  AddressManager,
  ConflictEvent,
  MacChangeEvent,
} from './types.js';

// Errors
export { ArpError, FrameDecodeError, PrivilegeError, ERROR_CODES } from './errors.js';
export type { ArpErrorCode, Capability } from './errors.js';

// Codecs
export { encode, decode } from './codec/frame.js';
export {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  ETHERNET_MIN_FRAME_BYTES,
  BROADCAST_MAC,
  ZERO_MAC,
} from './codec/frame-types.js';
export type {
  Frame,
  Packet,
  ArpPacket,
  ArpOperation,
  Ipv6Header,
  NeighborAdvertisement,
  NeighborSolicitation,
} from './codec/frame-types.js';
export {
  arpRequest,
  gratuitousArpRequest,
  gratuitousArpReply,
  arpAnnouncement,
  arpProbe,
  unsolicitedNeighborAdvertisement,
  duplicateAddressProbe,
  solicitedNodeGroup,
  ipv6MulticastMac,
  classifyArp,
  ALL_NODES_IPV6,
  ALL_NODES_MAC,
} from './codec/announcements.js';
export type { ArpKind, NeighborAdvertisementOptions } from './codec/announcements.js';
export { normalizeIp, normalizeMac } from './codec/address-text.js';
export { isInterfaceName, INTERFACE_NAME_RULE } from './interface-name.js';
export { claimIn } from './claims.js';
export type { AddressClaim, ClaimKind } from './claims.js';

// The wire
export { openPacketSocket } from './sys/packet-socket.js';
export { ipv6NextHeaderFilter } from './sys/bpf.js';
export type { SockFilter } from './sys/libc.js';
export { inNetns } from './sys/netns.js';
export type {
  PacketSocket,
  PacketSocketOptions,
  ReceivedFrame,
  PacketDirection,
} from './sys/packet-socket.js';

// Announcing
export { createAnnouncer } from './announcer.js';
export type {
  AnnouncerOptions,
  FrameAnnouncer,
  FrameSender,
  AnnouncerStats,
  AnnounceErrorContext,
} from './announcer.js';
export {
  DEFAULT_SCHEDULE,
  resolveSchedule,
  announcementOffsets,
  refreshOffsets,
} from './announce-schedule.js';
export type { ResolvedSchedule } from './announce-schedule.js';

// Addresses
export {
  createAddressManager,
  VIPD_ADDRESS_PROTOCOL,
  MARKING_PROBE_VIP,
} from './address-manager.js';
export type {
  RouteRequests,
  AddressManagerOptions,
  NetlinkAddressManager,
  AddOutcome,
  RemoveOutcome,
} from './address-manager.js';
export { openAddressTable } from './netlink/address-table.js';
export type {
  AddressEntry,
  AddressTable,
  AddressTableOptions,
  LinkEntry,
  PlainAddress,
} from './netlink/address-table.js';
export {
  createRouteManager,
  checkVipRoute,
  VIPD_ROUTE_PROTOCOL,
  ROUTE_INTERFACE,
} from './route-manager.js';
export type {
  VipRoute,
  RouteAddOutcome,
  RouteRemoveOutcome,
  RouteManagerOptions,
  NetlinkRouteManager,
} from './route-manager.js';
export { checkVip } from './vip.js';
export type { CheckedVip } from './vip.js';

// Becoming master / backup
export { takeOver, giveUp, removeVips } from './takeover.js';
export type {
  TakeoverParts,
  TakeOverOptions,
  TakeOverResult,
  VipAddresses,
  VipResult,
} from './takeover.js';

// Watches
export { CONFLICT_DEDUPE_KEYS, createConflictWatch } from './conflict-watch.js';
export type { ConflictWatch, ConflictWatchOptions, ConflictWatchStats } from './conflict-watch.js';
export { createMacWatch } from './mac-watch.js';
export type { MacWatch, MacWatchOptions } from './mac-watch.js';
export { probeAddress } from './probe.js';
export type { ProbeOptions, ProbeResult } from './probe.js';
