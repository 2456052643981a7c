// Reading a simulated run back: who was master of what and when, where two masters of one
// group overlapped, and whether two nodes could hear each other meanwhile. The property
// tests and the fuzz campaign judge runs with these.
import type { GroupName, NodeId } from '../types.js';
import type { SimLifecycle, SimTransition } from './cluster-simulator.js';
import type { LinkChange } from './network.js';

export interface MasterInterval {
  readonly node: NodeId;
  readonly group: GroupName;
  readonly fromMs: number;
  /** End of mastership (step-down or crash); the run's end if still master. */
  readonly toMs: number;
  readonly epoch: number;
}

export interface MasterOverlap {
  readonly group: GroupName;
  readonly a: MasterInterval;
  readonly b: MasterInterval;
  readonly fromMs: number;
  readonly toMs: number;
}

/** Every stretch of time a node was MASTER of a group, from the transitions and crashes. */
export function masterIntervals(
  transitions: readonly SimTransition[],
  lifecycle: readonly SimLifecycle[],
  endMs: number,
): MasterInterval[] {
  const open = new Map<string, { node: NodeId; group: GroupName; fromMs: number; epoch: number }>();
  const done: MasterInterval[] = [];
  const close = (key: string, atMs: number): void => {
    const o = open.get(key);
    if (o === undefined) return;
    open.delete(key);
    done.push({ ...o, toMs: atMs });
  };
  // Crashes end masterships; both logs share one order, so same-millisecond events (a
  // takeover, then a crash) replay in the order they happened.
  let c = 0;
  const crashesBefore = (order: number): void => {
    for (; c < lifecycle.length && (lifecycle[c]?.order ?? Infinity) < order; c++) {
      const event = lifecycle[c];
      if (event?.kind !== 'crash') continue;
      for (const [key, o] of [...open]) if (o.node === event.node) close(key, event.atMs);
    }
  };
  for (const t of transitions) {
    crashesBefore(t.order);
    const key = `${t.node}\u0000${t.group}`;
    if (t.from === 'MASTER') close(key, t.atMs);
    if (t.to === 'MASTER')
      open.set(key, { node: t.node, group: t.group, fromMs: t.atMs, epoch: t.epoch });
  }
  crashesBefore(Infinity);
  for (const key of [...open.keys()]) close(key, endMs);
  return done.sort((x, y) => x.fromMs - y.fromMs);
}

/** Every pair of masterships of one group by two different nodes that overlap in time. */
export function masterOverlaps(intervals: readonly MasterInterval[]): MasterOverlap[] {
  const overlaps: MasterOverlap[] = [];
  const byGroup = new Map<GroupName, MasterInterval[]>();
  for (const i of intervals) byGroup.set(i.group, [...(byGroup.get(i.group) ?? []), i]);
  for (const [group, list] of byGroup) {
    for (let x = 0; x < list.length; x++) {
      const a = list[x];
      if (a === undefined) continue;
      for (let y = x + 1; y < list.length; y++) {
        const b = list[y];
        if (b === undefined || b.fromMs >= a.toMs) continue;
        if (a.node === b.node) continue;
        const fromMs = Math.max(a.fromMs, b.fromMs);
        const toMs = Math.min(a.toMs, b.toMs);
        if (toMs > fromMs) overlaps.push({ group, a, b, fromMs, toMs });
      }
    }
  }
  return overlaps;
}

export function mastersAt(
  intervals: readonly MasterInterval[],
  group: GroupName,
  atMs: number,
): NodeId[] {
  return intervals
    .filter((i) => i.group === group && i.fromMs <= atMs && atMs < i.toMs)
    .map((i) => i.node)
    .sort();
}

/** Spans of [fromMs, toMs) during which the directed link was reliable (starts reliable). */
export function reliableSpans(
  changes: readonly LinkChange[],
  from: NodeId,
  to: NodeId,
  fromMs: number,
  toMs: number,
): [number, number][] {
  const spans: [number, number][] = [];
  let reliable = true;
  let since = Number.NEGATIVE_INFINITY;
  for (const change of changes) {
    if (change.from !== from || change.to !== to || change.reliable === reliable) continue;
    if (reliable) spans.push([since, change.atMs]);
    reliable = change.reliable;
    since = change.atMs;
  }
  if (reliable) spans.push([since, Number.POSITIVE_INFINITY]);
  return spans
    .map(([a, b]): [number, number] => [Math.max(a, fromMs), Math.min(b, toMs)])
    .filter(([a, b]) => b > a);
}

/** How long, within [fromMs, toMs), both a->b and b->a were reliable. */
export function mutuallyReliableMs(
  changes: readonly LinkChange[],
  a: NodeId,
  b: NodeId,
  fromMs: number,
  toMs: number,
): number {
  const ab = reliableSpans(changes, a, b, fromMs, toMs);
  const ba = reliableSpans(changes, b, a, fromMs, toMs);
  let total = 0;
  for (const [s1, e1] of ab)
    for (const [s2, e2] of ba) total += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
  return total;
}

/** The longest single stretch within [fromMs, toMs) during which a<->b were both reliable. */
export function longestMutuallyReliableMs(
  changes: readonly LinkChange[],
  a: NodeId,
  b: NodeId,
  fromMs: number,
  toMs: number,
): number {
  const ab = reliableSpans(changes, a, b, fromMs, toMs);
  const ba = reliableSpans(changes, b, a, fromMs, toMs);
  let longest = 0;
  for (const [s1, e1] of ab)
    for (const [s2, e2] of ba) longest = Math.max(longest, Math.min(e1, e2) - Math.max(s1, s2));
  return longest;
}
