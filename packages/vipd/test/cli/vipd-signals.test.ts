// Signals that reach `vipd run` during start-up (real processes, a witness: no root needed).
// Start-up is held open by a script tracker whose first check waits for a file the test
// writes: the daemon waits up to 2 s for first tracker results before it joins, so the test
// signals while the node is certainly starting, and the log line proves it was.

import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { configDir, type ConfigDir } from '../config/fixture.js';
import { DaemonProcess, type LogLine } from './process.js';

const STATE_FILE = join(tmpdir(), `vipd-signals-test-${process.pid}-state.json`);

/** A witness whose first tracker check touches `started`, then waits for `release` (≤ 10 s). */
function witness(dir: string): string {
  const script =
    `touch ${dir}/started; i=0; ` +
    `while [ ! -f ${dir}/release ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done`;
  return `node: { id: w1, listen: 127.0.0.1:0, state_file: ${STATE_FILE} }
cluster:
  key_file: cluster.key
  heartbeat_interval: 50ms
  peers: [{ id: n1, address: 127.0.0.1:9 }]
api: { listen: 127.0.0.1:0, token_file: api.token }
trackers:
  - { name: gate, type: script, path: /bin/sh, args: ["-c", ${JSON.stringify(script)}], timeout: 20s, interval: 1h }
`;
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const indexOf = (daemon: DaemonProcess, match: (line: LogLine) => boolean): number =>
  daemon.lines.findIndex(match);

describe('vipd run: signals during start-up (real processes)', () => {
  let dir: ConfigDir;
  let daemon: DaemonProcess | undefined;
  beforeEach(() => {
    dir = configDir('');
    writeFileSync(dir.file, witness(dir.dir));
  });
  afterEach(async () => {
    await daemon?.kill();
    daemon = undefined;
    dir.remove();
    rmSync(STATE_FILE, { force: true });
  });

  /** Starts the witness and resolves once it is inside start-up (its first check runs). */
  async function startAndHold(): Promise<DaemonProcess> {
    const started = new DaemonProcess(['run', '--config', dir.file]);
    daemon = started;
    await until(
      () => existsSync(join(dir.dir, 'started')) || started.child.exitCode !== null,
      'the first tracker check',
    );
    assert.equal(started.child.exitCode, null, started.stderr);
    return started;
  }

  it('SIGHUP during start-up neither kills the node nor is lost: one reload once it runs', async () => {
    const node = await startAndHold();
    writeFileSync(dir.file, `${witness(dir.dir)}log: { level: debug }\n`);
    node.signal('SIGHUP');
    node.signal('SIGHUP'); // two during start-up come to one reload
    const queued = await node.waitFor(
      (l) => /^SIGHUP during start-up/.test(l.msg),
      10_000,
      'the queued SIGHUP (before ready: the signal came during start-up)',
    );
    assert.equal(
      node.lines.some((l) => l['event'] === 'ready'),
      false,
      `still starting when the SIGHUP arrived: ${queued.msg}`,
    );
    writeFileSync(join(dir.dir, 'release'), '');
    await node.waitFor((l) => /^configuration reloaded/.test(l.msg), 20_000, 'the reload');
    const ready = indexOf(node, (l) => l['event'] === 'ready');
    const reloaded = indexOf(node, (l) => /^configuration reloaded/.test(l.msg));
    assert.ok(ready >= 0 && ready < reloaded, 'the reload runs once the node is ready');

    node.signal('SIGTERM');
    assert.equal(await node.exited, 0, node.stderr);
    assert.equal(
      node.lines.filter((l) => /^configuration reloaded/.test(l.msg)).length,
      1,
      'one reload for both signals',
    );
  });

  it('SIGTERM during start-up stops the node cleanly once start-up is done: exit 0', async () => {
    const node = await startAndHold();
    node.signal('SIGTERM');
    await node.waitFor(
      (l) => /^SIGTERM during start-up: stopping once start-up is done$/.test(l.msg),
      10_000,
      'the queued SIGTERM',
    );
    node.signal('SIGINT'); // a second stop request changes nothing
    writeFileSync(join(dir.dir, 'release'), '');
    assert.equal(await node.exited, 0, node.stderr);
    const ready = indexOf(node, (l) => l['event'] === 'ready');
    const stopped = indexOf(node, (l) => l['event'] === 'stopped');
    assert.ok(ready >= 0 && ready < stopped, 'started, then stopped');
    assert.equal(node.lines.filter((l) => /: shutting down$/.test(l.msg)).length, 1);
  });
});
