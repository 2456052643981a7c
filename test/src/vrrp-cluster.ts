import type { DaemonKind, FailoverCluster } from './cluster.js';
import { KeepalivedCluster, removeVips } from './keepalived-cluster.js';
import type { KeepalivedGroup } from './keepalived.js';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';
import { formatDuration, VipdCluster, type VipdClusterOptions } from './vipd-cluster.js';

/** Which VRRP speaker runs on a node. */
export type VrrpSpeaker = 'keepalived' | 'vipd';

/** One VRRPv3 virtual router as both daemons are configured for it. */
export interface VrrpGroupSpec {
  readonly name: string;
  readonly vrid: number;
  readonly intervalMs: number;
  /** VIPs with prefix length, all of one family. */
  readonly addresses: readonly string[];
  /** Priority per node name. */
  readonly priorities: Readonly<Record<string, number>>;
  readonly preempt: boolean;
}

export interface VrrpClusterOptions {
  readonly group: VrrpGroupSpec;
  /** The speaker per node name; a node can change speaker between runs (`setSpeaker`). */
  readonly speakers: Readonly<Record<string, VrrpSpeaker>>;
  /** How the cluster is labelled in results (default: from the speakers). */
  readonly kind?: DaemonKind;
}

/** The vipd options of a VRRP group: no mesh, the group's `vrrp:` mapping on every node. */
export function vipdVrrpOptions(group: VrrpGroupSpec): VipdClusterOptions {
  return {
    intervalMs: group.intervalMs,
    groups: [
      {
        name: group.name,
        addresses: group.addresses,
        priorities: group.priorities,
        preempt: group.preempt,
        vrrp: { vrid: group.vrid, advertInterval: formatDuration(group.intervalMs) },
      },
    ],
  };
}

/**
 * One VRRP virtual router spoken by keepalived on some nodes and vipd (VRRP mode) on the
 * others, seen as one FailoverCluster so the trials (bring-up, silent death, crash) measure
 * a mixed pair the same way as a pure one. Each node's speaker can be swapped between runs:
 * that is the migration runbook's "replace one node".
 */
export class VrrpCluster implements FailoverCluster {
  readonly kind: DaemonKind;
  readonly startsTogether = false;
  readonly version: string;
  readonly keepalived: KeepalivedCluster;
  /** The instance keepalived runs, for writing a node's keepalived.conf elsewhere. */
  readonly keepalivedGroups: readonly KeepalivedGroup[];
  readonly vipd: VipdCluster;
  private readonly speakers: Map<string, VrrpSpeaker>;

  constructor(
    private readonly lab: Lab,
    private readonly options: VrrpClusterOptions,
  ) {
    const { group } = options;
    this.keepalivedGroups = [
      {
        name: group.name,
        virtualRouterId: group.vrid,
        intervalMs: group.intervalMs,
        priorities: group.priorities,
        addresses: group.addresses,
        preempt: group.preempt,
        unicast: false,
      },
    ];
    this.keepalived = new KeepalivedCluster(lab, this.keepalivedGroups);
    this.vipd = new VipdCluster(lab, vipdVrrpOptions(group));
    this.vipd.writeConfigs();
    this.speakers = new Map(Object.entries(options.speakers));
    const used = new Set(this.speakers.values());
    this.kind = options.kind ?? (used.has('keepalived') ? 'vrrp-mixed' : 'vipd-vrrp');
    this.version = [...used]
      .sort()
      .map((s) => (s === 'vipd' ? `${this.vipd.version} (VRRP)` : this.keepalived.version))
      .join(' + ');
  }

  get group(): VrrpGroupSpec {
    return this.options.group;
  }

  speaker(node: LabHost): VrrpSpeaker {
    return this.speakers.get(node.name) ?? 'vipd';
  }

  /** Runs `speaker` on `node` from its next start (the running daemon is left alone). */
  setSpeaker(node: LabHost, speaker: VrrpSpeaker): void {
    this.speakers.set(node.name, speaker);
  }

  private daemon(node: LabHost): FailoverCluster {
    return this.speaker(node) === 'vipd' ? this.vipd : this.keepalived;
  }

  startNode(node: LabHost): LabProcess {
    return this.daemon(node).startNode(node);
  }

  process(node: LabHost): LabProcess | undefined {
    return this.daemon(node).process(node);
  }

  daemonPids(node: LabHost): number[] {
    return this.daemon(node).daemonPids(node);
  }

  waitUntilBackup(node: LabHost, timeoutMs: number): Promise<void> {
    return this.daemon(node).waitUntilBackup(node, timeoutMs);
  }

  async stopAll(): Promise<void> {
    await Promise.all([this.keepalived.stopAll(), this.vipd.stopAll()]);
    await removeVips(this.lab, this.options.group.addresses);
  }
}
