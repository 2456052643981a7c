// A deterministic cluster: N real Election instances on a virtual clock, wired by a
// simulated network, each driven the way packages/vipd drives it (heartbeat every interval
// and on send-state, a tick whenever arm-timer asks, peer-lost from an emulated mesh).
// Seeded: the same options and the same calls replay the same run, event for event.
import { Election } from '../election.js';
import type {
  ElectionAction,
  ElectionConfig,
  ElectionEvent,
  GroupName,
  GroupState,
  NodeId,
  OperatorCommand,
  PeerGroupState,
  TransitionReason,
} from '../types.js';
import { NetworkedSimulator, type NetworkedSimulatorOptions } from './networked-simulator.js';

export interface ClusterSimulatorOptions extends NetworkedSimulatorOptions {
  /** One config per node; every node's peers must name the others. */
  readonly nodes: readonly ElectionConfig[];
  /** Sees every event just before a node's Election steps on it (recording, replay). */
  readonly onStep?: (node: NodeId, event: ElectionEvent) => void;
}

export interface SimTransition {
  readonly atMs: number;
  /** Position in the run's sequence of transitions, lifecycle events and command results. */
  readonly order: number;
  readonly node: NodeId;
  readonly group: GroupName;
  readonly from: GroupState;
  readonly to: GroupState;
  readonly epoch: number;
  readonly reason: TransitionReason;
  readonly detail: string;
}

export interface SimCommandResult {
  readonly atMs: number;
  /** Position in the run's sequence of transitions, lifecycle events and command results. */
  readonly order: number;
  readonly node: NodeId;
  readonly command: OperatorCommand;
  readonly ok: boolean;
  readonly code?: string;
  readonly message: string;
}

export interface SimLifecycle {
  readonly atMs: number;
  /** Position in the run's sequence of transitions, lifecycle events and command results. */
  readonly order: number;
  readonly node: NodeId;
  readonly kind: 'start' | 'crash' | 'restart';
}

interface HeartbeatMessage {
  readonly from: NodeId;
  readonly incarnation: string;
  readonly groups: Readonly<Record<GroupName, PeerGroupState>>;
  readonly hears: readonly NodeId[];
}

type SimEvent =
  | { readonly kind: 'start'; readonly node: SimNode }
  | { readonly kind: 'heartbeat-timer'; readonly node: SimNode; readonly incarnation: number }
  | {
      readonly kind: 'tick';
      readonly node: SimNode;
      readonly incarnation: number;
      readonly atMs: number;
    }
  | { readonly kind: 'deliver'; readonly to: SimNode; readonly message: HeartbeatMessage }
  | {
      readonly kind: 'peer-lost';
      readonly to: SimNode;
      readonly peer: NodeId;
      readonly reason: 'silent' | 'closed';
    };

class SimNode {
  election: Election | null = null;
  /** 0 before the first start; +1 on every (re)start. */
  incarnation = 0;
  armedAtMs: number | null = null;
  /** The emulated mesh: when each peer was last heard, and whether it is reported up. */
  readonly lastReceivedMs = new Map<NodeId, number>();
  readonly meshUp = new Set<NodeId>();

  constructor(
    readonly id: NodeId,
    public config: ElectionConfig,
  ) {}

  get incarnationId(): string {
    return `${this.id}#${this.incarnation}`;
  }
}

export class ClusterSimulator extends NetworkedSimulator<SimEvent> {
  readonly transitions: SimTransition[] = [];
  readonly commandResults: SimCommandResult[] = [];
  readonly lifecycle: SimLifecycle[] = [];
  /** Election.step calls so far: the benchmark's unit of work. */
  eventsProcessed = 0;

  private readonly nodes = new Map<NodeId, SimNode>();
  private pendingCommand: OperatorCommand | null = null;
  private order = 0;
  private readonly onStep: ((node: NodeId, event: ElectionEvent) => void) | undefined;

  constructor(options: ClusterSimulatorOptions) {
    const ids = options.nodes.map((c) => c.nodeId);
    super(options, ids);
    this.onStep = options.onStep;
    if (new Set(ids).size !== ids.length)
      throw new RangeError('duplicate node ids in the simulated cluster');
    for (const config of options.nodes) {
      for (const peer of config.peers)
        if (!ids.includes(peer))
          throw new RangeError(`${config.nodeId} names unknown peer ${peer}`);
      this.nodes.set(config.nodeId, new SimNode(config.nodeId, config));
    }
    for (const node of this.nodes.values())
      this.schedule(options.startAtMs?.[node.id] ?? 0, { kind: 'start', node });
  }

