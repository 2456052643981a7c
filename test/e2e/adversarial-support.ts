// Shared by the adversarial scenarios (docs/security.md): a two-node vipd cluster at 100 ms
// heartbeats with no quorum guard — n1 master (priority 150), n2 backup (100) — the
// configuration in which a one-way split shows as two masters. The attacker holds no key;
// it reaches the heartbeat ports from the client namespace and the API from inside a node.
import assert from 'node:assert/strict';
import type { Lab, LabHost } from '../src/lab.js';
import { ClusterWatch, formatEvents } from '../src/attacks/cluster-watch.js';
import { bringUp } from '../src/trials.js';
import type { VipdClusterOptions } from '../src/vipd-cluster.js';
import { hasAddress, sleep, vip4Address, wallClockMs, type Scenario } from './support.js';

export const INTERVAL_MS = 100;
export const DOWN_MULTIPLIER = 3;
/** The mesh's default: max(1000, down_multiplier × interval). */
export const AUTH_TIMEOUT_MS = Math.max(1_000, DOWN_MULTIPLIER * INTERVAL_MS);
/** How long the watch goes on after an attack ends: a late effect is still an effect. */
export const TAIL_MS = 1_000;
/** Room for a loaded 2-core machine on top of a bound the node itself promises. */
export const SLACK_MS = 1_500;

export function pairCluster(lab: Lab): VipdClusterOptions {
  return {
    intervalMs: INTERVAL_MS,
    downMultiplier: DOWN_MULTIPLIER,
    quorum: false,
    groups: [{ name: 'web', addresses: [vip4Address(lab)], priorities: { n1: 150, n2: 100 } }],
  };
}

export interface Attacked {
  readonly watch: ClusterWatch;
  /** Wall-clock epoch ms when the watch started, just before the attack. */
  readonly originMs: number;
}

/**
 * Brings the pair up (n1 master), watches it while `attack` runs, and stops watching.
 * The caller asserts on what the watch saw; the lab tears down the attacker either way.
 */
export async function underAttack(
  s: Scenario,
  attack: (a: Attacked) => Promise<void>,
): Promise<Attacked> {
  await bringUp(s.ctx, s.n1, [s.n2]);
  const watch = await ClusterWatch.start(s.lab, s.cluster, [s.n1, s.n2], s.vip);
  const attacked = { watch, originMs: wallClockMs() };
  try {
    await attack(attacked);
    await sleep(TAIL_MS);
  } finally {
    await watch.stop();
  }
  return attacked;
}

/** What the watch saw, for the test's output: events and warning lines, times from the start. */
export function noteWatch(label: string, a: Attacked): void {
  note(`${label} events`, `\n${formatEvents(a.watch.events(), a.originMs)}`);
  const warnings = a.watch.warnings(a.originMs);
  const sample = warnings
    .slice(0, 20)
    .map((w) => `  +${Math.round(w.atMs - a.originMs)} ms ${w.node} ${w.level}: ${w.msg}`);
  note(`${label} warnings (${warnings.length})`, `\n${sample.join('\n')}`);
}

/** No peer-down, no transition, the VIP never added or removed anywhere since `sinceMs`. */
export function assertUndisturbed(a: Attacked, label: string, sinceMs = a.originMs): void {
  const disturbances = a.watch.disturbances(sinceMs);
  assert.equal(
    disturbances.length,
    0,
    `${label}: the cluster was disturbed while attacked:\n${formatEvents(disturbances, a.originMs)}`,
  );
}

/** n1 is master and alone holds the VIP; n2 is backup (per the API and the interfaces). */
export async function assertOneMaster(s: Scenario, label: string): Promise<void> {
  const states = {
    n1: await s.cluster.groupState(s.n1, 'web'),
    n2: await s.cluster.groupState(s.n2, 'web'),
  };
  const holders = {
    n1: await hasAddress(s.lab, s.n1, s.vip),
    n2: await hasAddress(s.lab, s.n2, s.vip),
  };
  assert.deepEqual(
    { states, holders },
    { states: { n1: 'master', n2: 'backup' }, holders: { n1: true, n2: false } },
    `${label}: not one master afterwards`,
  );
}

