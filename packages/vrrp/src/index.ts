// @vipd/vrrp: RFC 5798 VRRPv3 on the wire — the advert codec, the per-interface transport and
// the pure state machine of one virtual router. The daemon drives it for groups with `vrrp:`.
export { VRRP_ERROR_CODES, VrrpError } from './errors.js';
export type { VrrpErrorCode } from './errors.js';
export {
  ADVERT_REJECT_REASONS,
  VRRP_MULTICAST_V4,
  VRRP_MULTICAST_V6,
  VRRP_PROTOCOL,
  VRRP_TTL,
} from './codec/types.js';
export type {
  Advert,
  AdvertFields,
  AdvertRejectReason,
  DecodeResult,
  IpFamily,
  PacketAddressing,
  PacketContext,
} from './codec/types.js';
export { encodeAdvert } from './codec/encode.js';
export { decodeAdvert } from './codec/decode.js';
export { matchInstance } from './codec/match.js';
export type { InstanceAddresses } from './codec/match.js';
export { decodeVrrpv2 } from './codec/vrrpv2.js';
export type { Vrrpv2Advert } from './codec/vrrpv2.js';
export type { ReceivedPacket, VrrpSocket, VrrpSocketOptions } from './socket/types.js';
export { openVrrpSocket } from './socket/open.js';
export type {
  VirtualRouterAction,
  VirtualRouterConfig,
  VirtualRouterEvent,
  VirtualRouterStatus,
  VrrpState,
  VrrpTransitionReason,
} from './router/types.js';
export { VirtualRouter } from './router/virtual-router.js';
export {
  assertValidVirtualRouterConfig,
  virtualRouterConfigProblems,
  MAX_PREEMPT_DELAY_MS,
} from './router/config.js';
export {
  masterDownIntervalMs,
  skewTimeMs,
  PRIORITY_OWNER,
  PRIORITY_STOP,
  MIN_ADVERT_INTERVAL_CS,
  MAX_ADVERT_INTERVAL_CS,
} from './router/timing.js';
export { isLegalVrrpTransition } from './router/transitions.js';
