import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createManualClock } from '@vipd/clock';
import { NotifyRunner } from '../../src/hooks/notify.js';
import { createLogger, silentLogger, type Logger } from '../../src/log/logger.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { withProcessEnv } from '../process-env.js';
import { tempDir, waitFor } from '../tmpdir.js';

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
    const gate = `${dir.path}/gate`;
    const started = `${dir.path}/started`;
    execFileSync('mkfifo', [gate]);
    // The test holds the FIFO open for writing, so each script opens it at once; closing it
    // gives every reader end-of-file together. The descriptor is close-on-exec: no script
    // inherits it and keeps the gate shut.
    let gateHeld: number | null = openSync(gate, 'r+');
    // Each script says it started, then blocks until the gate opens: all three can say so only
    // if the three groups' scripts run at the same time.
    const held = dir.file(
      'held.sh',
      `#!/bin/sh\nexec 3< ${gate}\necho "$VIPD_GROUP" >> ${started}\ncat <&3 > /dev/null\n`,
      0o755,
    );
    const runner = new NotifyRunner({ nodeId: 'n1', timeoutMs: 5000, logger: silentLogger() });
    const startedGroups = () =>
      existsSync(started) ? readFileSync(started, 'utf8').trim().split('\n').sort() : [];
    try {
      for (const group of ['a', 'b', 'c']) {
        runner.notify([held], { group, from: 'BACKUP', to: 'MASTER', epoch: 1, reason: 'startup' });
      }
      await waitFor(
        () => startedGroups().length === 3,
        4000,
        "three groups' scripts running at once (within one group's 5 s timeout)",
      );
      closeSync(gateHeld);
      gateHeld = null;
      await runner.idle();
      assert.deepEqual(startedGroups(), ['a', 'b', 'c']);
    } finally {
      if (gateHeld !== null) closeSync(gateHeld);
      dir.remove();
    }
  });

  it('kills a script that overruns its timeout and counts it', async () => {
    const dir = tempDir();
    const hang = dir.file('hang.sh', '#!/bin/sh\nsleep 30\n', 0o755);
    const metrics = new VipdMetrics();
    const clock = createManualClock();
    const log = capturedLog();
    const runner = new NotifyRunner({
      nodeId: 'n1',
      timeoutMs: 100,
      logger: log.logger,
      metrics,
      clock,
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
      let idle = false;
      const finished = runner.idle().then(() => {
        idle = true;
      });
      clock.advance(99);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(idle, false, 'not killed before its timeout');
      clock.advance(1);
      await finished;
      assert.ok(performance.now() - started < 3000);
      const text = await metrics.render();
      assert.match(text, /vipd_notify_runs_total\{result="timeout"\} 1/);
      assert.match(text, /vipd_notify_runs_total\{result="spawn-error"\} 1/);
      const killed = log.lines().find((line) => line['result'] === 'timeout');
      assert.equal(killed?.['msg'], `notify ${hang} killed after 100ms`);
      assert.equal(killed['durationMs'], 100);
    } finally {
      dir.remove();
    }
  });

  it("gives a hook the documented environment and never the secrets in vipd's own", async () => {
    const dir = tempDir();
    const dump = `${dir.path}/env`;
    const hook = dir.file('env.sh', `#!/bin/sh\nenv > ${dump}\n`, 0o755);
    const daemonEnv = {
      VIPD_CLUSTER_KEY: 'cluster-key-that-must-not-leak-0123456789',
      VIPD_API_TOKEN: 'api-token-that-must-not-leak-0123',
      AWS_SECRET_ACCESS_KEY: 'also-not-for-hooks',
      LC_TIME: 'C.UTF-8',
      TZ: 'UTC',
    };
    try {
      const runner = new NotifyRunner({ nodeId: 'n1', timeoutMs: 5000, logger: silentLogger() });
      await withProcessEnv(daemonEnv, async () => {
        runner.notify([hook], {
          group: 'web',
          from: 'BACKUP',
          to: 'MASTER',
          epoch: 3,
          reason: 'startup',
        });
        await runner.idle();
      });
      const env = new Map(
        readFileSync(dump, 'utf8')
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      const text = readFileSync(dump, 'utf8');
      assert.doesNotMatch(text, /must-not-leak|also-not-for-hooks/);
      assert.equal(env.has('VIPD_CLUSTER_KEY'), false);
      assert.equal(env.has('VIPD_API_TOKEN'), false);
      assert.equal(env.get('VIPD_NODE'), 'n1');
      assert.equal(env.get('VIPD_GROUP'), 'web');
      assert.equal(env.get('VIPD_OLD_STATE'), 'BACKUP');
      assert.equal(env.get('VIPD_NEW_STATE'), 'MASTER');
      assert.equal(env.get('VIPD_EPOCH'), '3');
      assert.equal(env.get('VIPD_REASON'), 'startup');
      assert.equal(env.get('LC_TIME'), 'C.UTF-8');
      assert.equal(env.get('TZ'), 'UTC');
      assert.equal(env.get('PATH'), process.env['PATH']);
      // Anything else is something /bin/sh sets itself (PWD, SHLVL, _), not from vipd.
      const fromVipd = [...env.keys()].filter((name) => !['PWD', 'SHLVL', '_'].includes(name));
      for (const name of fromVipd) {
        assert.ok(
          /^(PATH|LANG|LANGUAGE|TZ|LC_[A-Z_]+|VIPD_(NODE|GROUP|OLD_STATE|NEW_STATE|EPOCH|REASON))$/.test(
            name,
          ),
          `${name} is not in the documented hook environment`,
        );
      }
    } finally {
      dir.remove();
    }
  });

  it('takes the result when the hook exits, although a background child keeps its stdout', async () => {
    const dir = tempDir();
    const pidFile = `${dir.path}/grandchild.pid`;
    // The grandchild inherits stdout and holds the pipe for 30 s after the hook has exited.
    const hook = dir.file(
      'bg.sh',
      `#!/bin/sh\nsleep 30 &\necho $! > ${pidFile}\necho started\n`,
      0o755,
    );
    const metrics = new VipdMetrics();
    const runner = new NotifyRunner({
      nodeId: 'n1',
      timeoutMs: 20_000,
      logger: silentLogger(),
      metrics,
    });
    try {
      const started = performance.now();
      runner.notify([hook], {
        group: 'web',
        from: 'BACKUP',
        to: 'MASTER',
        epoch: 1,
        reason: 'startup',
      });
      await runner.idle();
      assert.ok(
        performance.now() - started < 10_000,
        'the run ends with the hook, not with the grandchild 30 s later or the 20 s timeout',
      );
      assert.match(await metrics.render(), /vipd_notify_runs_total\{result="ok"\} 1/);
    } finally {
      killRecorded(pidFile);
      dir.remove();
    }
  });
});

/** A JSON logger whose lines the test reads back. */
function capturedLog(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const text: string[] = [];
  const logger = createLogger({
    level: 'info',
    format: 'json',
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        text.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  return {
    logger,
    lines: () => text.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Kills the process whose pid a test script wrote down, if it is still there. */
function killRecorded(pidFile: string): void {
  try {
    process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
  } catch {
    // Never started or already gone.
  }
}
