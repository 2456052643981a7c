// Prometheus metrics on a Registry of their own (never prom-client's global one). State that
// the daemon already holds (group states, peers, trackers) is read at scrape time through
// `sources`, so it is never stale; events (transitions, frames, rejects) are counters.
// Every label value comes from a bounded set: group, peer and tracker names from the config,
// states and reasons from fixed unions.

import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
} from 'prom-client';
import type { ElectionStatus, GroupState, TransitionReason } from '@vipd/election';
import type { VrrpTransitionReason } from '@vipd/vrrp';
import type {
  ConnectionDropReason,
  HeartbeatMeshStats,
  PeerStatus,
  RejectReason,
} from '@vipd/heartbeat';
import type { ErrorCode } from '../errors.js';
import { VIPD_VERSION } from '../version.js';
import { registerDatagramMetrics, type HeartbeatDatagramReading } from './datagram-metrics.js';
import {
  CONFLICT_KINDS,
  DEFENCE_OUTCOMES,
  HEARTBEAT_REJECT_REASONS,
  MESH_TRANSITIONS,
  VRRP_TRANSITIONS,
  announceInterfaces,
  defenceAwaits,
  vipFamily,
  vrrpRejectLabels,
  type MetricsConfig,
} from './known-series.js';

export const GROUP_STATES: readonly GroupState[] = [
  'INIT',
  'BACKUP',
  'MASTER',
  'FAULT',
  'MAINTENANCE',
];

const NON_CONFORMING_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export interface TrackerReading {
  readonly name: string;
  /** null until the first check finished. */
  readonly up: boolean | null;
}

/**
 * Why a heartbeat connection was dropped before it authenticated: the mesh's admission
 * (no slot, or no upgrade in time), the handshake's deadline, a failed TLS handshake.
 */
export type HeartbeatConnectionDrop = ConnectionDropReason | 'auth-timeout' | 'tls-handshake';

export const HEARTBEAT_CONNECTION_DROPS: readonly HeartbeatConnectionDrop[] = [
  'admission-total',
  'admission-per-source',
  'preauth-timeout',
  'auth-timeout',
  'tls-handshake',
];

/** The mesh's counters as vipd_heartbeat_connections_dropped_total's reasons. */
export function heartbeatConnectionDrops(
  stats: HeartbeatMeshStats,
): Record<HeartbeatConnectionDrop, number> {
  return {
    ...stats.connectionsDropped,
    'auth-timeout': stats.authTimeouts,
    'tls-handshake': stats.tlsHandshakeFailures,
  };
}

/** A VRRP group as the scrape reads it (the election does not know these groups). */
export interface VrrpGroupReading {
  readonly name: string;
  readonly state: GroupState;
  readonly basePriority: number;
  readonly effectivePriority: number;
  /** The current master's primary address (own when master), null when unknown. */
  readonly masterAddress: string | null;
  /** Held by an operator's takeover. */
  readonly forced?: boolean;
}

/** What the daemon knows now; read on every scrape. */
export interface MetricsSources {
  /** Groups decided by VRRP on the wire. */
  vrrp?(): readonly VrrpGroupReading[];
  election(): ElectionStatus | null;
  peers(): readonly PeerStatus[];
  trackers(): readonly TrackerReading[];
  ready(): boolean;
  /** Heartbeat frames verified only by an accepted (not the signing) key, since start. */
  framesUnderAcceptedKey?(): number;
  /** Heartbeat connections dropped before they authenticated, by reason, since start. */
  heartbeatConnectionsDropped?(): Readonly<Record<HeartbeatConnectionDrop, number>>;
  /** The datagram path's counters, since start (absent: no mesh). */
  heartbeatDatagrams?(): HeartbeatDatagramReading;
}

const NO_SOURCES: MetricsSources = {
  election: () => null,
  peers: () => [],
  trackers: () => [],
  ready: () => false,
};

export const OPERATOR_ACTIONS = [
  'takeover',
  'release',
  'maintenance-on',
  'maintenance-off',
] as const;
export type OperatorAction = (typeof OPERATOR_ACTIONS)[number];
export const NOTIFY_RESULTS = ['ok', 'failed', 'timeout', 'spawn-error', 'dropped'] as const;
export type NotifyResult = (typeof NOTIFY_RESULTS)[number];
export type AddressOperation = 'add' | 'remove';

/** Why the API server cut a connection without answering a request on it. */
export const API_DROP_REASONS = [
  'max-connections',
  'evicted',
  'timeout',
  'idle',
  'malformed',
] as const;
export type ApiDropReason = (typeof API_DROP_REASONS)[number];

