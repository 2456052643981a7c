// `vipd run` holding real VIPs in a network namespace this test creates, at the ends of its
// life: a crash (an uncaught exception or an unhandled rejection, injected into the real
// process with NODE_OPTIONS=--import) must take the VIPs off before it exits non-zero, and a
// SIGHUP while the node stops must be ignored, not crash it. Needs root (CI is root).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { addressesOn, NetnsLab, netnsSkipReason, poll } from '@vipd/testkit';
import { configDir, type ConfigDir } from '../config/fixture.js';
import { DaemonProcess } from './process.js';

const lab = new NetnsLab('vipdl');
const NS = lab.name('ns');
const POLL = { timeoutMs: 20_000, intervalMs: 20 };
const IN_NS = ['ip', 'netns', 'exec', NS];
const VIPS = ['10.213.79.1/24', 'fd00:213:79::1/64'];
const INJECTOR = pathToFileURL(new URL('crash-injector.js', import.meta.url).pathname).href;

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

describe(
  'vipd run with VIPs in a network namespace: crash and late signals (root)',
  { skip: netnsSkipReason() },
  () => {
    let dir: ConfigDir;
    const file = (name: string) => join(dir.dir, name);

    before(() => {
      lab.namespace('ns');
      ip('-n', NS, 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd0p');
      ip('-n', NS, 'link', 'set', 'd0p', 'up');
      ip('-n', NS, 'link', 'set', 'd0', 'up');
      dir = configDir(`node: { id: n1, listen: 127.0.0.1:0 }
cluster: { key_file: cluster.key, heartbeat_interval: 100ms }
groups:
  - name: web
    interface: d0
    addresses: [${VIPS.map((v) => JSON.stringify(v)).join(', ')}]
announce: { repeat: 1, interval: 10ms, delay: 0s }
notify: { scripts: [./hook.sh], timeout: 20s }
api: { listen: 127.0.0.1:0, token_file: api.token }
`);
      // Once armed, a transition away from MASTER (the resign of a stop) holds the stop in
      // its last step, waiting for the hooks, until the test releases it (at most 15 s).
      dir.write(
        'hook.sh',
        `#!/bin/sh
if [ -f ${file('arm')} ] && [ "$3" != MASTER ]; then
  touch ${file('in-hook')}
  i=0; while [ ! -f ${file('release')} ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done
fi
`,
        0o755,
      );
    });
    after(() => {
      lab.destroy();
      dir.remove();
    });

    async function startMaster(env: Record<string, string> = {}): Promise<DaemonProcess> {
      const daemon = new DaemonProcess(['run', '--config', dir.file], { prefix: IN_NS, env });
      await daemon.waitFor((l) => l['event'] === 'ready', 30_000, 'the ready line');
      await daemon.waitFor((l) => l['to'] === 'MASTER', 30_000, 'MASTER');
      assert.deepEqual(addressesOn(NS, 'd0'), VIPS);
      return daemon;
    }

    for (const [how, origin, message] of [
      ['throw', 'uncaughtException', 'injected exception'],
      ['reject', 'unhandledRejection', 'injected rejection'],
    ] as const) {
      it(`an ${origin} takes the VIPs off, logs fatal and exits 1`, async () => {
        const trigger = file(`crash-${how}`);
        const daemon = await startMaster({
          NODE_OPTIONS: `--import=${INJECTOR}`,
          VIPD_TEST_CRASH_FILE: trigger,
        });
        try {
          writeFileSync(trigger, how);
          assert.equal(await daemon.exited, 1, daemon.stderr);
          assert.deepEqual(addressesOn(NS, 'd0'), [], 'a dead node leaves no VIP answering');
          const fatal = daemon.lines.find((l) => l.level === 'fatal');
          assert.ok(fatal, 'a fatal log line');
          assert.equal(fatal['origin'], origin);
          assert.match(fatal.msg, new RegExp(`^vipd failed \\(${origin}\\): ${message}; `));
          assert.ok(
            daemon.lines.some((l) =>
              /^removed 10\.213\.79\.1\/24 on d0, fd00:213:79::1\/64 on d0 before exiting$/.test(
                l.msg,
              ),
            ),
            JSON.stringify(daemon.lines.slice(-5)),
          );
        } finally {
          await daemon.kill();
        }
      });
    }

    it('a SIGHUP while the node stops is ignored with a log line; the stop completes, exit 0', async () => {
      const daemon = await startMaster();
      try {
        const api = String(daemon.lines.find((l) => l['event'] === 'ready')?.['api']);
        const apiPort = new URL(api).port;
        writeFileSync(file('arm'), '');
        daemon.signal('SIGTERM');
        await poll('the resign hook', () => existsSync(file('in-hook')), POLL);
        // The API closes after the election has stopped: from then on a reload has nothing
        // left to reconfigure, which is where the old handler threw.
        const listening = () =>
          execFileSync('ss', ['-N', NS, '-Hltn', `sport = :${apiPort}`], { encoding: 'utf8' });
        await poll('the API to close', () => listening().trim() === '', POLL);
        assert.equal(daemon.child.exitCode, null, 'still stopping (waiting for the hook)');
        daemon.signal('SIGHUP');
        await daemon.waitFor(
          (l) => l.msg === 'SIGHUP while stopping: ignored',
          10_000,
          'the ignored SIGHUP',
        );
        writeFileSync(file('release'), '');
        assert.equal(await daemon.exited, 0, daemon.stderr);
        assert.ok(daemon.lines.some((l) => l['event'] === 'stopped'));
        assert.deepEqual(addressesOn(NS, 'd0'), []);
      } finally {
        await daemon.kill();
      }
    });
  },
);
