// What every seeded simulator of nodes on a SimulatedNetwork shares besides its run loop:
// the one random source, the network, and the ways a test cuts, heals and degrades the links
// between the nodes. The cluster simulator here and @vipd/vrrp's link simulator extend it.
import type { NodeId } from '../types.js';
import { EventQueueRunner } from './event-queue-runner.js';
import { DEFAULT_LINK, SimulatedNetwork, type LinkProfile } from './network.js';
import { SeededRandom } from './random.js';

export interface NetworkedSimulatorOptions {
  readonly seed: number;
  /** Default profile of every directed link (delay in ms, loss 0-1). */
  readonly link?: Partial<LinkProfile>;
  /** When each node starts; default 0 for all. */
  readonly startAtMs?: Readonly<Record<NodeId, number>>;
  /** Inject your own random source (otherwise seeded from `seed`). */
  readonly random?: SeededRandom;
}

export abstract class NetworkedSimulator<
  T extends { readonly kind: string },
> extends EventQueueRunner<T> {
  readonly random: SeededRandom;
  readonly network: SimulatedNetwork;

  constructor(options: NetworkedSimulatorOptions, nodeIds: readonly NodeId[]) {
    super();
    this.random = options.random ?? new SeededRandom(options.seed);
    this.network = new SimulatedNetwork(nodeIds, { ...DEFAULT_LINK, ...options.link }, this.random);
  }

  /**
   * Nodes on different sides cannot reach each other at all; a node on no side reaches
   * nobody; a node named on two sides is on the last.
   */
  partition(sides: readonly (readonly NodeId[])[]): void {
    const sideOf = new Map<NodeId, number>();
    sides.forEach((side, i) => {
      for (const id of side) sideOf.set(id, i);
    });
    let lone = sides.length;
    for (const id of this.network.nodeIds) if (!sideOf.has(id)) sideOf.set(id, lone++);
    this.eachLink((from, to) => {
      this.network.setBlocked(from, to, sideOf.get(from) !== sideOf.get(to), this.nowMs);
    });
  }

  /** Messages from `from` to `to` are dropped (or get through again); not the other way. */
  setBlocked(from: NodeId, to: NodeId, blocked: boolean): void {
    this.network.setBlocked(from, to, blocked, this.nowMs);
  }

  /** Every link unblocked; delay and loss profiles stay as they are. */
  heal(): void {
    this.eachLink((from, to) => {
      this.network.setBlocked(from, to, false, this.nowMs);
    });
  }

  setLink(from: NodeId, to: NodeId, profile: Partial<LinkProfile>): void {
    this.network.setProfile(
      from,
      to,
      { ...this.network.profile(from, to), ...profile },
      this.nowMs,
    );
  }

  setAllLinks(profile: Partial<LinkProfile>): void {
    this.eachLink((from, to) => {
      this.setLink(from, to, profile);
    });
  }

  /** Every directed link, in the order the nodes were given. */
  protected eachLink(visit: (from: NodeId, to: NodeId) => void): void {
    for (const from of this.network.nodeIds)
      for (const to of this.network.nodeIds) if (from !== to) visit(from, to);
  }
}