/**
 * Refusals anyone who reaches the API port can cause, at any rate: present from the first
 * scrape at 0, so `rate()` and `increase()` see the first flood rather than a new series.
 */
const API_REQUEST_REFUSALS: readonly ErrorCode[] = [
  'INVALID_REQUEST',
  'UNAUTHORIZED',
  'API_READ_ONLY',
  'NOT_FOUND',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'HOST_NOT_ALLOWED',
];

export class VipdMetrics {
  readonly registry = new Registry();
  #sources: MetricsSources = NO_SOURCES;
  #config: MetricsConfig | null = null;
  readonly #wallClockMs: () => number;
  /** Unix time (s) of each group's last state change, as this process saw it. */
  readonly #lastTransitionSeconds = new Map<string, number>();

  readonly transitions: Counter<'group' | 'from' | 'to' | 'reason'>;
  readonly heartbeatsSent: Counter<'peer'>;
  readonly heartbeatsReceived: Counter<'peer'>;
  readonly heartbeatsRejected: Counter<'reason'>;
  readonly garpSent: Counter<'interface'>;
  readonly naSent: Counter<'interface'>;
  readonly addressConflicts: Counter<'group' | 'kind'>;
  readonly conflictDefences: Counter<'group' | 'awaits' | 'outcome'>;
  readonly macChanges: Counter<'interface'>;
  readonly addressFailures: Counter<'group' | 'operation'>;
  /** Routed groups: VIP routes put into / taken out of the kernel table, and failures. */
  readonly routesAnnounced: Counter<'group'>;
  readonly routesWithdrawn: Counter<'group'>;
  readonly routeFailures: Counter<'group' | 'operation'>;
  readonly notifyRuns: Counter<'result'>;
  readonly apiRejected: Counter<'code'>;
  readonly apiConnectionsDropped: Counter<'reason'>;
  readonly operatorActions: Counter<'action' | 'result'>;
  readonly configReloads: Counter<'result'>;
  readonly configReloadOk: Gauge;
  readonly maintenancePersisted: Gauge;
  readonly stateFileWriteFailures: Counter<'code'>;
  readonly takeoverDuration: Histogram<'group'>;
  readonly vrrpAdvertsSent: Counter<'group'>;
  readonly vrrpAdvertsReceived: Counter<'group'>;
  readonly vrrpAdvertsRejected: Counter<'interface' | 'group' | 'reason'>;
  readonly vrrpMasterDownExpiries: Counter<'group'>;

