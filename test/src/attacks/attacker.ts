// Runs one of the attacker programs of this directory inside a lab namespace: a LabProcess
// like any other (its output in the run directory, killed at teardown), whose last stdout
// line is {"t":"result",…}.
import { fileURLToPath } from 'node:url';
import type { Lab, LabHost } from '../lab.js';
import type { LabProcess } from '../lab-process.js';

export type AttackProgram =
  'heartbeat-relay' | 'parked-hellos' | 'connection-flood' | 'garbage-frames' | 'api-bad-token';

export type AttackResult = Record<string, unknown>;

export interface RunningAttack {
  readonly process: LabProcess;
  /** Resolves once the program says it is ready (its set-up is done). */
  readonly ready: Promise<void>;
  /** The program's result line; rejects if it exits or times out first. */
  readonly result: Promise<AttackResult>;
}

let started = 0;

export function startAttack(
  lab: Lab,
  where: LabHost,
  program: AttackProgram,
  args: readonly string[],
  timeoutMs: number,
): RunningAttack {
  const path = fileURLToPath(new URL(`./${program}.js`, import.meta.url));
  started += 1;
  const child = lab.spawn(where, [process.execPath, path, ...args], {
    name: `attack-${program}-${started}`,
  });
  const ready = child.waitForLine(/"t":"ready"/, 15_000, 'stdout').then(() => undefined);
  const result = child
    .waitForLine(/"t":"result"/, timeoutMs, 'stdout')
    .then((line) => JSON.parse(line) as AttackResult);
  // Both are awaited by the caller, maybe not both: never an unhandled rejection.
  ready.catch(() => undefined);
  result.catch(() => undefined);
  return { process: child, ready, result };
}

/** The heartbeat endpoint of a lab node (the path from packages/heartbeat). */
export function heartbeatUrl(node: LabHost, port: number, scheme: 'ws' | 'wss' = 'ws'): string {
  return `${scheme}://${node.ipv4}:${port}/vipd/heartbeat`;
}
