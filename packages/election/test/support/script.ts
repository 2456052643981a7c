// Helpers to drive one Election by hand: configs, heartbeats from imaginary peers, and a
// script runner that replays events and checks the transitions each one produced.
import assert from 'node:assert/strict';
import { Election } from '../../src/election.js';
import type {
  ElectionAction,
  ElectionConfig,
  ElectionEvent,
  GroupConfig,
  GroupState,
  NodeId,
  OperatorCommand,
  PeerGroupState,
  RefusalCode,
  TransitionReason,
} from '../../src/types.js';

export const INTERVAL_MS = 100;
export const DOWN_MULTIPLIER = 3;
export const DOWN_AFTER_MS = INTERVAL_MS * DOWN_MULTIPLIER;

export function group(
  name: string,
  priority: number,
  extra: Partial<GroupConfig> = {},
): GroupConfig {
  return { name, priority, preempt: true, preemptDelayMs: 0, ...extra };
}

export function config(
  nodeId: NodeId,
  peers: readonly NodeId[],
  groups: readonly GroupConfig[],
  extra: Partial<ElectionConfig> = {},
): ElectionConfig {
  return {
    nodeId,
    peers,
    heartbeatIntervalMs: INTERVAL_MS,
    downMultiplier: DOWN_MULTIPLIER,
    quorum: false,
    groups,
    ...extra,
  };
}

/** [priority, state, epoch, master?] per group, the way a peer's heartbeat carries it. */
export type Advert =
  readonly [number, GroupState, number] | readonly [number, GroupState, number, NodeId | null];

export function heartbeat(
  nowMs: number,
  from: NodeId,
  groups: Readonly<Record<string, Advert>>,
  options: { incarnation?: string; hears?: readonly NodeId[] } = {},
): ElectionEvent {
  const decoded: Record<string, PeerGroupState> = {};
  for (const [name, [priority, state, epoch, master]] of Object.entries(groups))
    decoded[name] =
      master === undefined ? { priority, state, epoch } : { priority, state, epoch, master };
  return {
    type: 'heartbeat',
    nowMs,
    from,
    incarnation: options.incarnation ?? `${from}#1`,
    groups: decoded,
    ...(options.hears === undefined ? {} : { hears: options.hears }),
  };
}

export function tick(nowMs: number): ElectionEvent {
  return { type: 'tick', nowMs };
}

export function operator(nowMs: number, command: OperatorCommand, commandId = 'c1'): ElectionEvent {
  return { type: 'operator', nowMs, commandId, operator: command };
}

export function tracker(
  nowMs: number,
  trackerId: string,
  groupName: string,
  weightDelta: number,
  fault = false,
): ElectionEvent {
  return { type: 'tracker', nowMs, trackerId, group: groupName, weightDelta, fault };
}

export function peerLost(nowMs: number, peer: NodeId, reason: 'silent' | 'closed'): ElectionEvent {
  return { type: 'peer-lost', nowMs, peer, reason };
}

export type Transition = Extract<ElectionAction, { type: 'transition' }>;

export function transitionsOf(actions: readonly ElectionAction[]): Transition[] {
  return actions.filter((a): a is Transition => a.type === 'transition');
}

/** `group:FROM->TO(reason)`: compact enough to read a scenario's expectations at a glance. */
export function describeTransition(t: Transition): string {
  return `${t.group}:${t.from}->${t.to}(${t.reason})`;
}

export interface ScriptLine {
  readonly event: ElectionEvent;
  /** Exactly these transitions, in order, as `group:FROM->TO(reason)`. */
  readonly transitions?: readonly string[];
  /** Epoch carried by every transition of this line. */
  readonly epoch?: number;
  readonly sendsState?: boolean;
  readonly armsTimerAt?: number;
  readonly result?: { readonly ok: boolean; readonly code?: RefusalCode };
  /** Extra checks on the election after the line. */
  readonly then?: (election: Election, actions: readonly ElectionAction[]) => void;
}

/** Replays the script; a line without `transitions` expects none. */
export function replay(election: Election, script: readonly ScriptLine[]): void {
  script.forEach((line, index) => {
    const actions = election.step(line.event);
    const where = `line ${index} (${line.event.type} at ${line.event.nowMs}ms)`;
    const transitions = transitionsOf(actions);
    assert.deepEqual(
      transitions.map(describeTransition),
      line.transitions ?? [],
      `${where}: transitions`,
    );
    if (line.epoch !== undefined)
      for (const t of transitions)
        assert.equal(t.epoch, line.epoch, `${where}: epoch of ${describeTransition(t)}`);
    if (line.sendsState !== undefined)
      assert.equal(
        actions.some((a) => a.type === 'send-state'),
        line.sendsState,
        `${where}: send-state`,
      );
    if (line.armsTimerAt !== undefined)
      assert.deepEqual(
        actions.filter((a) => a.type === 'arm-timer').map((a) => a.atMs),
        [line.armsTimerAt],
        `${where}: arm-timer`,
      );
    if (line.result !== undefined) {
      const result = actions.find((a) => a.type === 'command-result');
      assert.ok(result, `${where}: expected a command-result`);
      assert.equal(result.ok, line.result.ok, `${where}: ok (${result.message})`);
      assert.equal(result.code, line.result.code, `${where}: refusal code (${result.message})`);
    }
    line.then?.(election, actions);
  });
}

export function advertOf(election: Election, name: string): PeerGroupState {
  const advert = election.localState()[name];
  assert.ok(advert, `no advert for ${name}`);
  return advert;
}

export function reasonsOf(actions: readonly ElectionAction[]): TransitionReason[] {
  return transitionsOf(actions).map((t) => t.reason);
}

/** Script lines for a heartbeat from `from` every interval in [fromMs, toMs). */
export function every(
  fromMs: number,
  toMs: number,
  make: (atMs: number) => ElectionEvent,
  stepMs = INTERVAL_MS,
): ScriptLine[] {
  const lines: ScriptLine[] = [];
  for (let at = fromMs; at < toMs; at += stepMs) lines.push({ event: make(at) });
  return lines;
}

/** Merges script lines from several sources into time order (stable for equal times). */
export function merge(...sources: readonly (readonly ScriptLine[])[]): ScriptLine[] {
  return sources.flat().sort((a, b) => a.event.nowMs - b.event.nowMs);
}