  nodeIds(): NodeId[] {
    return [...this.nodes.keys()];
  }

  /** The node's live Election, or null while it is down (or not started yet). */
  election(id: NodeId): Election | null {
    return this.node(id).election;
  }

  isUp(id: NodeId): boolean {
    return this.node(id).election !== null;
  }

  config(id: NodeId): ElectionConfig {
    return this.node(id).config;
  }

  /** The group's state on a node, or 'DOWN' while the node is down. */
  state(id: NodeId, group: GroupName): GroupState | 'DOWN' {
    const election = this.node(id).election;
    if (election === null) return 'DOWN';
    return election.status().groups.find((g) => g.name === group)?.state ?? 'DOWN';
  }

  /** Nodes that are MASTER of the group right now. */
  masters(group: GroupName): NodeId[] {
    return this.nodeIds().filter((id) => this.state(id, group) === 'MASTER');
  }

  // ---- what can happen to the cluster (links: NetworkedSimulator) ----

  /** Asymmetric partition: messages from `from` nodes to `to` nodes are dropped, not back. */
  blockOneWay(from: readonly NodeId[], to: readonly NodeId[]): void {
    for (const a of from)
      for (const b of to) if (a !== b) this.network.setBlocked(a, b, true, this.nowMs);
  }

  /**
   * Stops a node. 'process': the process died, the kernel closes its connections, so
   * peers get 'closed' (if the FIN can reach them). 'host': power off, peers hear silence.
   */
  crash(id: NodeId, how: 'process' | 'host' = 'process'): void {
    const node = this.node(id);
    if (node.election === null) return;
    node.election = null;
    node.armedAtMs = null;
    node.meshUp.clear();
    node.lastReceivedMs.clear();
    this.lifecycle.push({ atMs: this.nowMs, order: this.order++, node: id, kind: 'crash' });
    if (how === 'host') return;
    for (const peer of node.config.peers) {
      const at = this.network.transmitControl(id, peer, this.nowMs);
      if (at !== null)
        this.schedule(at, { kind: 'peer-lost', to: this.node(peer), peer: id, reason: 'closed' });
    }
  }

  /** Starts a crashed node again: a new process, a new incarnation, an empty memory. */
  restart(id: NodeId, config?: ElectionConfig): void {
    const node = this.node(id);
    if (node.election !== null) return;
    if (config !== undefined) node.config = config;
    this.boot(node, 'restart');
  }

