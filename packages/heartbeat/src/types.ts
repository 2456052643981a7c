// The heartbeat mesh's public contract, wired by packages/vipd. The mesh knows nothing of
// the election: group state is carried as opaque-but-typed data, structurally equal to
// @vipd/election's PeerGroupState so the daemon can pass it straight through.

import type { Clock } from '@vipd/clock';

export type GroupWireState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'MAINTENANCE';

export interface WireGroupState {
  readonly priority: number;
  readonly state: GroupWireState;
  readonly epoch: number;
  /**
   * The master the sender hears directly for this group (itself when MASTER), null when it
   * hears none, absent when it does not say.
   */
  readonly master?: string | null;
}

export interface PeerAddress {
  readonly id: string;
  /** host:port ([v6]:port for IPv6). */
  readonly address: string;
}

export interface TlsOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** CA that signed every node's certificate; both ends are verified. */
  readonly caFile: string;
}

/** Minimal logger surface (pino-compatible): object first, then the message. */
export interface MeshLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface HeartbeatMeshOptions {
  readonly clusterName: string;
  readonly nodeId: string;
  /** host:port to listen on; port 0 picks a free port (tests). */
  readonly listen: string;
  readonly peers: readonly PeerAddress[];
  /** Shared cluster key (HMAC-SHA256): signs every frame. Never logged. */
  readonly key: Uint8Array;
  /**
   * Further keys accepted on frames received (not used to sign), for rotating the cluster
   * key without an outage: see setKeys().
   */
  readonly acceptKeys?: readonly Uint8Array[];
  readonly intervalMs: number;
  readonly downMultiplier: number;
  readonly tls?: TlsOptions;
  readonly logger?: MeshLogger;
  /**
   * A new connection must complete the signed hello/heartbeat exchange within this, or it
   * is terminated. Default max(1000, downMultiplier x intervalMs).
   */
  readonly authTimeoutMs?: number;
  /** Redial delay after the first failed attempt (jittered down to half). Default max(5, intervalMs / 2). */
  readonly reconnectMinDelayMs?: number;
  /** Redial delay cap. Default max(20, 2 x intervalMs): a healed peer is back within ~2 intervals. */
  readonly reconnectMaxDelayMs?: number;
  /**
   * A peer silent this long has its connection cut and redialled. Shorter silences (an
   * overloaded host) keep the connection and recover on it without a reconnect.
   * Default max(1000, 3 x downMultiplier x intervalMs).
   */
  readonly cutSilentAfterMs?: number;
  /**
   * A peer whose socket has not drained for this long is cut (terminate). Default
   * downMultiplier x intervalMs: by then the peer has declared us silent anyway.
   */
  readonly sendStallTimeoutMs?: number;
  /**
   * Unauthenticated inbound connections from all addresses together, not counting the 4
   * each configured peer's address has to itself. Default 16 + 4 x peers.
   */
  readonly maxPendingConnections?: number;
  /**
   * Where time comes from: every interval, deadline and timestamp. Default systemClock;
   * tests pass a manual clock. Timestamps on the wire and in PeerStatus stay epoch
   * milliseconds (performance.timeOrigin + clock.now()).
   */
  readonly clock?: Clock;
  /**
   * Also send every heartbeat as one UDP datagram to the peer's address and port, from a
   * UDP socket bound to the listen address and port (README "Datagram path"). Default true.
   * A peer heard by datagram alone stays up, so a one-way cut that stalls TCP both ways
   * still lets the side that hears say so. Fixed for the life of the mesh.
   */
  readonly datagram?: boolean;
}

export type PeerDownReason = 'silent' | 'closed';

export type RejectReason =
  | 'bad-mac'
  | 'unknown-node'
  | 'wrong-receiver'
  | 'wrong-role'
  | 'wrong-cluster'
  | 'replay'
  | 'stale'
  | 'oversized'
  | 'truncated'
  | 'bad-version'
  | 'malformed';

/**
 * Why a connection was dropped before it could authenticate: no slot free for everyone
 * (`admission-total`) or for its source (`admission-per-source`), or it had not upgraded to
 * a WebSocket within authTimeoutMs of its TCP accept (`preauth-timeout`).
 */
