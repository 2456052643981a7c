// Run by node-state-disk.test.ts inside `unshare -m` (a private mount namespace, so nothing
// it mounts is seen outside and all of it goes when it exits): puts a tiny tmpfs on DIR,
// brings it into the state SCENARIO names, turns maintenance on through MaintenanceRecord,
// then reads the file as a restarted node would. Prints one JSON line with what happened.

import { execFileSync } from 'node:child_process';
import { openSync, writeSync, closeSync } from 'node:fs';
import { pino } from 'pino';
import { MaintenanceRecord, writeNodeState } from '../../src/daemon/node-state.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';

const [scenario, dir] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: SCENARIO DIR');
const file = `${dir}/node-state.json`;

/** Writes zeros until the filesystem has no block left (ENOSPC). */
function fillUp(): void {
  const fd = openSync(`${dir}/filler`, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

async function gauge(metrics: VipdMetrics, name: string): Promise<string | null> {
  return new RegExp(`^${name} (\\S+)$`, 'm').exec(await metrics.render())?.[1] ?? null;
}

execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'vipd-test', dir]);
const lines: unknown[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
const metrics = new VipdMetrics();
if (scenario !== 'full-no-file')
  await writeNodeState(file, { maintenance: false, changedAt: '2026-01-01T00:00:00.000Z' });
if (scenario === 'read-only') execFileSync('mount', ['-o', 'remount,ro', dir]);
else fillUp();
const kept = await new MaintenanceRecord(() => file, logger, metrics).keep(true);
const persistedGauge = await gauge(metrics, 'vipd_maintenance_persisted');
const restartedDrained = await new MaintenanceRecord(() => file, logger, new VipdMetrics()).wasOn();
process.stdout.write(`${JSON.stringify({ kept, persistedGauge, restartedDrained, lines })}\n`);
