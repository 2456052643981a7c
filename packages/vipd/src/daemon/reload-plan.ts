// What a reload (SIGHUP) changes, worked out from the running and the new config alone:
// either why it is refused (keys only a restart can change, or a timing step too large for
// a rolling reload), or the groups added, removed and changed and whether the cluster keys
// changed. Pure: the daemon applies it. Peers, the heartbeat interval, the down multiplier
// and the TLS files always go to the mesh, which works out its own changes.

import { isDeepStrictEqual } from 'node:util';
import type { GroupSpec, VipdConfig } from '../config/types.js';

export type ReloadPlan =
  | {
      readonly apply: false;
      /** Config keys (as written in the file) that only a restart can change. */
      readonly restartOnly: readonly string[];
      /** One sentence per refused change: what and why (the log line and the docs say these). */
      readonly reasons: readonly string[];
    }
  | {
      readonly apply: true;
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly changed: readonly string[];
      /** The mesh must sign with, or accept, other keys. */
      readonly keysChanged: boolean;
    };

/** Why each top-level key cannot change without a restart. */
const RESTART_REASONS: Readonly<Record<string, string>> = {
  'node.id': 'every peer and every epoch knows the node by it',
  'node.listen': 'peers dial it; moving the listener would drop every inbound connection',
  'cluster.name': 'every frame is signed for it, so no peer would accept the next one',
  'cluster.heartbeat_datagram':
    'the datagram socket is bound beside the listener at start, and the peers judge liveness by it',
  'cluster.tls':
    'switching TLS on or off changes the listener protocol under the peers (certificate, key and CA files reload)',
  'api.enabled': 'the API listener is opened at start',
  'api.listen': 'the API listener is opened at start',
  'log.format': 'the log stream is set up at start (log.level reloads)',
};

/**
 * A node on the new timing and a peer still on the old one (a rolling reload) must each
 * hear the other at least this many times within its own down deadline, so neither
 * declares the other dead between the two reloads.
 */
export const HEARTBEATS_PER_DEADLINE = 2;

export function planReload(before: VipdConfig, after: VipdConfig): ReloadPlan {
  const restartOnly = restartOnlyChanges(before, after);
  const reasons = [
    ...restartOnly.map((key) => `${key}: ${RESTART_REASONS[key] ?? VRRP_REASON}`),
    ...timingStep(before.cluster, after.cluster),
  ];
  if (reasons.length > 0) return { apply: false, restartOnly, reasons };
  const running = new Map(before.groups.map((g) => [g.name, g]));
  const next = new Set(after.groups.map((g) => g.name));
  return {
    apply: true,
    added: after.groups.filter((g) => !running.has(g.name)).map((g) => g.name),
    removed: [...running.keys()].filter((name) => !next.has(name)),
    changed: after.groups
      .filter((g) => running.has(g.name) && !isDeepStrictEqual(running.get(g.name), g))
      .map((g) => g.name),
    keysChanged: !sameKeys(before.cluster, after.cluster),
  };
}

/** Keys a reload cannot change without restarting the node (they shape the mesh or the API). */
function restartOnlyChanges(before: VipdConfig, after: VipdConfig): string[] {
  const changed: string[] = [];
  if (before.node.id !== after.node.id) changed.push('node.id');
  if (before.node.listen !== after.node.listen) changed.push('node.listen');
  if (before.cluster.name !== after.cluster.name) changed.push('cluster.name');
  if (before.cluster.heartbeatDatagram !== after.cluster.heartbeatDatagram)
    changed.push('cluster.heartbeat_datagram');
  if ((before.cluster.tls === undefined) !== (after.cluster.tls === undefined))
    changed.push('cluster.tls');
  if (before.api.enabled !== after.api.enabled) changed.push('api.enabled');
  if (before.api.listen !== after.api.listen) changed.push('api.listen');
  if (before.log.format !== after.log.format) changed.push('log.format');
  changed.push(...vrrpRestartOnly(before.groups, after.groups));
  return changed;
}

