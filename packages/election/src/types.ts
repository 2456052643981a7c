// The election's vocabulary: what goes in (events, each with the time it happened) and what
// comes out (actions, as data). The driver in packages/vipd turns actions into I/O.
// This file is the contract between the election and the daemon: change it with care.

export type NodeId = string;
export type GroupName = string;

export type GroupState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT' | 'MAINTENANCE';

/** Priority 255 = address owner (takes over at once); 0 = resign; 1-254 = normal. */
export type Priority = number;

export interface GroupConfig {
  readonly name: GroupName;
  /** Base priority 0-255. */
  readonly priority: Priority;
  /** Default true. A higher-priority backup takes over from a live master. */
  readonly preempt: boolean;
  /** How long a preempting node waits, after it first could preempt, before it does. */
  readonly preemptDelayMs: number;
  /** Groups sharing a sync group name fail over together (keepalived's vrrp_sync_group). */
  readonly syncGroup?: string;
}

export interface ElectionConfig {
  readonly nodeId: NodeId;
  /** Every other node of the cluster, witnesses included. */
  readonly peers: readonly NodeId[];
  readonly heartbeatIntervalMs: number;
  /** A master is dead after downMultiplier x heartbeatIntervalMs of silence. >= 2. */
  readonly downMultiplier: number;
  /** Quorum guard: be (or stay) master only while hearing a majority of voters. */
  readonly quorum: boolean;
  /** Empty for a witness: it votes, holds no VIPs. */
  readonly groups: readonly GroupConfig[];
}

/** What a node says about one of its groups in every heartbeat. */
export interface PeerGroupState {
  /**
   * Effective priority (base + tracker weights, clamped), 0 when resigning, in maintenance or
   * handing the group over after a release; 255 while the group is held by an operator's
   * forced takeover (see packages/election/README.md, "Priority").
   */
  readonly priority: Priority;
  readonly state: GroupState;
  readonly epoch: number;
  /**
   * The master the sender hears directly for this group (itself when MASTER), or null when
   * it hears none. Lets a node learn of a master it cannot hear, and makes quorum votes
   * exclusive: a voter that follows another master does not vote for this one. Absent from
   * older senders; then votes count on hearing alone (see README, "Quorum guard").
   */
  readonly master?: NodeId | null;
}

export type PeerLostReason = 'silent' | 'closed';

export type OperatorCommand =
  | { readonly command: 'takeover'; readonly group: GroupName }
  | { readonly command: 'release'; readonly group: GroupName }
  | { readonly command: 'maintenance'; readonly enabled: boolean }
  /** Graceful shutdown: advertise priority 0 for every group so a backup takes over at once. */
  | { readonly command: 'resign' };

export type ElectionEvent =
  | { readonly type: 'tick'; readonly nowMs: number }
  | {
      readonly type: 'heartbeat';
      readonly nowMs: number;
      readonly from: NodeId;
      /** Random per process start: a new incarnation is a restarted peer. */
      readonly incarnation: string;
      readonly groups: Readonly<Record<GroupName, PeerGroupState>>;
      /**
       * The peers the sender hears right now (Election.hearing() on the sender). Optional for
       * compatibility: without it the quorum guard counts the sender's vote as "hearing" alone,
       * and the sender cannot vouch that a silent master is still alive.
       */
      readonly hears?: readonly NodeId[];
    }
  | {
      readonly type: 'peer-lost';
      readonly nowMs: number;
      readonly peer: NodeId;
      readonly reason: PeerLostReason;
    }
  | {
      /**
       * This node's event loop did not run for stalledMs (the process was frozen, the VM
       * paused, the loop starved): everything it knew is that old, and its peers may have
       * replaced it. Sent by the driver before any other event of the wake-up.
       */
      readonly type: 'stalled';
      readonly nowMs: number;
      readonly stalledMs: number;
    }
  | {
      readonly type: 'tracker';
      readonly nowMs: number;
      /** Stable id of the tracker; its latest report replaces its previous one. */
      readonly trackerId: string;
      readonly group: GroupName;
      /** Added to the base priority while reported (usually negative); 0 when healthy. */
      readonly weightDelta: number;
      /** True forces the group into FAULT until the tracker reports healthy. */
      readonly fault: boolean;
    }
  | {
      readonly type: 'operator';
      readonly nowMs: number;
      /** Echoed in the command-result action so the caller can answer its request. */
      readonly commandId: string;
      readonly operator: OperatorCommand;
    };

/** Bounded set, safe as a metrics label. */
export type TransitionReason =
  | 'startup'
  | 'master-down'
  | 'master-resigned'
  | 'peer-connection-closed'
  | 'preempt'
  | 'higher-master-seen'
  | 'owner'
  | 'forced-takeover'
  | 'released'
  | 'tracker-fault'
  | 'tracker-recovered'
  | 'maintenance-on'
  | 'maintenance-off'
  | 'quorum-lost'
  | 'quorum-regained'
  | 'sync-group'
  | 'resign'
  | 'reconfigured'
  /** This node stalled long enough for a peer to have replaced it (README, "Stalls"). */
  | 'stalled';

export type RefusalCode =
  | 'UNKNOWN_GROUP'
  | 'GROUP_IN_FAULT'
  | 'NODE_IN_MAINTENANCE'
  | 'NO_QUORUM'
  | 'NODE_RESIGNED'
  | 'NOT_MASTER'
  /** A release was refused: no other live node could take the group over. */
  | 'NO_CANDIDATE';

export type ElectionAction =
  | {
      readonly type: 'transition';
      readonly group: GroupName;
      readonly from: GroupState;
      readonly to: GroupState;
      readonly epoch: number;
      readonly reason: TransitionReason;
      /** Human-readable, for the log line: who, why, with numbers. */
      readonly detail: string;
    }
  /** Broadcast this node's state to all peers now, not at the next interval. */
  | { readonly type: 'send-state' }
  /** Call step({type:'tick'}) no later than atMs. The latest arm-timer replaces earlier ones. */
  | { readonly type: 'arm-timer'; readonly atMs: number }
  | {
      readonly type: 'command-result';
      readonly commandId: string;
      readonly ok: boolean;
      readonly code?: RefusalCode;
      readonly message: string;
    };

export interface GroupStatus {
  readonly name: GroupName;
  readonly state: GroupState;
  readonly basePriority: Priority;
  /** The priority this node advertises for the group now (what localState() says). */
  readonly effectivePriority: Priority;
  /** Base + tracker weights, clamped: what it advertises when nothing overrides it. */
  readonly weightedPriority: Priority;
  /** True while this node holds the group by an operator's forced takeover. */
  readonly forced: boolean;
  readonly epoch: number;
  /** Who this node believes is master now (itself included), or null. */
  readonly master: NodeId | null;
  readonly lastTransitionAtMs: number | null;
}

export interface ElectionStatus {
  readonly nodeId: NodeId;
  readonly maintenance: boolean;
  readonly quorum: {
    readonly enabled: boolean;
    readonly votersHeard: number;
    readonly voters: number;
    readonly hasQuorum: boolean;
  };
  readonly peersAlive: readonly NodeId[];
  readonly groups: readonly GroupStatus[];
}