  /** The TCP connection between two live nodes is reset; the mesh reconnects at once. */
  cutConnection(a: NodeId, b: NodeId): void {
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const node = this.node(to);
      if (node.election === null) continue;
      node.meshUp.delete(from);
      this.schedule(this.nowMs, { kind: 'peer-lost', to: node, peer: from, reason: 'closed' });
    }
  }

  /** An operator command on a node, now. Returns its result (undefined if the node is down). */
  command(id: NodeId, command: OperatorCommand): SimCommandResult | undefined {
    const node = this.node(id);
    if (node.election === null) return undefined;
    const before = this.commandResults.length;
    this.pendingCommand = command;
    this.stepNode(node, {
      type: 'operator',
      nowMs: this.nowMs,
      commandId: `${id}-${before}`,
      operator: command,
    });
    this.pendingCommand = null;
    return this.commandResults[before];
  }

  tracker(
    id: NodeId,
    trackerId: string,
    group: GroupName,
    weightDelta: number,
    fault: boolean,
  ): void {
    const node = this.node(id);
    if (node.election === null) return;
    this.stepNode(node, {
      type: 'tracker',
      nowMs: this.nowMs,
      trackerId,
      group,
      weightDelta,
      fault,
    });
  }

  /** SIGHUP with a new config. */
  reconfigure(id: NodeId, config: ElectionConfig): void {
    const node = this.node(id);
    node.config = config;
    if (node.election === null) return;
    this.eventsProcessed++;
    this.apply(node, node.election.reconfigure(config, this.nowMs));
  }

  // ---- the driver of each node ----

  private node(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new RangeError(`no node ${id} in the simulated cluster`);
    return node;
  }

  private boot(node: SimNode, kind: 'start' | 'restart'): void {
    node.incarnation++;
    node.election = new Election(node.config, this.nowMs);
    node.armedAtMs = null;
    this.lifecycle.push({ atMs: this.nowMs, order: this.order++, node: node.id, kind });
    this.stepNode(node, { type: 'tick', nowMs: this.nowMs });
    // Heartbeat timers of different nodes are not in phase.
    const phase = this.random.between(0, node.config.heartbeatIntervalMs);
    this.schedule(this.nowMs + phase, {
      kind: 'heartbeat-timer',
      node,
      incarnation: node.incarnation,
    });
  }

  protected override dispatch(event: SimEvent): void {
    switch (event.kind) {
      case 'start':
        // An early restart() may have started it already.
        if (event.node.election === null && event.node.incarnation === 0)
          this.boot(event.node, 'start');
        return;
      case 'heartbeat-timer': {
        const node = event.node;
        if (node.election === null || node.incarnation !== event.incarnation) return;
        this.broadcast(node);
        this.detectSilence(node);
        this.schedule(this.nowMs + node.config.heartbeatIntervalMs, event);
        return;
      }
      case 'tick': {
        const node = event.node;
        if (
          node.election === null ||
          node.incarnation !== event.incarnation ||
          node.armedAtMs !== event.atMs
        )
          return;
        node.armedAtMs = null;
        this.stepNode(node, { type: 'tick', nowMs: this.nowMs });
        return;
      }
      case 'deliver': {
        const node = event.to;
        if (node.election === null) return;
        const message = event.message;
        node.lastReceivedMs.set(message.from, this.nowMs);
        node.meshUp.add(message.from);
        this.stepNode(node, {
          type: 'heartbeat',
          nowMs: this.nowMs,
          from: message.from,
          incarnation: message.incarnation,
          groups: message.groups,
          hears: message.hears,
        });
        return;
      }
      case 'peer-lost': {
        const node = event.to;
        if (node.election === null) return;
        node.meshUp.delete(event.peer);
        this.stepNode(node, {
          type: 'peer-lost',
          nowMs: this.nowMs,
          peer: event.peer,
          reason: event.reason,
        });
        return;
      }
    }
  }

  /** The mesh reports a peer down after downMultiplier x interval of silence. */
  private detectSilence(node: SimNode): void {
    const downAfterMs = node.config.downMultiplier * node.config.heartbeatIntervalMs;
    for (const peer of [...node.meshUp]) {
      const last = node.lastReceivedMs.get(peer);
      if (last !== undefined && this.nowMs - last >= downAfterMs) {
        node.meshUp.delete(peer);
        this.schedule(this.nowMs, { kind: 'peer-lost', to: node, peer, reason: 'silent' });
      }
    }
  }

  private stepNode(node: SimNode, event: ElectionEvent): void {
    const election = node.election;
    if (election === null) return;
    this.eventsProcessed++;
    this.onStep?.(node.id, event);
    this.apply(node, election.step(event));
  }

  private apply(node: SimNode, actions: readonly ElectionAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'transition':
          this.transitions.push({
            atMs: this.nowMs,
            order: this.order++,
            node: node.id,
            group: action.group,
            from: action.from,
            to: action.to,
            epoch: action.epoch,
            reason: action.reason,
            detail: action.detail,
          });
          break;
        case 'send-state':
          this.broadcast(node);
          break;
        case 'arm-timer':
          node.armedAtMs = action.atMs;
          this.schedule(action.atMs, {
            kind: 'tick',
            node,
            incarnation: node.incarnation,
            atMs: action.atMs,
          });
          break;
        case 'command-result': {
          const command = this.pendingCommand;
          if (command === null) throw new Error('command-result without a command');
          this.commandResults.push({
            atMs: this.nowMs,
            order: this.order++,
            node: node.id,
            command,
            ok: action.ok,
            ...(action.code === undefined ? {} : { code: action.code }),
            message: action.message,
          });
          break;
        }
      }
    }
  }

  private broadcast(node: SimNode): void {
    const election = node.election;
    if (election === null) return;
    const message: HeartbeatMessage = {
      from: node.id,
      incarnation: node.incarnationId,
      groups: election.localState(),
      hears: election.hearing(),
    };
    for (const peer of node.config.peers) {
      const at = this.network.transmit(node.id, peer, this.nowMs);
      const to = this.nodes.get(peer);
      if (at !== null && to !== undefined) this.schedule(at, { kind: 'deliver', to, message });
    }
  }
}
