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

/** The group facts every transition carries besides the change itself. */
const GROUP_FACTS = {
  interface: 'eth0',
  addresses: ['10.0.0.10/24', 'fd00::10/64'],
  master: 'n1',
  priority: 150,
} as const;

describe('NotifyRunner (real processes)', () => {
  it('runs every script per transition in order, with the transition in the environment', async () => {
    const dir = tempDir();
    const log = `${dir.path}/log`;
    const started = `${dir.path}/started`;
    // Every run is held at a gate of its own (script and epoch) until the test lets it go, so
    // the test sees which runs have started while an earlier one is still running.
    const gates = new Map(
      ['a 4', 'b 4', 'a 5', 'b 5'].map((run) => [
        run,
        holdGate(`${dir.path}/gate-${run.replace(' ', '-')}`),
      ]),
    );
    const held = (name: string, line: string) =>
      `#!/bin/sh\nexec 3< ${dir.path}/gate-${name}-$VIPD_EPOCH\necho "${name} $VIPD_EPOCH" >> ${started}\ncat <&3 > /dev/null\necho "${line}" >> ${log}\n`;
    const a = dir.file(
      'a.sh',
      held(
        'a',
        'a $VIPD_NODE $VIPD_GROUP $VIPD_OLD_STATE $VIPD_NEW_STATE $VIPD_EPOCH $VIPD_REASON $*',
      ),
      0o755,
    );
    const b = dir.file('b.sh', held('b', 'b $VIPD_GROUP $VIPD_NEW_STATE'), 0o755);
    const metrics = new VipdMetrics();
    const runner = new NotifyRunner({
      nodeId: 'n1',
      timeoutMs: 5000,
      logger: silentLogger(),
      metrics,
    });
    const startedRuns = () => writtenLines(started);
    try {
      runner.notify([a, b], {
        group: 'web',
        ...GROUP_FACTS,
        from: 'BACKUP',
        to: 'MASTER',
        epoch: 4,
        reason: 'master-down',
      });
      runner.notify([a, b], {
        group: 'web',
        ...GROUP_FACTS,
        from: 'MASTER',
        to: 'BACKUP',
        epoch: 5,
        reason: 'higher-master-seen',
      });
      // notify() returned although no script can finish before the test opens its gate.
      assert.equal(existsSync(log), false, 'notify() returns without waiting for the scripts');
      const order = [...gates.keys()];
      for (const [index, run] of order.entries()) {
        await waitFor(() => startedRuns().length > index, 4000, `run ${run} to start`);
        assert.deepEqual(
          startedRuns(),
          order.slice(0, index + 1),
          'each run starts only once the one before it has finished',
        );
        gates.get(run)?.release();
      }
      await runner.idle();
      assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), [
        'a n1 web BACKUP MASTER 4 master-down INSTANCE web MASTER',
        'b web MASTER',
        'a n1 web MASTER BACKUP 5 higher-master-seen INSTANCE web BACKUP',
        'b web BACKUP',
      ]);
      assert.match(await metrics.render(), /vipd_notify_runs_total\{result="ok"\} 4/);
    } finally {
      for (const gate of gates.values()) gate.release();
      dir.remove();
    }
  });

  it("gives a script the group's interface, VIPs, master and priority", async () => {
    const dir = tempDir();
    const out = `${dir.path}/out`;
    const script = dir.file(
      'env.sh',
      `#!/bin/sh\nprintf '%s|' "$VIPD_INTERFACE" "$VIPD_ADDRESSES" "$VIPD_MASTER" "$VIPD_PRIORITY" "$@" > ${out}\n`,
      0o755,
    );
    const runner = new NotifyRunner({ nodeId: 'n2', timeoutMs: 5000, logger: silentLogger() });
    try {
      runner.notify([script], {
        group: 'db',
        from: 'MASTER',
        to: 'BACKUP',
        epoch: 3,
        reason: 'higher-master-seen',
        ...GROUP_FACTS,
      });
      await runner.idle();
      assert.equal(
        readFileSync(out, 'utf8'),
        'eth0|10.0.0.10/24 fd00::10/64|n1|150|INSTANCE|db|BACKUP|',
      );
    } finally {
      dir.remove();
    }
  });

  it('runs different groups concurrently', async () => {
    const dir = tempDir();
    const started = `${dir.path}/started`;
    const gate = holdGate(`${dir.path}/gate`);
    // Each script says it started, then blocks until the gate opens: all three can say so only
    // if the three groups' scripts run at the same time.
    const held = dir.file(
      'held.sh',
      `#!/bin/sh\nexec 3< ${gate.path}\necho "$VIPD_GROUP" >> ${started}\ncat <&3 > /dev/null\n`,
      0o755,
    );
    const runner = new NotifyRunner({ nodeId: 'n1', timeoutMs: 5000, logger: silentLogger() });
    const startedGroups = () => writtenLines(started).sort();
    try {
      for (const group of ['a', 'b', 'c']) {
        runner.notify([held], {
          group,
          from: 'BACKUP',
          to: 'MASTER',
          epoch: 1,
          reason: 'startup',
          ...GROUP_FACTS,
        });
      }
      await waitFor(
        () => startedGroups().length === 3,
        4000,
        "three groups' scripts running at once (within one group's 5 s timeout)",
      );
      gate.release();
      await runner.idle();
      assert.deepEqual(startedGroups(), ['a', 'b', 'c']);
    } finally {
      gate.release();
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
        ...GROUP_FACTS,
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
          ...GROUP_FACTS,
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
          /^(PATH|LANG|LANGUAGE|TZ|LC_[A-Z_]+|VIPD_(NODE|GROUP|OLD_STATE|NEW_STATE|EPOCH|REASON|INTERFACE|ADDRESSES|MASTER|PRIORITY))$/.test(
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
        ...GROUP_FACTS,
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

/** The lines a script has written out in full so far (none while the file does not exist). */
function writtenLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').slice(0, -1);
}

/**
 * A FIFO the test holds open for writing: a script that opens it for reading gets in at once
 * (a writer exists) and blocks reading it until release() closes the last writer, which gives
 * every reader end-of-file together. The descriptor is close-on-exec, so no script inherits it
 * and keeps the gate shut.
 */
function holdGate(path: string): { readonly path: string; release(): void } {
  execFileSync('mkfifo', [path]);
  let held: number | null = openSync(path, 'r+');
  return {
    path,
    release() {
      if (held === null) return;
      closeSync(held);
      held = null;
    },
  };
}

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
