// What a campaign recorded, as plain data: the checker judges this and nothing else, so a
// history can be saved, replayed through a changed checker, or built by hand in a unit test.
// Times are wall-clock epoch ms (the one clock the prober, tcpdump and `ip -ts` share).
import type { NeighborFrame } from '../src/neighbor-frames.js';
import type { ProbeReply } from '../src/probe-analysis.js';
import type { Fault } from './schedule.js';

/** A fault as it was really applied: when its first command ran and when it was undone. */
export interface AppliedFault {
  readonly fault: Fault;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** Why the nemesis could not apply or undo it fully (e.g. the operator command was refused). */
  readonly note?: string;
}

export interface AddressEvent {
  readonly node: string;
  readonly vip: string;
  readonly atMs: number;
  readonly added: boolean;
}

export interface Transition {
  readonly node: string;
  readonly atMs: number;
  readonly group: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface Holding {
  readonly vip: string;
  readonly node: string;
}

export interface GroupState {
  readonly node: string;
  readonly group: string;
  /** Lower case, as the API says it: "master", "backup", … */
  readonly state: string;
}

/** After a round's settle time: who held what (`ip addr`, sampled) at that moment. */
export interface Checkpoint {
  readonly atMs: number;
  /** When the last node's address list came back (sampling takes a while under load). */
  readonly sampledUntilMs?: number;
  readonly holders: readonly Holding[];
}

export interface History {
  readonly seed: number;
  readonly quorum: boolean;
  readonly originMs: number;
  readonly endMs: number;
  readonly nodes: readonly string[];
  readonly groups: readonly { readonly name: string; readonly vips: readonly string[] }[];
  readonly clientMac: string;
  /** MAC → node name. */
  readonly nodeMacs: Readonly<Record<string, string>>;
  readonly faults: readonly AppliedFault[];
  /** The client's UDP probes, per VIP. */
  readonly probes: readonly { readonly vip: string; readonly replies: readonly ProbeReply[] }[];
  /** ARP requests (arping -b from the client) and every reply, for double answers. */
  readonly arpFrames: readonly NeighborFrame[];
  /** Who held each VIP at `originMs` (sampled), then every add and removal (ip monitor). */
  readonly initialHolders: readonly Holding[];
  readonly addressEvents: readonly AddressEvent[];
  /** Every group's state on every node at `originMs` (API). */
  readonly initialStates: readonly GroupState[];
  /** Every transition the daemons logged after `originMs`. */
  readonly transitions: readonly Transition[];
  readonly checkpoints: readonly Checkpoint[];
}
