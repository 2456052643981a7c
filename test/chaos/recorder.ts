// Records the history while the nemesis works: the client's probes of every VIP, arping's
// double answers, every address add/removal and every logged transition (ClusterWatch),
// sampled address lists at the checkpoints.
import { wallClockMs } from '../src/clock.js';
import { ClusterWatch } from '../src/attacks/cluster-watch.js';
import type { Lab } from '../src/lab.js';
import type { ProbeReply } from '../src/probe-analysis.js';
import { ArpProbe, ClientProber, NeighborCapture } from '../src/probes.js';
import type { VipdCluster } from '../src/vipd-cluster.js';
import type { Checkpoint, GroupState, History, Holding } from './history.js';

export interface RecorderOptions {
  readonly probeIntervalMs: number;
  readonly arpingIntervalMs: number;
}

/** Who holds which of `vips` now, from each node's address list. */
export async function sampleHolders(lab: Lab, vips: readonly string[]): Promise<Holding[]> {
  const lists = await Promise.all(
    lab.nodes.map(async (node) => {
      const { stdout } = await lab.exec(node, ['ip', '-o', 'addr', 'show', 'dev', node.interface]);
      return vips
        .filter((vip) => stdout.includes(` ${vip}/`))
        .map((vip) => ({ vip, node: node.name }));
    }),
  );
  return lists.flat();
}

export class Recorder {
  private readonly probers: ClientProber[] = [];
  private readonly arpings: ArpProbe[] = [];
  private readonly replies = new Map<string, ProbeReply[]>();
  private readonly checkpoints: Checkpoint[] = [];
  private capture: NeighborCapture | undefined;
  watch: ClusterWatch | undefined;
  originMs = 0;
  private initialHolders: Holding[] = [];
  private initialStates: GroupState[] = [];

  constructor(
    private readonly lab: Lab,
    private readonly cluster: VipdCluster,
    private readonly groups: readonly { name: string; vips: readonly string[] }[],
  ) {}

  private get vips(): string[] {
    return this.groups.flatMap((g) => g.vips);
  }

  /** Probes and capture first, so the bring-up is already watched from the client. */
  async startProbes(options: RecorderOptions): Promise<void> {
    this.capture = await NeighborCapture.start(this.lab);
    for (const vip of this.vips) {
      this.replies.set(vip, []);
      this.probers.push(
        await ClientProber.start(this.lab, vip, {
          intervalMs: options.probeIntervalMs,
          gapReportMs: 1_000,
        }),
      );
      if (!vip.includes(':'))
        this.arpings.push(ArpProbe.start(this.lab, vip, options.arpingIntervalMs));
    }
  }

  /** Every VIP answered the client at least once since the probes started. */
  get allAnswered(): boolean {
    return this.probers.every((p) => p.currentResponder !== undefined);
  }

  /** From now on everything counts: samples the starting point, follows daemons and addresses. */
  async begin(): Promise<void> {
    this.watch = await ClusterWatch.start(this.lab, this.cluster, this.lab.nodes, this.vips);
    for (const node of this.lab.nodes) {
      for (const group of this.groups) {
        const state = await this.cluster.groupState(node, group.name);
        this.initialStates.push({ node: node.name, group: group.name, state: state ?? 'unknown' });
      }
    }
    this.initialHolders = await sampleHolders(this.lab, this.vips);
    this.originMs = wallClockMs();
    // The bring-up is not part of the history.
    await this.drainProbes();
    for (const list of this.replies.values()) list.length = 0;
  }

  private async drainProbes(): Promise<void> {
    for (const prober of this.probers) {
      const record = await prober.collect();
      this.replies.get(prober.target)?.push(...record.replies);
    }
  }

  async checkpoint(): Promise<void> {
    const atMs = wallClockMs();
    const holders = await sampleHolders(this.lab, this.vips);
    this.checkpoints.push({ atMs, sampledUntilMs: wallClockMs(), holders });
    // Keep the probers' buffers small on long campaigns.
    await this.drainProbes();
  }

  /** Stops every probe and returns the history (faults added by the caller). */
  async finish(): Promise<Omit<History, 'faults' | 'seed' | 'quorum'>> {
    await this.drainProbes();
    const endMs = wallClockMs();
    await Promise.all(this.arpings.map((a) => a.stop()));
    await Promise.all(this.probers.map((p) => p.stop()));
    await this.capture?.stop();
    await this.watch?.stop();
    const events = this.watch?.events() ?? [];
    return {
      originMs: this.originMs,
      endMs,
      nodes: this.lab.nodes.map((n) => n.name),
      groups: this.groups,
      clientMac: this.lab.client.mac,
      nodeMacs: Object.fromEntries(this.lab.nodes.map((n) => [n.mac, n.name])),
      probes: [...this.replies].map(([vip, replies]) => ({ vip, replies })),
      arpFrames: this.capture?.frames() ?? [],
      initialHolders: this.initialHolders,
      addressEvents: events.flatMap((e) =>
        e.address === undefined || e.atMs < this.originMs
          ? []
          : [{ node: e.node, vip: e.address, atMs: e.atMs, added: e.kind === 'vip-added' }],
      ),
      initialStates: this.initialStates,
      transitions: events.flatMap((e) =>
        e.transition === undefined || e.atMs < this.originMs
          ? []
          : [{ node: e.node, atMs: e.atMs, ...e.transition }],
      ),
      checkpoints: this.checkpoints,
    };
  }
}