/**
 * During a rolling reload some nodes send on the old interval and wait the old deadline,
 * others the new ones. A step is safe when each side still hears the other
 * HEARTBEATS_PER_DEADLINE times within its deadline; a bigger change takes several reloads
 * (docs/operations.md "Reload").
 */
function timingStep(before: VipdConfig['cluster'], after: VipdConfig['cluster']): string[] {
  const oldDownMs = before.downMultiplier * before.heartbeatIntervalMs;
  const newDownMs = after.downMultiplier * after.heartbeatIntervalMs;
  const fits = (intervalMs: number, downMs: number) =>
    intervalMs * HEARTBEATS_PER_DEADLINE <= downMs;
  const reasons: string[] = [];
  if (!fits(after.heartbeatIntervalMs, oldDownMs))
    reasons.push(
      `cluster.heartbeat_interval: ${after.heartbeatIntervalMs}ms is too long for peers still waiting ` +
        `${oldDownMs}ms (down_multiplier x the old interval) during a rolling reload: they would ` +
        `declare this node dead. Raise down_multiplier on every node first, or lengthen the ` +
        `interval in steps of at most ${oldDownMs / HEARTBEATS_PER_DEADLINE}ms`,
    );
  if (!fits(before.heartbeatIntervalMs, newDownMs))
    reasons.push(
      `cluster.down_multiplier: a ${newDownMs}ms deadline is too short for peers still sending ` +
        `every ${before.heartbeatIntervalMs}ms during a rolling reload: this node would declare ` +
        `them dead. Shorten the interval on every node first, or shrink the deadline in steps`,
    );
  return reasons;
}

const VRRP_REASON =
  "a running virtual router keeps its VRID, link, timing and preempt rules for life (its socket is shared with the link's other groups)";

/**
 * A running virtual router keeps its VRID, link, timing and preempt rules for life, and its
 * socket is shared with the link's other groups: only a restart changes those, adds or
 * removes a VRRP group, or moves a group between the mesh and VRRP. Its priority, trackers,
 * VIPs, hooks and announce settings reload in place.
 */
function vrrpRestartOnly(before: readonly GroupSpec[], after: readonly GroupSpec[]): string[] {
  const running = new Map(before.map((g) => [g.name, g]));
  const next = new Map(after.map((g) => [g.name, g]));
  const changed: string[] = [];
  for (const name of new Set([...running.keys(), ...next.keys()])) {
    const a = running.get(name);
    const b = next.get(name);
    if (a?.vrrp === undefined && b?.vrrp === undefined) continue;
    const where = `groups[${name}]`;
    if (a === undefined || b === undefined) {
      changed.push(`${where} (a VRRP group ${a === undefined ? 'added' : 'removed'})`);
      continue;
    }
    if ((a.vrrp === undefined) !== (b.vrrp === undefined)) {
      changed.push(`${where}.vrrp (mesh <-> VRRP)`);
      continue;
    }
    if (!isDeepStrictEqual(a.vrrp, b.vrrp)) changed.push(`${where}.vrrp`);
    if (a.interface !== b.interface) changed.push(`${where}.interface`);
    if (a.preempt !== b.preempt) changed.push(`${where}.preempt`);
    if (a.preemptDelayMs !== b.preemptDelayMs) changed.push(`${where}.preempt_delay`);
  }
  return changed;
}

/** Whether two configs sign with the same cluster key and accept the same others. */
function sameKeys(before: VipdConfig['cluster'], after: VipdConfig['cluster']): boolean {
  const bytes = (cluster: VipdConfig['cluster']) =>
    [cluster.key, ...cluster.acceptKeys].map((key) => key.reveal());
  const a = bytes(before);
  const b = bytes(after);
  return a.length === b.length && a.every((key, i) => key.equals(b[i] ?? Buffer.alloc(0)));
}
