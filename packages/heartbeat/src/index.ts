export type {
  GroupWireState,
  WireGroupState,
  PeerAddress,
  TlsOptions,
  MeshLogger,
  HeartbeatMeshOptions,
  PeerDownReason,
  RejectReason,
  HeartbeatReceived,
  PeerStatus,
  HeartbeatMeshEvents,
  HeartbeatMesh,
} from './types.js';
