// Applies the schedule's faults to a running lab: each at its time, undone after its
// duration, overlapping as drawn. Records when each really began and ended.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { wallClockMs } from '../src/clock.js';
import { stallProcess } from '../src/faults.js';
import type { ClusterWatch } from '../src/attacks/cluster-watch.js';
import type { Lab, LabHost } from '../src/lab.js';
import type { VipdCluster, VipdClusterOptions } from '../src/vipd-cluster.js';
import type { AppliedFault } from './history.js';
import type { Fault } from './schedule.js';

export const TRACKER_NAME = 'chaos';

/** How long a daemon may take to log its start: node starts slowly on a loaded machine. */
export const START_TIMEOUT_MS = 60_000;

export function trackerPath(lab: Lab, node: string): string {
  return join(lab.runDir, `tracker-${node}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export interface NemesisTarget {
  readonly lab: Lab;
  readonly cluster: VipdCluster;
  readonly watch: ClusterWatch;
  /** The cluster options as configured now (reload faults change them and back). */
  options: VipdClusterOptions;
}

/** The options with `node`'s priority in `group` set to `priority`. */
function withPriority(
  options: VipdClusterOptions,
  group: string,
  node: string,
  priority: number,
): VipdClusterOptions {
  return {
    ...options,
    groups: options.groups.map((g) =>
      g.name === group ? { ...g, priorities: { ...g.priorities, [node]: priority } } : g,
    ),
  };
}

function reload(t: NemesisTarget, node: LabHost, options: VipdClusterOptions): void {
  t.options = options;
  t.cluster.writeConfigs(options);
  t.cluster.process(node)?.signal('SIGHUP');
}

async function restart(t: NemesisTarget, node: LabHost): Promise<void> {
  const daemon = t.cluster.process(node);
  if (daemon !== undefined) await daemon.exited;
  const restarted = t.cluster.startNode(node);
  t.watch.follow(node, restarted);
  // The kill lasts until the new daemon runs (node starts slowly under load): by then it
  // has removed the VIPs its predecessor left behind.
  await restarted.waitForLine(/"reason":"startup"/, START_TIMEOUT_MS);
}

async function operator(
  t: NemesisTarget,
  node: LabHost,
  path: string,
  body?: unknown,
): Promise<string> {
  const response = await t.cluster.api(node, 'POST', path, body);
  return response.status === 200
    ? ''
    : `${path}: ${response.status} ${JSON.stringify(response.body)}`;
}

/** Applies the fault, waits out its duration (some faults act throughout), undoes it. */
async function run(t: NemesisTarget, fault: Fault, untilMs: number): Promise<string> {
  const { lab } = t;
  const node = lab.node(fault.target);
  const others = lab.nodes.filter((n) => n !== node);
  const daemon = t.cluster.process(node);
  switch (fault.kind) {
    case 'kill':
      daemon?.signal('SIGKILL');
      await sleep(untilMs - wallClockMs());
      await restart(t, node);
      return '';
    case 'pause':
      if (daemon === undefined) return 'no daemon to pause';
      await stallProcess(daemon, untilMs - wallClockMs());
      return '';
    case 'silence':
      await lab.faults.silence(node);
      await sleep(untilMs - wallClockMs());
      await lab.faults.revive(node);
      return '';
    case 'partition':
    case 'one-way': {
      const unheard = fault.kind !== 'one-way' || fault.direction === 'unheard';
      const oneWay = fault.kind === 'one-way';
      await (unheard
        ? lab.faults.partition([node], others, { oneWay })
        : lab.faults.partition(others, [node], { oneWay }));
      await sleep(untilMs - wallClockMs());
      await lab.faults.heal();
      return '';
    }
    case 'loss':
      await lab.faults.setLoss(node, fault.percent, 'both', { peers: others });
      await sleep(untilMs - wallClockMs());
      await lab.faults.clearLoss();
      return '';
    case 'flap': {
      const times = Math.max(1, Math.floor(fault.durationMs / (fault.downMs + fault.upMs)));
      await lab.faults.flapLink(node, { downMs: fault.downMs, upMs: fault.upMs, times });
      return '';
    }
    case 'reload': {
      const before = t.options;
      reload(t, node, withPriority(before, fault.group, node.name, fault.priority));
      await sleep(untilMs - wallClockMs());
      reload(t, node, before);
      return '';
    }
    case 'tracker': {
      let value = 1;
      while (wallClockMs() < untilMs) {
        writeFileSync(trackerPath(lab, node.name), `${value}\n`);
        value = 1 - value;
        await sleep(Math.min(fault.periodMs, untilMs - wallClockMs()));
      }
      writeFileSync(trackerPath(lab, node.name), '0\n');
      return '';
    }
    case 'operator': {
      const notes: string[] = [];
      if (fault.action === 'maintenance') {
        notes.push(await operator(t, node, '/v1/maintenance', { enabled: true }));
        await sleep(untilMs - wallClockMs());
        notes.push(await operator(t, node, '/v1/maintenance', { enabled: false }));
      } else {
        notes.push(await operator(t, node, `/v1/groups/${fault.group}/${fault.action}`));
        await sleep(untilMs - wallClockMs());
        // A takeover pins the group at 255; hand it back so later rounds start unpinned.
        if (
          fault.action === 'takeover' &&
          (await t.cluster.groupState(node, fault.group)) === 'master'
        ) {
          notes.push(await operator(t, node, `/v1/groups/${fault.group}/release`));
        }
      }
      return notes.filter((n) => n !== '').join('; ');
    }
  }
}

/** Runs one fault at `originMs + fault.startMs`; never throws (a failure becomes its note). */
export async function inject(
  t: NemesisTarget,
  fault: Fault,
  originMs: number,
): Promise<AppliedFault> {
  await sleep(originMs + fault.startMs - wallClockMs());
  const startedAtMs = wallClockMs();
  let note: string;
  try {
    note = await run(t, fault, startedAtMs + fault.durationMs);
  } catch (error) {
    note = error instanceof Error ? error.message : String(error);
  }
  return { fault, startedAtMs, endedAtMs: wallClockMs(), ...(note === '' ? {} : { note }) };
}
