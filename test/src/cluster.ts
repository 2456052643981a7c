import type { LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';

/**
 * Which failover daemon a cluster runs: vipd's mesh, keepalived, vipd speaking VRRPv3 on
 * every node, one VRRP router spoken by keepalived and vipd together, or vipd's mesh in
 * routed mode (the VIP announced through BIRD, nodes on different subnets).
 */
export type DaemonKind = 'vipd' | 'keepalived' | 'vipd-vrrp' | 'vrrp-mixed' | 'vipd-routed';

/**
 * A failover daemon running on the lab's nodes, seen the same way for vipd and keepalived
 * so one trial procedure measures both.
 */
export interface FailoverCluster {
  readonly kind: DaemonKind;
  /** "vipd 0.1.0", "keepalived 2.2.7". */
  readonly version: string;
  /**
   * Start every node at once rather than the master first: for a cluster whose nodes cannot
   * elect a master alone (vipd's quorum guard: one node is never a majority).
   */
  readonly startsTogether: boolean;
  /** Starts the daemon on one node; a node already running is left alone. */
  startNode(node: LabHost): LabProcess;
  /** The node's running daemon, if any. */
  process(node: LabHost): LabProcess | undefined;
  /** Every pid of the node's daemon (keepalived runs a parent and a VRRP child). */
  daemonPids(node: LabHost): number[];
  /** Resolves once `node` runs as a backup that can take over (it has heard the master). */
  waitUntilBackup(node: LabHost, timeoutMs: number): Promise<void>;
  /** Stops every daemon gracefully and removes any VIP left on any node. */
  stopAll(): Promise<void>;
}
