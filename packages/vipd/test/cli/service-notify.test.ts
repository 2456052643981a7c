// `vipd run` under a Type=notify unit, without systemd: a unix datagram socket this test
// binds stands in for $NOTIFY_SOCKET (python3 binds it; Node cannot), and the real
// /usr/bin/systemd-notify delivers vipd's messages to it. READY=1 once the node is up,
// RELOADING=1 then READY=1 around a SIGHUP, STOPPING=1 with this config's stop budget as
// EXTEND_TIMEOUT_USEC on SIGTERM.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../src/config/load.js';
import { systemdNotifier, SYSTEMD_NOTIFY } from '../../src/daemon/service-notify.js';
import { stopBudget, stopTiming } from '../../src/daemon/stop-budget.js';
import type { VipdError } from '../../src/errors.js';
import { CLUSTER_KEY, configDir, type ConfigDir } from '../config/fixture.js';
import { DaemonProcess } from './process.js';

const WAIT_MS = 30_000;

/** Binds a datagram socket at argv[1]; prints "bound", then each datagram as a JSON string. */
const RECEIVER = `
import json, os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("bound", flush=True)
while True:
    data = s.recv(65536)  # no ancillary buffer: a barrier's fd is closed at once, as systemd does
    print(json.dumps(data.decode()), flush=True)
`;

function skipReason(): string | false {
  if (!existsSync(SYSTEMD_NOTIFY)) return `needs ${SYSTEMD_NOTIFY} (Debian: systemd)`;
  const python = spawnSync('python3', ['-c', 'import socket; socket.AF_UNIX'], { timeout: 10_000 });
  if (python.status !== 0) return 'needs python3 to bind the fake NOTIFY_SOCKET';
  return false;
}

class FakeNotifySocket {
  readonly messages: Partial<Record<string, string>>[] = [];
  readonly child: ChildProcess;
  readonly bound: Promise<void>;

  constructor(readonly path: string) {
    this.child = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    this.bound = new Promise((resolve, reject) => {
      this.child.once('exit', (code) => {
        reject(new Error(`the fake NOTIFY_SOCKET exited (${String(code)})`));
      });
      this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        buffer += chunk;
        for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line === 'bound') resolve();
          else this.record(JSON.parse(line) as string);
        }
      });
    });
  }

  private record(datagram: string): void {
    const fields = Object.fromEntries(
      datagram
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    // systemd-notify's synchronisation message, not one of vipd's.
    if (Object.keys(fields).join() === 'BARRIER') return;
    this.messages.push(fields);
  }

  async waitFor(count: number, what: string): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (this.messages.length < count) {
      if (Date.now() > deadline)
        throw new Error(`${what}: got ${JSON.stringify(this.messages)} after ${WAIT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

const WITNESS = `node: { id: w1, listen: 127.0.0.1:0 }
cluster:
  key_file: cluster.key
  heartbeat_interval: 50ms
  peers: [{ id: n1, address: 127.0.0.1:9 }]
api: { enabled: false }
`;

describe(
  'vipd run tells systemd (Type=notify) through $NOTIFY_SOCKET',
  { skip: skipReason() },
  () => {
    let scratch = '';
    let socket: FakeNotifySocket;
    let dir: ConfigDir;
    let daemon: DaemonProcess;

    before(async () => {
      scratch = mkdtempSync(join(tmpdir(), 'vipd-notify-'));
      socket = new FakeNotifySocket(join(scratch, 'notify'));
      await socket.bound;
      dir = configDir(WITNESS);
    });

    after(async () => {
      await daemon.kill();
      socket.child.kill('SIGKILL');
      dir.remove();
      rmSync(scratch, { recursive: true, force: true });
    });

    it('READY=1 once the node is up', async () => {
      daemon = new DaemonProcess(['run', '--config', dir.file], {
        env: { NOTIFY_SOCKET: socket.path },
      });
      await socket.waitFor(1, 'READY=1');
      // Sent after Daemon.start resolved, which is when the node logs that it is ready.
      await daemon.waitFor((l) => l['event'] === 'ready', WAIT_MS, 'the ready line');
      const ready = socket.messages[0] ?? {};
      assert.equal(ready['READY'], '1');
      assert.match(ready['STATUS'] ?? '', /^ready: node w1/);
    });

    it('SIGHUP: RELOADING=1, then READY=1 once the reload is done', async () => {
      writeFileSync(dir.file, `${WITNESS}log: { level: debug }\n`);
      daemon.signal('SIGHUP');
      await socket.waitFor(3, 'RELOADING=1 and READY=1');
      assert.deepEqual(
        socket.messages.slice(1).map((m) => [m['RELOADING'], m['READY']]),
        [
          ['1', undefined],
          [undefined, '1'],
        ],
      );
      assert.match(socket.messages[2]?.['STATUS'] ?? '', /configuration reloaded/);
    });

    it('SIGTERM: STOPPING=1 with the stop budget as EXTEND_TIMEOUT_USEC, then exit 0', async () => {
      const { config } = parseConfig(`${WITNESS}log: { level: debug }\n`, dir.file, {
        env: { VIPD_CLUSTER_KEY: CLUSTER_KEY },
      });
      const budgetUs = stopBudget(stopTiming(config)).totalMs * 1000;
      daemon.signal('SIGTERM');
      assert.equal(await daemon.exited, 0);
      await socket.waitFor(4, 'STOPPING=1');
      const stopping = socket.messages[3] ?? {};
      assert.equal(stopping['STOPPING'], '1');
      assert.equal(stopping['EXTEND_TIMEOUT_USEC'], String(budgetUs));
      assert.equal(socket.messages.length, 4, JSON.stringify(socket.messages));
    });
  },
);

describe('systemdNotifier', () => {
  it('reports SERVICE_NOTIFY_FAILED when systemd-notify cannot run, and keeps going', async () => {
    const errors: VipdError[] = [];
    const notifier = systemdNotifier({
      socket: '/nonexistent/notify',
      command: '/nonexistent/systemd-notify',
      onError: (error) => errors.push(error),
    });
    await notifier.send({ READY: '1' });
    await notifier.send({ STATUS: 'two\nlines' });
    assert.deepEqual(
      errors.map((e) => e.code),
      ['SERVICE_NOTIFY_FAILED', 'SERVICE_NOTIFY_FAILED'],
    );
    assert.match(errors[0]?.message ?? '', /cannot run \/nonexistent\/systemd-notify/);
    assert.match(errors[1]?.message ?? '', /not an sd_notify assignment: STATUS/);
  });
});
