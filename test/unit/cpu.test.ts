import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import {
  clockTicksPerSecond,
  cpuSecondsPerMinute,
  processCpuNs,
  processCpuTicks,
} from '../src/cpu.js';

const SPENT_MS = 400;

/**
 * A child that burns SPENT_MS of CPU by its own account (process.cpuUsage), then idles:
 * what /proc says it used is then known whatever else the shared cores are doing.
 */
async function spendThenIdle(): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      `const spent = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
       const start = spent();
       while (spent() - start < ${SPENT_MS.toString()}) {}
       console.log('spent ' + (spent() - start));
       setInterval(() => {}, 60_000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await once(child.stdout, 'data');
  return child;
}

describe('CPU accounting from /proc', () => {
  it('reads what a process says it spent, and nothing while it idles', async () => {
    const child = await spendThenIdle();
    try {
      const pid = child.pid!;
      const spentMs = processCpuNs(pid) / 1e6;
      // At least what it burnt; at most that plus Node's start-up (tens of ms of CPU).
      assert.ok(spentMs >= SPENT_MS, `schedstat: ${spentMs.toFixed(1)} ms`);
      assert.ok(spentMs < SPENT_MS + 500, `schedstat: ${spentMs.toFixed(1)} ms`);
      // The coarse 10 ms ticks of /proc/PID/stat tell the same story.
      const tickMs = (processCpuTicks(pid) / clockTicksPerSecond()) * 1000;
      assert.ok(Math.abs(tickMs - spentMs) < 0.25 * spentMs, `ticks ${tickMs}, ns ${spentMs}`);
      const idleRate = await cpuSecondsPerMinute(() => [pid], 500);
      assert.ok(idleRate < 0.5, `idle: ${idleRate} CPU-s/min`);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('reads 0 for a process that does not exist', () => {
    assert.equal(processCpuNs(2 ** 22 + 12_345), 0);
    assert.equal(processCpuTicks(2 ** 22 + 12_345), 0);
  });
});
