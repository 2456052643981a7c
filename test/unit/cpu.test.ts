import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { cpuSecondsPerMinute, processCpuNs, processCpuTicks } from '../src/cpu.js';

describe('CPU accounting from /proc', () => {
  it('sees a busy process use about one CPU and an idle one use almost none', async () => {
    const busy = spawn(process.execPath, ['-e', 'for (;;) {}']);
    const idle = spawn('sleep', ['30']);
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const [busyRate, idleRate] = await Promise.all([
        cpuSecondsPerMinute(() => [busy.pid!], 1_000),
        cpuSecondsPerMinute(() => [idle.pid!], 1_000),
      ]);
      // One spinning thread: ~60 CPU s/min, much less when the 2 shared cores are busy.
      assert.ok(busyRate > 3 && busyRate < 75, `busy: ${busyRate}`);
      assert.ok(idleRate < 0.5, `idle: ${idleRate}`);
      assert.ok(processCpuTicks(busy.pid!) > 0);
    } finally {
      busy.kill('SIGKILL');
      idle.kill('SIGKILL');
    }
  });

  it('reads 0 for a process that does not exist', () => {
    assert.equal(processCpuNs(2 ** 22 + 12_345), 0);
    assert.equal(processCpuTicks(2 ** 22 + 12_345), 0);
  });
});
