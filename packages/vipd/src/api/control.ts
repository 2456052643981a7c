// What the REST API needs from the daemon: read-only views and the operator commands. The
// driver implements it; the API never touches the election directly.

import type { GroupState } from '@vipd/election';
import type { ErrorCode } from '../errors.js';

export type DaemonPhase = 'starting' | 'running' | 'stopping';

export interface PeerView {
  readonly id: string;
  readonly address: string;
  readonly up: boolean;
  readonly rttMs: number | null;
  /** ISO 8601, or null before the first heartbeat. */
  readonly lastHeartbeatAt: string | null;
  /** Groups the peer advertised in its last heartbeat. */
  readonly groups: Readonly<Record<string, { state: GroupState; priority: number; epoch: number }>>;
}

export interface TrackerView {
  readonly name: string;
  readonly type: string;
  /** null before the first check completed. */
  readonly up: boolean | null;
  readonly detail: string | null;
}

export interface GroupTrackView {
  readonly tracker: string;
  readonly weight: number;
  readonly up: boolean | null;
}

export interface GroupView {
  readonly name: string;
  readonly state: GroupState;
  readonly priority: number;
  readonly effectivePriority: number;
  readonly epoch: number;
  readonly master: string | null;
  readonly forced: boolean;
  readonly interface: string;
  readonly addresses: readonly string[];
  /** True while this node is master and the VIPs are on the interface and announced. */
  readonly announced: boolean;
  readonly lastTransitionAt: string | null;
  readonly track: readonly GroupTrackView[];
}

export interface StatusView {
  readonly node: {
    readonly id: string;
    readonly version: string;
    readonly phase: DaemonPhase;
    readonly maintenance: boolean;
    readonly witness: boolean;
    readonly uptimeSeconds: number;
  };
  readonly quorum: {
    readonly enabled: boolean;
    readonly hasQuorum: boolean;
    readonly voters: number;
    readonly votersHeard: number;
  };
  readonly peers: readonly PeerView[];
  readonly groups: readonly GroupView[];
  readonly trackers: readonly TrackerView[];
}

export type CommandOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

export interface TakeoverResult {
  readonly group: GroupView;
  /** From the request until the VIPs were on the interface and the first frames sent. */
  readonly durationMs: number;
}

export interface DaemonControl {
  status(): StatusView;
  group(name: string): GroupView | null;
  /** Resolves once this node is master and has announced, or with the refusal. */
  takeover(group: string, timeoutMs: number): Promise<CommandOutcome<TakeoverResult>>;
  /** Resolves once this node has left MASTER and removed the VIPs, or with the refusal. */
  release(group: string, timeoutMs: number): Promise<CommandOutcome<GroupView>>;
  setMaintenance(enabled: boolean): Promise<CommandOutcome<{ readonly maintenance: boolean }>>;
  phase(): DaemonPhase;
}
