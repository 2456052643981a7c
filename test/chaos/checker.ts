// Judges a recorded history against the bounds (bounds.ts, docs/chaos.md): two owners of a
// VIP, no owner, VIPs left on a non-master once converged, transitions whose reason no
// injected fault explains. Pure: the same history always gives the same verdict.
import { doubleAnswerWindows } from '../src/neighbor-frames.js';
import { outages } from '../src/probe-analysis.js';
import { aftermathMs, CUTS_EVERY_PATH, STOPS_THE_DAEMON, type Bounds } from './bounds.js';
import type { AppliedFault, Checkpoint, History, Transition } from './history.js';
import type { FaultKind } from './schedule.js';

export type FindingKind = 'dual-owner' | 'no-owner' | 'not-converged' | 'unexplained-transition';

/** One interval (or instant) the checker found, with the faults around it. */
export interface Finding {
  readonly kind: FindingKind;
  readonly vip?: string;
  readonly nodes: readonly string[];
  readonly fromMs: number;
  readonly toMs: number;
  /** 'held': on two interfaces (ip monitor); 'answered': two ARP replies (arping). */
  readonly source?: 'held' | 'answered' | 'probe' | 'log' | 'sample';
  /** The ids of the faults whose window covers it. */
  readonly faultIds: readonly number[];
  readonly violation: boolean;
  readonly why: string;
}

export interface Verdict {
  readonly findings: readonly Finding[];
  readonly violations: readonly Finding[];
  /** Checkpoints sampled, and those judged (no fault or aftermath over them, no group moving). */
  readonly checkpoints: { readonly sampled: number; readonly judged: number };
}

function window(applied: AppliedFault, bounds: Bounds): { fromMs: number; toMs: number } {
  return {
    fromMs: applied.startedAtMs,
    toMs: applied.endedAtMs + aftermathMs(applied.fault.kind, bounds),
  };
}

function covering(history: History, bounds: Bounds, fromMs: number, toMs: number): AppliedFault[] {
  return history.faults.filter((f) => {
    const w = window(f, bounds);
    return w.fromMs <= toMs && fromMs <= w.toMs;
  });
}

