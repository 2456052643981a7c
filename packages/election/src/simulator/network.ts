// The simulated LAN between nodes: every directed link has a delay range and a loss rate,
// and can be blocked (a partition, or one direction of it). Messages on one link arrive in
// the order they were sent, as on the TCP connection the heartbeat mesh uses.
import type { NodeId } from '../types.js';
import type { SeededRandom } from './random.js';

export interface LinkProfile {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** Probability that one message is lost, 0-1. */
  readonly lossRate: number;
}

export const DEFAULT_LINK: LinkProfile = { minDelayMs: 1, maxDelayMs: 5, lossRate: 0 };

/** A link became reliable (unblocked and lossless) or stopped being so. */
export interface LinkChange {
  readonly atMs: number;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly reliable: boolean;
}

export class SimulatedNetwork {
  private readonly index = new Map<NodeId, number>();
  private readonly profiles: LinkProfile[];
  private readonly blocked: boolean[];
  private readonly lastDeliveryMs: number[];
  readonly changes: LinkChange[] = [];

  constructor(
    readonly nodeIds: readonly NodeId[],
    defaultProfile: LinkProfile,
    private readonly random: SeededRandom,
  ) {
    nodeIds.forEach((id, i) => this.index.set(id, i));
    const links = nodeIds.length * nodeIds.length;
    this.profiles = new Array<LinkProfile>(links).fill(defaultProfile);
    this.blocked = new Array<boolean>(links).fill(false);
    this.lastDeliveryMs = new Array<number>(links).fill(0);
  }

  private link(from: NodeId, to: NodeId): number {
    const a = this.index.get(from);
    const b = this.index.get(to);
    if (a === undefined || b === undefined) throw new RangeError(`no link ${from} -> ${to}`);
    return a * this.nodeIds.length + b;
  }

  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.blocked[this.link(from, to)] === true;
  }

  profile(from: NodeId, to: NodeId): LinkProfile {
    return this.profiles[this.link(from, to)] ?? DEFAULT_LINK;
  }

  /** Unblocked and lossless: every message gets through. */
  reliable(from: NodeId, to: NodeId): boolean {
    const i = this.link(from, to);
    return this.blocked[i] !== true && (this.profiles[i]?.lossRate ?? 0) === 0;
  }

  setBlocked(from: NodeId, to: NodeId, blocked: boolean, nowMs: number): void {
    this.change(from, to, nowMs, () => {
      this.blocked[this.link(from, to)] = blocked;
    });
  }

  setProfile(from: NodeId, to: NodeId, profile: LinkProfile, nowMs: number): void {
    if (profile.minDelayMs < 0 || profile.maxDelayMs < profile.minDelayMs)
      throw new RangeError(`bad delay range ${profile.minDelayMs}-${profile.maxDelayMs}ms`);
    if (profile.lossRate < 0 || profile.lossRate > 1)
      throw new RangeError(`bad loss rate ${profile.lossRate}`);
    this.change(from, to, nowMs, () => {
      this.profiles[this.link(from, to)] = profile;
    });
  }

  private change(from: NodeId, to: NodeId, nowMs: number, apply: () => void): void {
    const before = this.reliable(from, to);
    apply();
    const after = this.reliable(from, to);
    if (before !== after) this.changes.push({ atMs: nowMs, from, to, reliable: after });
  }

  /** When a message sent now arrives, or null when it is blocked or lost. */
  transmit(from: NodeId, to: NodeId, nowMs: number): number | null {
    const i = this.link(from, to);
    const profile = this.profiles[i] ?? DEFAULT_LINK;
    if (this.blocked[i] === true || this.random.chance(profile.lossRate)) return null;
    return this.schedule(i, profile, nowMs);
  }

  /** Like transmit, but TCP retransmits until it gets through (a FIN, a RST). */
  transmitControl(from: NodeId, to: NodeId, nowMs: number): number | null {
    const i = this.link(from, to);
    if (this.blocked[i] === true) return null;
    return this.schedule(i, this.profiles[i] ?? DEFAULT_LINK, nowMs);
  }

  private schedule(i: number, profile: LinkProfile, nowMs: number): number {
    const delay = this.random.between(profile.minDelayMs, profile.maxDelayMs);
    const at = Math.max(nowMs + delay, this.lastDeliveryMs[i] ?? 0);
    this.lastDeliveryMs[i] = at;
    return at;
  }
}