/** A line on the test's output (TAP diagnostics), so CI logs show what each attack did. */
export function note(label: string, value: unknown): void {
  console.log(`# ${label}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}

/**
 * Sum of the series of a counter in a node's /metrics whose labels contain `labels`
 * (e.g. 'reason="bad-mac"'); every series when omitted, 0 when there is none.
 */
export async function counterTotal(
  s: { readonly cluster: Pick<Scenario['cluster'], 'api'> },
  node: LabHost,
  name: string,
  labels = '',
): Promise<number> {
  const response = await s.cluster.api(node, 'GET', '/metrics');
  const text = typeof response.body === 'string' ? response.body : '';
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name} `) && !line.startsWith(`${name}{`)) continue;
    if (!line.slice(0, line.lastIndexOf(' ')).includes(labels)) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

export interface StatusSample {
  readonly status: number | null;
  readonly elapsedMs: number;
}

/**
 * GET /v1/status on `node` every `everyMs` (from inside its namespace, with the real
 * token) until `until` settles: what a legitimate operator sees during an attack.
 */
export async function sampleStatus(
  s: Scenario,
  node: LabHost,
  until: Promise<unknown>,
  everyMs = 500,
): Promise<StatusSample[]> {
  const attack = { over: false };
  void until
    .finally(() => {
      attack.over = true;
    })
    .catch(() => undefined);
  const samples: StatusSample[] = [];
  while (!attack.over) {
    try {
      const response = await s.cluster.api(node, 'GET', '/v1/status');
      samples.push({ status: response.status, elapsedMs: Math.round(response.elapsedMs) });
    } catch {
      samples.push({ status: null, elapsedMs: -1 });
    }
    await sleep(everyMs);
  }
  return samples;
}

/** A flood's lifetimes of the connections it opened, as connection-flood reports them. */
export interface FloodResult {
  readonly opened: number;
  readonly closedByTarget: number;
  readonly lifetime: { n: number; medianMs: number | null; maxMs: number | null };
  readonly stillOpen: { n: number; maxMs: number | null };
}

/** The longest any flood connection lived, whether the target closed it or not. */
export function longestHeldMs(result: FloodResult): number {
  return Math.max(result.lifetime.maxMs ?? 0, result.stillOpen.maxMs ?? 0);
}

/** Redial backoff is capped at 2 × interval and both ends dial at once after a cut. */
export const RECONNECT_BOUND_MS = 2 * INTERVAL_MS + SLACK_MS;

export interface LinkCut {
  /** Wall-clock epoch ms of the cut. */
  readonly cutAtMs: number;
  /**
   * Per node, ms from the cut to its first 'peer up' after it, or to its connection being
   * back for a peer its datagrams kept up (no 'peer up' then: it never went down); null if
   * neither came.
   */
  readonly backAfterMs: Readonly<Record<string, number | null>>;
}

/**
 * Cuts the n1–n2 heartbeat link once — every TCP connection between them reset (`ss -K`
 * kills n1's end, the kernel sends n2 a RST), so both ends see it close at once — and
 * waits up to `waitMs` for each end to report the peer up again.
 */
export async function cutLinkOnce(s: Scenario, a: Attacked, waitMs = 5_000): Promise<LinkCut> {
  const cutAtMs = wallClockMs();
  await s.lab.exec(s.n1, ['ss', '-K', 'dst', s.n2.ipv4]);
  const backAfterMs: Record<string, number | null> = {};
  await Promise.all(
    [s.n1, s.n2].map(async (node) => {
      const up = await a.watch
        .waitFor(
          (e) =>
            e.node === node.name &&
            (e.kind === 'peer-up' || e.kind === 'connection-back') &&
            e.atMs >= cutAtMs,
          waitMs,
        )
        .catch(() => null);
      backAfterMs[node.name] = up === null ? null : Math.round(up.atMs - cutAtMs);
    }),
  );
  return { cutAtMs, backAfterMs };
}

/**
 * The cut itself may show (closed links, a brief takeover by n2); what may not: either end
 * without the link after RECONNECT_BOUND_MS, or a peer-down once it is back.
 */
export function assertLinkBack(label: string, a: Attacked, cut: LinkCut): void {
  for (const node of ['n1', 'n2']) {
    const after = cut.backAfterMs[node];
    assert.ok(
      after !== null && after !== undefined && after <= RECONNECT_BOUND_MS,
      `${label}: ${node} not linked again within ${RECONNECT_BOUND_MS} ms of the cut (${String(after)})`,
    );
  }
  const lastUpMs = cut.cutAtMs + Math.max(...Object.values(cut.backAfterMs).map(Number));
  const laterDowns = a.watch.events(['peer-down'], lastUpMs + 1);
  assert.equal(
    laterDowns.length,
    0,
    `${label}: peer-down after the link was back:\n${formatEvents(laterDowns, a.originMs)}`,
  );
}