interface Owned {
  readonly vip: string;
  readonly nodes: readonly string[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly source: 'held' | 'answered';
}

/** Intervals in which two or more nodes had the VIP on their interface. */
export function heldTwice(history: History): Owned[] {
  const found: Owned[] = [];
  for (const vip of history.groups.flatMap((g) => g.vips)) {
    const holders = new Set(history.initialHolders.filter((h) => h.vip === vip).map((h) => h.node));
    let open: { fromMs: number; nodes: Set<string> } | undefined;
    const events = history.addressEvents
      .filter((e) => e.vip === vip)
      .sort((a, b) => a.atMs - b.atMs);
    const step = (atMs: number): void => {
      if (holders.size >= 2) {
        open ??= { fromMs: atMs, nodes: new Set() };
        for (const node of holders) open.nodes.add(node);
      } else if (open !== undefined) {
        found.push({
          vip,
          nodes: [...open.nodes].sort(),
          fromMs: open.fromMs,
          toMs: atMs,
          source: 'held',
        });
        open = undefined;
      }
    };
    step(history.originMs);
    for (const event of events) {
      if (event.added) holders.add(event.node);
      else holders.delete(event.node);
      step(event.atMs);
    }
    if (open !== undefined) {
      found.push({
        vip,
        nodes: [...open.nodes].sort(),
        fromMs: open.fromMs,
        toMs: history.endMs,
        source: 'held',
      });
    }
  }
  return found;
}

/** Intervals in which two MACs answered the client's ARP requests for an IPv4 VIP. */
export function answeredTwice(history: History): Owned[] {
  return history.groups
    .flatMap((g) => g.vips)
    .filter((vip) => !vip.includes(':'))
    .flatMap((vip) =>
      doubleAnswerWindows(history.arpFrames, vip, history.clientMac).map((w) => ({
        vip,
        nodes: w.macs.map((mac) => history.nodeMacs[mac] ?? mac),
        fromMs: w.fromMs,
        toMs: w.toMs,
        source: 'answered' as const,
      })),
    );
}

/**
 * Until when a fault may leave two owners, once it ended. With the quorum guard a running
 * daemon fences within D, so only a daemon that was not running gets a window (D after it
 * runs again); without it, two owners last while every path is cut and until they hear each
 * other again.
 */
function dualAllowedUntil(
  applied: AppliedFault,
  bounds: Bounds,
  quorum: boolean,
): number | undefined {
  const kind = applied.fault.kind;
  if (kind === 'kill') return applied.endedAtMs + bounds.restartMs;
  if (quorum) return STOPS_THE_DAEMON.has(kind) ? applied.endedAtMs + bounds.fencingMs : undefined;
  if (!CUTS_EVERY_PATH.has(kind)) return undefined;
  return applied.endedAtMs + bounds.rehearMs + bounds.handoverOverlapMs;
}

function judgeDual(history: History, bounds: Bounds, owned: Owned): Finding {
  const lengthMs = owned.toMs - owned.fromMs;
  const faults = covering(history, bounds, owned.fromMs, owned.toMs);
  const faultIds = faults.map((f) => f.fault.id);
  const base = {
    kind: 'dual-owner' as const,
    vip: owned.vip,
    nodes: owned.nodes,
    fromMs: owned.fromMs,
    toMs: owned.toMs,
    source: owned.source,
    faultIds,
  };
  const limitMs = history.quorum ? bounds.fencingMs : bounds.handoverOverlapMs;
  if (lengthMs <= limitMs) {
    return { ...base, violation: false, why: `${Math.round(lengthMs)} ms ≤ ${limitMs} ms` };
  }
  const excuse = faults.find((f) => {
    const until = dualAllowedUntil(f, bounds, history.quorum);
    return until !== undefined && owned.nodes.includes(f.fault.target) && owned.toMs <= until;
  });
  if (excuse !== undefined) {
    return {
      ...base,
      violation: false,
      why: `during fault #${excuse.fault.id} (${excuse.fault.kind} ${excuse.fault.target}) and its allowance`,
    };
  }
  return {
    ...base,
    violation: true,
    why: `${Math.round(lengthMs)} ms of two owners, over the ${limitMs} ms bound${history.quorum ? ' (self-fencing)' : ' (handover overlap)'} and not excused by a fault that cuts every path between them`,
  };
}

function judgeOutages(history: History, bounds: Bounds): Finding[] {
  return history.probes.flatMap(({ vip, replies }) =>
    outages(replies, bounds.outageFloorMs, history.endMs).map((gap) => {
      const faults = covering(history, bounds, gap.fromMs, gap.toMs);
      const excuse = faults.find(
        (f) =>
          gap.fromMs >= f.startedAtMs - bounds.outageFloorMs && gap.toMs <= window(f, bounds).toMs,
      );
      const lengthMs = Math.round(gap.gapMs);
      return {
        kind: 'no-owner' as const,
        vip,
        nodes: [gap.nodeBefore, gap.nodeAfter].filter((n) => n !== ''),
        fromMs: gap.fromMs,
        toMs: gap.toMs,
        source: 'probe' as const,
        faultIds: faults.map((f) => f.fault.id),
        violation: excuse === undefined,
        why:
          excuse === undefined
            ? `${lengthMs} ms without an answer, not within a fault or ${bounds.recoveryMs} ms (detection + takeover) after one ended`
            : `${lengthMs} ms, during fault #${excuse.fault.id} (${excuse.fault.kind}) or its recovery`,
      };
    }),
  );
}

/**
 * Reasons that only given fault kinds, on the transitioning node itself, explain. A link
 * flap shows as a tracker fault: the group tracks its interface's carrier.
 */
const REASON_FAULT: Readonly<Record<string, readonly FaultKind[] | 'never'>> = {
  'tracker-fault': ['tracker', 'flap'],
  'tracker-recovered': ['tracker', 'flap'],
  'maintenance-on': ['operator'],
  'maintenance-off': ['operator'],
  'forced-takeover': ['operator'],
  released: ['operator'],
  reconfigured: ['reload'],
  startup: ['kill'],
  resign: 'never',
};

function judgeTransition(history: History, bounds: Bounds, t: Transition): Finding {
  const faults = covering(history, bounds, t.atMs, t.atMs);
  const base = {
    kind: 'unexplained-transition' as const,
    nodes: [t.node],
    fromMs: t.atMs,
    toMs: t.atMs,
    source: 'log' as const,
    faultIds: faults.map((f) => f.fault.id),
  };
  const label = `${t.node} ${t.group}: ${t.from} -> ${t.to} (${t.reason})`;
  const needs = REASON_FAULT[t.reason];
  let explained: boolean;
  if (needs === 'never') explained = false;
  else if (needs !== undefined)
    explained = faults.some((f) => needs.includes(f.fault.kind) && f.fault.target === t.node);
  else if (t.reason.startsWith('quorum-')) explained = history.quorum && faults.length > 0;
  else explained = faults.length > 0;
  return {
    ...base,
    violation: !explained,
    why: explained
      ? `${label}: explained by ${faults.map((f) => `#${f.fault.id} ${f.fault.kind}`).join(', ')}`
      : `${label}: no injected fault ${needs === undefined ? 'was active' : `of kind ${String(needs)} on ${t.node}`} to explain it`,
  };
}

function stateAt(history: History, node: string, group: string, atMs: number): string | undefined {
  const last = history.transitions
    .filter((t) => t.node === node && t.group === group && t.atMs <= atMs)
    .at(-1);
  if (last !== undefined) return last.to.toLowerCase();
  return history.initialStates.find((s) => s.node === node && s.group === group)?.state;
}

type Group = History['groups'][number];

interface Divergence {
  readonly vip?: string;
  readonly nodes: readonly string[];
  readonly why: string;
}

/** What is wrong with a group at a checkpoint: not one master, a stray or a missing VIP. */
function divergences(history: History, group: Group, checkpoint: Checkpoint): Divergence[] {
  const found: Divergence[] = [];
  const masters = history.nodes.filter(
    (n) => stateAt(history, n, group.name, checkpoint.atMs) === 'master',
  );
  if (masters.length !== 1)
    found.push({
      nodes: masters,
      why: `group ${group.name} has ${masters.length} masters after convergence (${masters.join(', ') || 'none'})`,
    });
  for (const vip of group.vips) {
    const held = checkpoint.holders.filter((h) => h.vip === vip).map((h) => h.node);
    const strays = held.filter((n) => !masters.includes(n));
    if (strays.length > 0)
      found.push({
        vip,
        nodes: strays,
        why: `${vip} is on ${strays.join(', ')}, which is not master of ${group.name}`,
      });
    if (masters.length === 1 && !held.includes(masters[0]!))
      found.push({
        vip,
        nodes: masters,
        why: `${vip} is not on ${masters[0]!}, the master of ${group.name}`,
      });
  }
  return found;
}

/**
 * Why a group's sample at a checkpoint says nothing about convergence, if it does not.
 *
 * A fault or its aftermath covers it: the checkpoint's time is fixed by the schedule, but a
 * fault can outlast its drawn duration (a kill lasts until the restarted daemon logs its
 * start, seconds on a loaded machine), and until then the dead daemon's last logged state
 * (often MASTER) and the VIPs the kernel keeps for it say nothing about convergence.
 *
 * Or the group moved while it was sampled: `ip addr` starts in every node's namespace, and
 * under load the last may run hundreds of ms after the checkpoint's time, so the sample mixes
 * the group before and after; the move itself is judged (a transition no fault explains is a
 * violation of its own).
 */
function notJudged(
  history: History,
  bounds: Bounds,
  group: Group,
  checkpoint: Checkpoint,
): { reason: string; faultIds: number[] } | undefined {
  const untilMs = checkpoint.sampledUntilMs ?? checkpoint.atMs;
  const active = covering(history, bounds, checkpoint.atMs, untilMs);
  const faultIds = active.map((f) => f.fault.id);
  if (active.length > 0)
    return {
      reason: `sampled during ${active.map((f) => `#${f.fault.id} ${f.fault.kind} ${f.fault.target}`).join(', ')} or its aftermath`,
      faultIds,
    };
  const within = (atMs: number): boolean => atMs >= checkpoint.atMs && atMs <= untilMs;
  const moved =
    history.transitions.some((t) => t.group === group.name && within(t.atMs)) ||
    history.addressEvents.some((e) => group.vips.includes(e.vip) && within(e.atMs));
  if (moved)
    return {
      reason: `${group.name} changed while it was sampled (${Math.round(untilMs - checkpoint.atMs)} ms)`,
      faultIds,
    };
  return undefined;
}

/** Samples that are not judged are kept as findings, not as violations. */
function judgeCheckpoints(history: History, bounds: Bounds): Finding[] {
  return history.checkpoints.flatMap((checkpoint) =>
    history.groups.flatMap((group) => {
      const skip = notJudged(history, bounds, group, checkpoint);
      return divergences(history, group, checkpoint).map((d) => ({
        kind: 'not-converged' as const,
        ...d,
        fromMs: checkpoint.atMs,
        toMs: checkpoint.sampledUntilMs ?? checkpoint.atMs,
        source: 'sample' as const,
        faultIds: skip?.faultIds ?? [],
        violation: skip === undefined,
        why: skip === undefined ? d.why : `${d.why} (not judged: ${skip.reason})`,
      }));
    }),
  );
}

export function check(history: History, bounds: Bounds): Verdict {
  const findings = [
    ...[...heldTwice(history), ...answeredTwice(history)]
      .filter((o) => o.toMs >= history.originMs)
      .map((o) => judgeDual(history, bounds, o)),
    ...judgeOutages(history, bounds),
    ...history.transitions
      .filter((t) => t.atMs >= history.originMs)
      .map((t) => judgeTransition(history, bounds, t)),
    ...judgeCheckpoints(history, bounds),
  ].sort((a, b) => a.fromMs - b.fromMs);
  const judged = history.checkpoints.filter((c) =>
    history.groups.every((g) => notJudged(history, bounds, g, c) === undefined),
  ).length;
  return {
    findings,
    violations: findings.filter((f) => f.violation),
    checkpoints: { sampled: history.checkpoints.length, judged },
  };
}
