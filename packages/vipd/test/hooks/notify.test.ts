import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { NotifyRunner } from '../../src/hooks/notify.js';
import { silentLogger } from '../../src/log/logger.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { tempDir } from '../tmpdir.js';

describe('NotifyRunner (real processes)', () => {
  it('runs every script per transition in order, with the transition in the environment', async () => {
    const dir = tempDir();
    const log = `${dir.path}/log`;
    // The first script is slow, so a second transition queued meanwhile proves the ordering.
    const slow = dir.file(
      'a.sh',
      `#!/bin/sh\nsleep 0.1\necho "a $VIPD_NODE $VIPD_GROUP $VIPD_OLD_STATE $VIPD_NEW_STATE $VIPD_EPOCH $VIPD_REASON $*" >> ${log}\n`,
      0o755,
    );
    const fast = dir.file(
      'b.sh',
      `#!/bin/sh\necho "b $VIPD_GROUP $VIPD_NEW_STATE" >> ${log}\n`,
      0o755,
    );
    const metrics = new VipdMetrics();
    const runner = new NotifyRunner({
      nodeId: 'n1',
      timeoutMs: 5000,
      logger: silentLogger(),
      metrics,
    });
    try {
      const started = performance.now();
      runner.notify([slow, fast], {
        group: 'web',
        from: 'BACKUP',
        to: 'MASTER',
        epoch: 4,
        reason: 'master-down',
      });
      runner.notify([slow, fast], {
        group: 'web',
        from: 'MASTER',
        to: 'BACKUP',
        epoch: 5,
        reason: 'higher-master-seen',
      });
      assert.ok(
        performance.now() - started < 50,
        'notify() returns without waiting for the scripts',
      );
      await runner.idle();
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
        'a n1 web BACKUP MASTER 4 master-down INSTANCE web MASTER',
        'b web MASTER',
        'a n1 web MASTER BACKUP 5 higher-master-seen INSTANCE web BACKUP',
        'b web BACKUP',
      ]);
      assert.match(await metrics.render(), /vipd_notify_runs_total\{result="ok"\} 4/);
    } finally {
      dir.remove();
    }
  });

  it('runs different groups concurrently', async () => {
    const dir = tempDir();
    const slow = dir.file('slow.sh', '#!/bin/sh\nsleep 0.3\n', 0o755);
    const runner = new NotifyRunner({ nodeId: 'n1', timeoutMs: 5000, logger: silentLogger() });
    try {
      const started = performance.now();
      for (const group of ['a', 'b', 'c']) {
        runner.notify([slow], { group, from: 'BACKUP', to: 'MASTER', epoch: 1, reason: 'startup' });
      }
      await runner.idle();
      assert.ok(performance.now() - started < 800, 'three 300 ms scripts of three groups overlap');
    } finally {
      dir.remove();
    }
  });

  it('kills a script that overruns its timeout and counts it', async () => {
    const dir = tempDir();
    const hang = dir.file('hang.sh', '#!/bin/sh\nsleep 30\n', 0o755);
    const metrics = new VipdMetrics();
    const runner = new NotifyRunner({
      nodeId: 'n1',
      timeoutMs: 100,
      logger: silentLogger(),
      metrics,
    });
    try {
      const started = performance.now();
      runner.notify([hang, '/nonexistent/notify'], {
        group: 'web',
        from: 'INIT',
        to: 'BACKUP',
        epoch: 0,
        reason: 'startup',
      });
      await runner.idle();
      assert.ok(performance.now() - started < 3000);
      const text = await metrics.render();
      assert.match(text, /vipd_notify_runs_total\{result="timeout"\} 1/);
      assert.match(text, /vipd_notify_runs_total\{result="spawn-error"\} 1/);
    } finally {
      dir.remove();
    }
  });
});
