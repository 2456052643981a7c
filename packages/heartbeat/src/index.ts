export type {
  GroupWireState,
  WireGroupState,
  PeerAddress,
  TlsOptions,
  MeshLogger,
  HeartbeatMeshOptions,
  HeartbeatMeshReconfiguration,
  MeshReconfigured,
  PeerDownReason,
  ConnectionDropReason,
  RejectReason,
  DatagramRejectReason,
  PeerPath,
  HeartbeatReceived,
  PeerStatus,
  HeartbeatMeshStats,
  HeartbeatMeshEvents,
  HeartbeatMesh,
} from './types.js';
export { createHeartbeatMesh } from './mesh.js';
export {
  encodeHeartbeat,
  decodeHeartbeat,
  decodeSigned,
  frameVersion,
  GroupsCache,
} from './codec.js';
export type { HmacKey, DecodeExpectations, SignedFrame } from './codec.js';
export {
  FRAME_MAGIC,
  PROTOCOL_VERSION,
  MAC_LABEL,
  MAX_FRAME_BYTES,
  MAX_NAME_BYTES,
  INCARNATION_BYTES,
  NONCE_BYTES,
  MAC_BYTES,
} from './frame.js';
export type { ConnectionRole, FrameKind, HeartbeatFrame } from './frame.js';
export { HeartbeatDecodeError, HeartbeatEncodeError, HeartbeatConfigError } from './errors.js';
export type {
  DecodeErrorCode,
  DecodeRejectReason,
  EncodeErrorCode,
  ConfigErrorCode,
} from './errors.js';
export { MIN_KEY_BYTES } from './options.js';
export { formatHostPort, isHostName, parseHostPort, readHostPort } from './address.js';
export type { HostPort, HostPortRules } from './address.js';
export { HEARTBEAT_PATH } from './transport.js';
export { createLoopbackNetwork } from './loopback.js';
export type { LoopbackNetwork, LoopbackNetworkOptions } from './loopback.js';