/**
 * Why an authentic-looking datagram was not used. The decode reasons (`bad-mac`, ...) as on
 * the stream; `datagram-unknown-source`: its source address is not the configured address
 * of the peer it names (or it names no peer); `datagram-unknown-incarnation`: the sender's
 * incarnation is not the one the WebSocket link authenticated last (a datagram cannot
 * introduce a restart); `wrong-receiver`: signed for another node; `malformed` also covers
 * a hello (hellos belong to connections).
 */
export type DatagramRejectReason =
  RejectReason | 'datagram-unknown-source' | 'datagram-unknown-incarnation';

/** Which paths delivered the peer's heartbeats within the last two intervals. */
export type PeerPath = 'both' | 'stream' | 'datagram';

export type ConnectionDropReason = 'admission-total' | 'admission-per-source' | 'preauth-timeout';

/**
 * What a reload may change on a running mesh (HeartbeatMesh.reconfigure). The cluster name,
 * node id and listen address shape every connection and frame: only a restart changes them.
 */
export interface HeartbeatMeshReconfiguration {
  readonly peers: readonly PeerAddress[];
  readonly intervalMs: number;
  readonly downMultiplier: number;
  /** The files are read again (a renewed certificate). TLS cannot be switched on or off. */
  readonly tls?: TlsOptions;
}

/** What reconfigure() changed. */
export interface MeshReconfigured {
  readonly peersAdded: readonly string[];
  readonly peersRemoved: readonly string[];
  /** Same id, new address: later dials go there; a connection in use stays. */
  readonly peersReaddressed: readonly string[];
  /** The interval or a deadline changed. */
  readonly retimed: boolean;
  /** TLS material was read again: new connections (both ways) use it. */
  readonly tlsReloaded: boolean;
}

export interface HeartbeatReceived {
  readonly from: string;
  readonly incarnation: string;
  readonly seq: number;
  readonly sentAtMs: number;
  readonly receivedAtMs: number;
  readonly groups: Readonly<Record<string, WireGroupState>>;
  /**
   * The peers the sender hears right now, as it last set them (setLocalState's `hears`).
   * Absent when the sender did not say (none set).
   */
  readonly hears?: readonly string[];
}

export interface PeerStatus {
  readonly id: string;
  readonly address: string;
  readonly up: boolean;
  /** Smoothed RTT (RFC 6298 gain 1/8) from echoed timestamps. */
  readonly rttMs: number | null;
  /** Mean change between consecutive RTT samples (RFC 3550 gain 1/16). */
  readonly jitterMs: number | null;
  readonly lastHeartbeatAtMs: number | null;
  readonly incarnation: string | null;
  /** The latest RTT sample, unsmoothed. */
  readonly lastRttMs: number | null;
  /** Which side opened the connection in use; null without one. */
  readonly direction: 'inbound' | 'outbound' | null;
  /**
   * Which paths delivered a heartbeat of the peer within the last two intervals: the
   * WebSocket connection (`stream`), UDP (`datagram`), `both`, or null: neither.
   */
  readonly path: PeerPath | null;
}