  /**
   * `eventLoopSampleMs`: how often nodejs_eventloop_lag_* samples the loop. Every sample is
   * a wakeup of its own, and prom-client's 10 ms default cost more CPU than a 1 s heartbeat
   * mesh (docs/benchmarks.md, "Idle wakeups"). The daemon samples once per down interval
   * (down_multiplier x heartbeat_interval): a stall long enough to make a peer declare this
   * node dead covers a sample and is seen; shorter ones show in the peers' RTT and jitter.
   */
  constructor(
    options: { readonly eventLoopSampleMs?: number; readonly wallClockMs?: () => number } = {},
  ) {
    this.#wallClockMs = options.wallClockMs ?? Date.now;
    const r = this.registry;
    const config = () => this.#config;
    const lastTransitionSeconds = this.#lastTransitionSeconds;
    const counter = <L extends string>(config: CounterConfiguration<L>) =>
      new Counter<L>({ ...config, registers: [r] });
    const gauge = <L extends string>(config: GaugeConfiguration<L>) =>
      new Gauge<L>({ ...config, registers: [r] });
    const sources = () => this.#sources;
    // Mesh and VRRP groups alike: the state gauges do not care who decided.
    const groups = () => [...(sources().election()?.groups ?? []), ...(sources().vrrp?.() ?? [])];

    gauge({
      name: 'vipd_build_info',
      help: 'Always 1; labels carry the vipd and Node.js versions.',
      labelNames: ['version', 'nodejs_version'],
    }).set({ version: VIPD_VERSION, nodejs_version: process.versions.node }, 1);

    gauge({
      name: 'vipd_node_info',
      help: 'Always 1; labels name this node, its cluster and the vipd version (join on instance).',
      labelNames: ['node', 'cluster', 'version'],
      collect() {
        this.reset();
        const c = config();
        if (c !== null)
          this.set({ node: c.node.id, cluster: c.cluster.name, version: VIPD_VERSION }, 1);
      },
    });
    gauge({
      name: 'vipd_group_info',
      help: "Always 1; labels carry the group's interface and its VIPs (address/prefix, comma-separated).",
      labelNames: ['group', 'interface', 'addresses'],
      collect() {
        this.reset();
        for (const g of config()?.groups ?? []) {
          const addresses = g.vips.map((v) => `${v.address}/${v.prefixLength}`).join(',');
          this.set({ group: g.name, interface: g.interface, addresses }, 1);
        }
      },
    });

    gauge({
      name: 'vipd_ready',
      help: '1 once the node has cleaned up, joined the cluster and serves; 0 while starting or stopping.',
      collect() {
        this.set(sources().ready() ? 1 : 0);
      },
    });

    gauge({
      name: 'vipd_group_state',
      help: '1 for the state each group is in on this node, 0 for the others.',
      labelNames: ['group', 'state'],
      collect() {
        this.reset();
        for (const group of groups()) {
          for (const state of GROUP_STATES)
            this.set({ group: group.name, state }, group.state === state ? 1 : 0);
        }
      },
    });
    gauge({
      name: 'vipd_group_is_master',
      help: '1 while this node is master of the group (holds and announces its VIPs).',
      labelNames: ['group'],
      collect() {
        this.reset();
        for (const group of groups()) {
          this.set({ group: group.name }, group.state === 'MASTER' ? 1 : 0);
        }
      },
    });
    gauge({
      name: 'vipd_group_priority',
      help: 'Configured base priority of the group on this node.',
      labelNames: ['group'],
      collect() {
        this.reset();
        for (const group of groups()) this.set({ group: group.name }, group.basePriority);
      },
    });
    gauge({
      name: 'vipd_group_effective_priority',
      help: 'Priority this node advertises for the group after tracker weights (0 when resigning).',
      labelNames: ['group'],
      collect() {
        this.reset();
        for (const group of groups()) {
          this.set({ group: group.name }, group.effectivePriority);
        }
      },
    });
    gauge({
      name: 'vipd_group_last_transition_timestamp_seconds',
      help: 'Unix time of the last state change of the group on this node (since when it is in its state).',
      labelNames: ['group'],
      collect() {
        this.reset();
        for (const group of groups()) {
          const seconds = lastTransitionSeconds.get(group.name);
          if (seconds !== undefined) this.set({ group: group.name }, seconds);
        }
      },
    });
    gauge({
      name: 'vipd_group_forced',
      help: '1 while the group is pinned to this node by an operator takeover (wins even against preempt).',
      labelNames: ['group'],
      collect() {
        this.reset();
        for (const group of groups())
          this.set({ group: group.name }, group.forced === true ? 1 : 0);
      },
    });
    gauge({
      name: 'vipd_group_epoch',
      help: 'Current epoch of the group; every takeover increases it.',
      labelNames: ['group'],
      collect() {
        this.reset();
        for (const group of sources().election()?.groups ?? [])
          this.set({ group: group.name }, group.epoch);
      },
    });
    gauge({
      name: 'vipd_maintenance',
      help: '1 while the node is in maintenance (drained by an operator).',
      collect() {
        this.set(sources().election()?.maintenance === true ? 1 : 0);
      },
    });
    gauge({
      name: 'vipd_quorum_enabled',
      help: '1 when the quorum guard is configured.',
      collect() {
        this.set(sources().election()?.quorum.enabled === true ? 1 : 0);
      },
    });
    gauge({
      name: 'vipd_quorum',
      help: '1 while this node hears a majority of the cluster voters (always 1 with the guard off).',
      collect() {
        const quorum = sources().election()?.quorum;
        this.set(quorum === undefined ? 0 : quorum.hasQuorum ? 1 : 0);
      },
    });
    gauge({
      name: 'vipd_quorum_voters',
      help: 'Voters in the cluster (this node and every peer, witnesses included).',
      collect() {
        this.set(sources().election()?.quorum.voters ?? 0);
      },
    });
    gauge({
      name: 'vipd_quorum_voters_heard',
      help: 'Voters this node hears now, itself included.',
      collect() {
        this.set(sources().election()?.quorum.votersHeard ?? 0);
      },
    });

    gauge({
      name: 'vipd_peer_up',
      help: '1 while the peer is connected and its heartbeats arrive in time.',
      labelNames: ['peer'],
      collect() {
        this.reset();
        for (const peer of sources().peers()) this.set({ peer: peer.id }, peer.up ? 1 : 0);
      },
    });
    gauge({
      name: 'vipd_peer_rtt_seconds',
      help: 'Smoothed heartbeat round-trip time to the peer.',
      labelNames: ['peer'],
      collect() {
        this.reset();
        for (const peer of sources().peers()) {
          if (peer.rttMs !== null) this.set({ peer: peer.id }, peer.rttMs / 1000);
        }
      },
    });
    gauge({
      name: 'vipd_peer_last_heartbeat_timestamp_seconds',
      help: 'Unix time of the last valid heartbeat received from the peer.',
      labelNames: ['peer'],
      collect() {
        this.reset();
        for (const peer of sources().peers()) {
          if (peer.lastHeartbeatAtMs !== null)
            this.set({ peer: peer.id }, peer.lastHeartbeatAtMs / 1000);
        }
      },
    });
    gauge({
      name: 'vipd_peer_path_up',
      help:
        '1 while a heartbeat of the peer arrived by this path (stream: the WebSocket ' +
        'connection, datagram: UDP) within the last two intervals.',
      labelNames: ['peer', 'path'],
      collect() {
        this.reset();
        for (const peer of sources().peers()) {
          const stream = peer.path === 'both' || peer.path === 'stream';
          const datagram = peer.path === 'both' || peer.path === 'datagram';
          this.set({ peer: peer.id, path: 'stream' }, stream ? 1 : 0);
          this.set({ peer: peer.id, path: 'datagram' }, datagram ? 1 : 0);
        }
      },
    });
    gauge({
      name: 'vipd_tracker_up',
      help: '1 while the tracker reports healthy, 0 while it fails (absent before its first check).',
      labelNames: ['tracker'],
      collect() {
        this.reset();
        for (const tracker of sources().trackers()) {
          if (tracker.up !== null) this.set({ tracker: tracker.name }, tracker.up ? 1 : 0);
        }
      },
    });

    this.transitions = counter({
      name: 'vipd_group_transitions_total',
      help: 'State changes of a group on this node, by old state, new state and reason.',
      labelNames: ['group', 'from', 'to', 'reason'],
    });
    this.heartbeatsSent = counter({
      name: 'vipd_heartbeats_sent_total',
      help: 'Heartbeats sent, by peer.',
      labelNames: ['peer'],
    });
    this.heartbeatsReceived = counter({
      name: 'vipd_heartbeats_received_total',
      help: 'Valid heartbeats received, by peer.',
      labelNames: ['peer'],
    });
    this.heartbeatsRejected = counter({
      name: 'vipd_heartbeats_rejected_total',
      help: 'Heartbeats dropped before the election saw them, by reason (bad-mac, replay, stale, …).',
      labelNames: ['reason'],
    });
    counter({
      name: 'vipd_heartbeat_frames_accepted_key_total',
      help:
        'Heartbeat frames whose MAC matched one of cluster.accept_key_files, not key_file: a ' +
        'peer signs with another key. Stops growing once a key rotation step is done everywhere.',
      collect() {
        this.reset();
        this.inc(sources().framesUnderAcceptedKey?.() ?? 0);
      },
    });
    counter({
      name: 'vipd_heartbeat_connections_dropped_total',
      help:
        'Heartbeat connections dropped before they authenticated, by reason: no admission ' +
        'slot (admission-total, admission-per-source), no WebSocket upgrade in time ' +
        '(preauth-timeout), no authentication in time (auth-timeout), failed TLS handshake.',
      labelNames: ['reason'],
      collect() {
        this.reset();
        const dropped = sources().heartbeatConnectionsDropped?.();
        if (dropped === undefined) return;
        for (const reason of HEARTBEAT_CONNECTION_DROPS) this.inc({ reason }, dropped[reason]);
      },
    });
    registerDatagramMetrics(r, () => sources().heartbeatDatagrams?.());
    this.garpSent = counter({
      name: 'vipd_gratuitous_arp_sent_total',
      help: 'Gratuitous ARP frames sent for IPv4 VIPs, by interface.',
      labelNames: ['interface'],
    });
    this.naSent = counter({
      name: 'vipd_neighbor_advertisements_sent_total',
      help: 'Unsolicited IPv6 neighbour advertisements sent, by interface.',
      labelNames: ['interface'],
    });
    this.addressConflicts = counter({
      name: 'vipd_address_conflicts_total',
      help: 'Another MAC claimed one of our VIPs while we were master, by group and kind of frame.',
      labelNames: ['group', 'kind'],
    });
    this.conflictDefences = counter({
      name: 'vipd_address_conflict_defences_total',
      help:
        "Conflicting claims that waited for the master's word (awaits: heartbeat, lost-peer, advert) " +
        'and how they ended: defended with one announcement, stood-down (no longer master) or ' +
        'announced (announced again meanwhile).',
      labelNames: ['group', 'awaits', 'outcome'],
    });
    this.macChanges = counter({
      name: 'vipd_interface_mac_changes_total',
      help: 'MAC address changes seen on an interface carrying VIPs (each triggers a re-announce).',
      labelNames: ['interface'],
    });
    this.addressFailures = counter({
      name: 'vipd_address_operation_failures_total',
      help: 'Failed VIP additions or removals, by group and operation.',
      labelNames: ['group', 'operation'],
    });
    this.routesAnnounced = counter({
      name: 'vipd_routes_announced_total',
      help: 'Routed groups: VIP routes added to the kernel table BIRD exports (one per VIP and epoch).',
      labelNames: ['group'],
    });
    this.routesWithdrawn = counter({
      name: 'vipd_routes_withdrawn_total',
      help: 'Routed groups: VIP routes removed (release, demotion, stop, or an older epoch replaced).',
      labelNames: ['group'],
    });
    this.routeFailures = counter({
      name: 'vipd_route_operation_failures_total',
      help: 'Routed groups: failed VIP route additions or removals, by group and operation.',
      labelNames: ['group', 'operation'],
    });
    this.notifyRuns = counter({
      name: 'vipd_notify_runs_total',
      help: 'Notify hook runs, by result.',
      labelNames: ['result'],
    });
    this.apiRejected = counter({
      name: 'vipd_api_requests_rejected_total',
      help: 'REST requests answered with an error, by error code.',
      labelNames: ['code'],
    });
    for (const code of API_REQUEST_REFUSALS) this.apiRejected.inc({ code }, 0);
    this.apiConnectionsDropped = counter({
      name: 'vipd_api_connections_dropped_total',
      help:
        'API connections the server cut: over api.max_connections, request not received in ' +
        'time (timeout, answered 408), silent for too long (idle), or not HTTP (malformed).',
      labelNames: ['reason'],
    });
    for (const reason of API_DROP_REASONS) this.apiConnectionsDropped.inc({ reason }, 0);
    this.operatorActions = counter({
      name: 'vipd_operator_actions_total',
      help: 'Operator commands over the API, by action and result (ok or the refusal code).',
      labelNames: ['action', 'result'],
    });
    this.configReloads = counter({
      name: 'vipd_config_reloads_total',
      help: 'Configuration reloads (SIGHUP), by result.',
      labelNames: ['result'],
    });
    this.configReloadOk = gauge({
      name: 'vipd_config_last_reload_successful',
      help: '1 if the last configuration reload succeeded (or none was tried), 0 if it was rejected.',
    });
    this.configReloadOk.set(1);
    this.maintenancePersisted = gauge({
      name: 'vipd_maintenance_persisted',
      help: '1 while node.state_file holds the maintenance setting the node runs with; 0 after a failed write (full disk, read-only directory) or an unreadable file at start.',
    });
    this.stateFileWriteFailures = counter({
      name: 'vipd_state_file_write_failures_total',
      help: 'Writes of node.state_file that failed, by error code (ENOSPC, EROFS, EACCES, …).',
      labelNames: ['code'],
    });
    for (const reason of HEARTBEAT_REJECT_REASONS) this.heartbeatsRejected.inc({ reason }, 0);
    for (const result of NOTIFY_RESULTS) this.notifyRuns.inc({ result }, 0);
    for (const action of OPERATOR_ACTIONS) this.operatorActions.inc({ action, result: 'ok' }, 0);
    for (const result of ['success', 'failure']) this.configReloads.inc({ result }, 0);
    this.takeoverDuration = new Histogram({
      name: 'vipd_takeover_duration_seconds',
      help: 'From the decision to become master until the VIPs are on the interface and first announced.',
      labelNames: ['group'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [r],
    });

    this.vrrpAdvertsSent = counter({
      name: 'vipd_vrrp_adverts_sent_total',
      help: 'VRRP advertisements sent, by group (one per destination counts once).',
      labelNames: ['group'],
    });
    this.vrrpAdvertsReceived = counter({
      name: 'vipd_vrrp_adverts_received_total',
      help: 'Valid VRRP advertisements received and handed to the group, by group.',
      labelNames: ['group'],
    });
    this.vrrpAdvertsRejected = counter({
      name: 'vipd_vrrp_adverts_rejected_total',
      help:
        'VRRP packets refused, by interface, group (empty before one is known) and reason ' +
        '(RFC 5798 §7.1 checks: ttl, checksum, version, vrrpv2, vrid, address-list, …).',
      labelNames: ['interface', 'group', 'reason'],
    });
    this.vrrpMasterDownExpiries = counter({
      name: 'vipd_vrrp_master_down_expiries_total',
      help: "Times the group's Master_Down_Timer ran out and this node became master.",
      labelNames: ['group'],
    });
    gauge({
      name: 'vipd_vrrp_master',
      help: "1 for the address of the VRRP group's current master (own address when master).",
      labelNames: ['group', 'address'],
      collect() {
        this.reset();
        for (const group of sources().vrrp?.() ?? []) {
          if (group.masterAddress !== null)
            this.set({ group: group.name, address: group.masterAddress }, 1);
        }
      },
    });

    collectDefaultMetrics({
      register: r,
      eventLoopMonitoringPrecision: Math.max(1, Math.round(options.eventLoopSampleMs ?? 1000)),
    });
    // prom-client names these gauges *_total, which Prometheus reserves for counters (promtool
    // rejects them); the same numbers remain in nodejs_active_handles / _requests / _resources.
    for (const name of NON_CONFORMING_DEFAULT_METRICS) r.removeSingleMetric(name);
  }

  /** Connect the scrape-time readers (once the daemon's parts exist). */
  setSources(sources: MetricsSources): void {
    this.#sources = sources;
  }

  /**
   * Names the node, cluster, groups and peers of the running configuration: the info gauges
   * read it, and every counter whose labels it determines gets its zero series (start, and
   * after each reload). Series of groups a reload removed stay at their last count.
   */
  declareConfig(config: MetricsConfig): void {
    this.#config = config;
    const zero = <L extends string>(counter: Counter<L>, labels: Partial<Record<L, string>>) => {
      counter.inc(labels, 0);
    };
    for (const peer of config.cluster.peers) {
      zero(this.heartbeatsSent, { peer: peer.id });
      zero(this.heartbeatsReceived, { peer: peer.id });
    }
    for (const family of [4, 6] as const) {
      const sent = family === 4 ? this.garpSent : this.naSent;
      for (const iface of announceInterfaces(config.groups, family))
        zero(sent, { interface: iface });
    }
    for (const g of config.groups) {
      const transitions = g.vrrp === undefined ? MESH_TRANSITIONS : VRRP_TRANSITIONS;
      for (const [from, to, reason] of transitions)
        zero(this.transitions, { group: g.name, from, to, reason });
      for (const operation of ['add', 'remove'])
        zero(this.addressFailures, { group: g.name, operation });
      this.takeoverDuration.zero({ group: g.name });
      if (g.routed !== undefined) {
        // Announced by route: no ARP, no MAC to change, no conflict to see on lo.
        zero(this.routesAnnounced, { group: g.name });
        zero(this.routesWithdrawn, { group: g.name });
        for (const operation of ['add', 'remove'])
          zero(this.routeFailures, { group: g.name, operation });
        continue;
      }
      zero(this.macChanges, { interface: g.interface });
      const families = new Set(g.vips.map((v) => vipFamily(v.address)));
      for (const family of families)
        for (const kind of CONFLICT_KINDS[family])
          zero(this.addressConflicts, { group: g.name, kind });
      for (const awaits of defenceAwaits(g))
        for (const outcome of DEFENCE_OUTCOMES)
          zero(this.conflictDefences, { group: g.name, awaits, outcome });
      if (g.vrrp === undefined) continue;
      zero(this.vrrpAdvertsSent, { group: g.name });
      zero(this.vrrpAdvertsReceived, { group: g.name });
      zero(this.vrrpMasterDownExpiries, { group: g.name });
    }
    for (const labels of vrrpRejectLabels(config.groups)) zero(this.vrrpAdvertsRejected, labels);
  }

  recordTransition(
    group: string,
    from: GroupState,
    to: GroupState,
    reason: TransitionReason | VrrpTransitionReason,
  ): void {
    this.transitions.inc({ group, from, to, reason });
    this.#lastTransitionSeconds.set(group, this.#wallClockMs() / 1000);
  }

  recordRejectedHeartbeat(reason: RejectReason): void {
    this.heartbeatsRejected.inc({ reason });
  }

  /** Exposition text for GET /metrics. */
  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
