// The validated, normalised configuration the daemon runs on: camelCase, durations in
// milliseconds, paths absolute, secrets wrapped so they cannot reach a log line.

import type { AnnounceSchedule, Vip } from '@vipd/arp';
import type { HostPort, PeerAddress, TlsOptions } from '@vipd/heartbeat';
import type { RealServerConfig } from '../realserver/index.js';
import type { ErrorCode } from '../errors.js';
import type { EventKind } from '../events/types.js';
import type { Secret } from './secret.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type LogFormat = 'json' | 'pretty';

export interface TrackRef {
  readonly tracker: string;
  readonly weight: number;
}

/** How a `vrrp:` group speaks RFC 5798 VRRPv3 on its interface. */
export interface VrrpSpec {
  readonly vrid: number;
  /** A multiple of 10 (the wire carries centiseconds). */
  readonly advertIntervalMs: number;
  readonly version: 3;
  /** The family of every VIP of the group (the rules refuse a mix). */
  readonly family: 4 | 6;
  /** Empty: the multicast group. */
  readonly unicastPeers: readonly string[];
  readonly sourceAddress?: string;
}

/** How a `routed:` group is announced: a route per VIP in a kernel table BIRD learns from. */
export interface RoutedSpec {
  /** Kernel routing table (1..2^32-1, not 253-255). */
  readonly table: number;
}

export interface GroupSpec {
  readonly name: string;
  readonly interface: string;
  readonly vips: readonly Vip[];
  readonly priority: number;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly syncGroup?: string;
  readonly track: readonly TrackRef[];
  readonly trackInterface: boolean;
  /** Top-level scripts first, then the group's own. */
  readonly notify: readonly NotifyHook[];
  readonly announce: AnnounceSchedule;
  /** Decided by VRRP on the wire instead of the mesh. */
  readonly vrrp?: VrrpSpec;
  /** Announced by route (BGP through BIRD) instead of ARP; its VIPs go on `lo`. */
  readonly routed?: RoutedSpec;
}

/** How a notify hook is called: see NotifyHookFile's `convention`. */
export type NotifyConvention = 'vipd' | 'keepalived';

export interface NotifyHook {
  /** Absolute. */
  readonly path: string;
  /** Its own arguments, before the convention's. */
  readonly args: readonly string[];
  readonly convention: NotifyConvention;
}

interface TrackerBase {
  readonly name: string;
  readonly intervalMs: number;
  readonly rise: number;
  readonly fall: number;
}

export type TrackerSpec =
  | (TrackerBase & { readonly type: 'interface'; readonly interface: string })
  | (TrackerBase & {
      readonly type: 'http';
      readonly url: string;
      readonly expectStatus: readonly number[];
      readonly tlsVerify: boolean;
      /** Absolute path of the CA bundle to verify against instead of the system store. */
      readonly caFile?: string;
      readonly timeoutMs: number;
    })
  | (TrackerBase & {
      readonly type: 'tcp';
      /** As written, for logs and the API. */
      readonly address: string;
      /** Parsed once at load: what the check dials. */
      readonly endpoint: HostPort;
      readonly timeoutMs: number;
    })
  | (TrackerBase & {
      readonly type: 'bird';
      readonly socket: string;
      readonly protocol: string;
      readonly timeoutMs: number;
    })
  | (TrackerBase & {
      readonly type: 'script';
      readonly path: string;
      readonly args: readonly string[];
      readonly timeoutMs: number;
    })
  | (TrackerBase & { readonly type: 'file'; readonly path: string });

export type TrackerType = TrackerSpec['type'];

/** A peer as the mesh takes it (`address` as written) and its endpoint, parsed at load. */
/** notify.webhooks[]: where events are POSTed, signed with `secret`. */
export interface WebhookSpec {
  readonly name: string;
  readonly url: string;
  readonly secret: Secret;
  readonly events: readonly EventKind[];
  /** One attempt's deadline. */
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  /** Events waiting beyond the one in flight. */
  readonly queueSize: number;
}

export interface ConfiguredPeer extends PeerAddress {
  readonly endpoint: HostPort;
}

export interface VipdConfig {
  /** Absolute path of the file this was loaded from. */
  readonly file: string;
  readonly node: {
    readonly id: string;
    /** As written (logs, the reload diff); `listenEndpoint` is the same, parsed at load. */
    readonly listen: string;
    readonly listenEndpoint: HostPort;
    /** Maintenance on/off, kept across restarts (daemon/node-state.ts). */
    readonly stateFile: string;
  };
  readonly cluster: {
    readonly name: string;
    readonly key: Secret;
    /** Accepted on received heartbeats, never used to sign (key rotation). */
    readonly acceptKeys: readonly Secret[];
    readonly heartbeatIntervalMs: number;
    readonly downMultiplier: number;
    /** Every heartbeat also goes out as a UDP datagram (restart-only). */
    readonly heartbeatDatagram: boolean;
    readonly quorum: boolean;
    readonly peers: readonly ConfiguredPeer[];
    readonly tls?: TlsOptions;
  };
  readonly groups: readonly GroupSpec[];
  readonly trackers: readonly TrackerSpec[];
  readonly notifyTimeoutMs: number;
  readonly webhooks: readonly WebhookSpec[];
  readonly api: {
    readonly enabled: boolean;
    readonly listen: string;
    readonly listenEndpoint: HostPort;
    /** null: no token configured, mutating calls are refused. */
    readonly token: Secret | null;
    /** Connections open at once; more are closed on arrival. */
    readonly maxConnections: number;
    /** Events kept for GET /v1/events (api.event_history). */
    readonly eventHistory: number;
    /** Host header names answered besides IP literals and localhost (DNS rebinding guard). */
    readonly allowedHosts: readonly string[];
  };
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  /** The real-server role (hidden VIPs on lo), when the file has a `realserver` section. */
  readonly realserver?: RealServerConfig;
}

export interface ConfigProblem {
  /** Dotted path into the document, e.g. `groups[0].addresses[1]`; "" for the whole file. */
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
  /** For problems with a code of their own (KEY_TOO_SHORT, SCRIPT_UNSAFE, …). */
  readonly code?: ErrorCode;
}