/** Counters since start(), for metrics. */
export interface HeartbeatMeshStats {
  readonly rejected: Readonly<Record<RejectReason, number>>;
  readonly heartbeatsSent: number;
  readonly heartbeatsReceived: number;
  /** Heartbeats not sent because the previous one was still queued (slow peer). */
  readonly heartbeatsSkipped: number;
  /**
   * Frames whose MAC matched one of acceptKeys and not the signing key: some peer still
   * signs with (or already switched to) another key. Zero growth means a rotation step is
   * complete.
   */
  readonly framesUnderAcceptedKey: number;
  /** Peers cut because their socket stayed backed up past sendStallTimeoutMs. */
  readonly stalledPeersCut: number;
  /** Connections terminated for not authenticating within authTimeoutMs. */
  readonly authTimeouts: number;
  /**
   * Connections refused at accept for want of a slot: the sum of connectionsDropped's
   * `admission-total` and `admission-per-source`.
   */
  readonly connectionsRefused: number;
  /** Connections dropped before they could authenticate, by reason (README "Admission"). */
  readonly connectionsDropped: Readonly<Record<ConnectionDropReason, number>>;
  /** Inbound TLS handshakes that failed (no client certificate, wrong CA, ...). */
  readonly tlsHandshakeFailures: number;
  readonly connectionsAccepted: number;
  readonly dialAttempts: number;
  /** Heartbeat datagrams handed to the UDP socket (README "Datagram path"). */
  readonly datagramsSent: number;
  /** Datagrams the socket could not send (no route, too large, ...). */
  readonly datagramSendErrors: number;
  /**
   * Probe datagrams (sent when the connection in use closes) the peer's kernel answered
   * with ICMP port unreachable: no process listened at its heartbeat port.
   */
  readonly datagramsRefused: number;
  /** Datagrams accepted that carried a heartbeat not yet delivered by the stream. */
  readonly datagramsReceived: number;
  /** Authentic datagrams whose heartbeat was already delivered: seq equal to the last one. */
  readonly datagramsDuplicate: number;
  /** Authentic datagrams older than the last heartbeat delivered (seq below it). */
  readonly datagramsStale: number;
  /** Datagrams refused, by reason. */
  readonly datagramsRejected: Readonly<Record<DatagramRejectReason, number>>;
}

export interface HeartbeatMeshEvents {
  'peer-up': [peer: string];
  'peer-down': [peer: string, reason: PeerDownReason];
  heartbeat: [heartbeat: HeartbeatReceived];
  rejected: [reason: RejectReason, peer: string | null, remote: string];
  sent: [peer: string];
}

export interface HeartbeatMesh {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Replace the state carried by every following heartbeat: each group's state and, when
   * given, the peers this node hears now (sent as `hears`; omit it to say nothing).
   */
  setLocalState(groups: Readonly<Record<string, WireGroupState>>, hears?: readonly string[]): void;
  /** Send the current state to every connected peer now (state changed). */
  sendNow(): void;
  /**
   * Sign every following frame with `key` and accept frames signed with it or any of
   * `acceptKeys`. Open connections stay up. Rotating a cluster key without an outage takes
   * three steps, each applied on every node before the next: accept the new key (sign with
   * the old); sign with the new key (accept the old); drop the old key. Throws
   * HeartbeatConfigError 'INVALID_OPTION' for a key shorter than MIN_KEY_BYTES.
   */
  setKeys(key: Uint8Array, acceptKeys?: readonly Uint8Array[]): void;
  /**
   * A reload: add, remove and re-address peers, change the interval and the down multiplier,
   * read the TLS files again — without dropping a connection in use or reporting a peer
   * down. Deadlines count from each peer's last heartbeat; a removed peer's connections are
   * closed. Everything is checked (and the TLS files read) before anything changes: on a
   * HeartbeatConfigError the mesh runs on as before.
   */
  reconfigure(change: HeartbeatMeshReconfiguration): Promise<MeshReconfigured>;
  /**
   * Drop the connection(s) to `peer` (every peer when omitted) and dial again at once,
   * without backoff. Call it when this node's own link to the peer comes back: a connection
   * that lived through the outage may sit in TCP retransmission backoff and deliver the
   * peer's heartbeats long after the path healed. Planned, so no 'peer-down' is emitted
   * here: the peer keeps its up/down state and its silence timer, so a redial that does not
   * get through is reported as usual ('silent' at the deadline, 'closed' if the new
   * connection is refused or fails its handshake). The far end sees its
   * connection reset and may report 'closed' until the new one authenticates. Throws
   * HeartbeatConfigError 'unknown-peer' for an id that is not configured; does nothing
   * unless started.
   */
  reconnect(peer?: string): void;
  peers(): readonly PeerStatus[];
  /** The bound listen port (useful with port 0). */
  port(): number;
  stats(): HeartbeatMeshStats;
  on<E extends keyof HeartbeatMeshEvents>(
    event: E,
    listener: (...args: HeartbeatMeshEvents[E]) => void,
  ): this;
  off<E extends keyof HeartbeatMeshEvents>(
    event: E,
    listener: (...args: HeartbeatMeshEvents[E]) => void,
  ): this;
}
