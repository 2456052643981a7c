// What a reload (SIGHUP) changes, worked out from the running and the new config alone:
// either the keys that need a restart instead (the reload is refused), or the groups added,
// removed and changed and whether the cluster keys changed. Pure: the daemon applies it.

import { isDeepStrictEqual } from 'node:util';
import type { GroupSpec, VipdConfig } from '../config/types.js';

export type ReloadPlan =
  | {
      readonly apply: false;
      /** Config keys (as written in the file) that only a restart can change. */
      readonly restartOnly: readonly string[];
    }
  | {
      readonly apply: true;
      readonly added: readonly string[];
      readonly removed: readonly string[];
      readonly changed: readonly string[];
      /** The mesh must sign with, or accept, other keys. */
      readonly keysChanged: boolean;
    };

export function planReload(before: VipdConfig, after: VipdConfig): ReloadPlan {
  const restartOnly = restartOnlyChanges(before, after);
  if (restartOnly.length > 0) return { apply: false, restartOnly };
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
  const same = (a: unknown, b: unknown) => isDeepStrictEqual(a, b);
  if (before.node.id !== after.node.id) changed.push('node.id');
  if (before.node.listen !== after.node.listen) changed.push('node.listen');
  if (before.cluster.name !== after.cluster.name) changed.push('cluster.name');
  if (!same(before.cluster.tls, after.cluster.tls)) changed.push('cluster.tls');
  if (!same(before.cluster.peers, after.cluster.peers)) changed.push('cluster.peers');
  if (before.cluster.heartbeatIntervalMs !== after.cluster.heartbeatIntervalMs)
    changed.push('cluster.heartbeat_interval');
  if (before.cluster.downMultiplier !== after.cluster.downMultiplier)
    changed.push('cluster.down_multiplier');
  if (before.api.enabled !== after.api.enabled) changed.push('api.enabled');
  if (before.api.listen !== after.api.listen) changed.push('api.listen');
  if (before.log.format !== after.log.format) changed.push('log.format');
  changed.push(...vrrpRestartOnly(before.groups, after.groups));
  return changed;
}

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
