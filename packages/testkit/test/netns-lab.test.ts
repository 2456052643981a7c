import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSwitchedLab, NetnsLab } from '../src/netns-lab.js';
import { netnsSkipReason } from '../src/privileges.js';

function netnsList(): string {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
}

describe('NetnsLab on real network namespaces', { skip: netnsSkipReason(['ping']) }, () => {
  it('names every namespace <prefix><runId>-<role>, so two labs never collide', () => {
    const a = new NetnsLab('tk');
    const b = new NetnsLab('tk');
    try {
      assert.match(a.name('client'), /^tk[0-9a-f]{6}-client$/);
      assert.notEqual(a.runId, b.runId);
      assert.equal(a.namespace('x'), a.name('x'));
      assert.equal(b.namespace('x'), b.name('x'));
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('plugs hosts into one switch: they reach each other; destroy removes namespaces and processes', async () => {
    const lab = createSwitchedLab('tk');
    let sleeperExit: Promise<NodeJS.Signals | null>;
    try {
      const a = lab.addHost('a', '02:13:00:00:00:0a');
      const b = lab.addHost('b');
      assert.equal(a.mac, '02:13:00:00:00:0a');
      assert.equal(b.mac, lab.mac(b.netns, 'eth0'));
      lab.ip(a.netns, 'addr', 'add', '10.213.250.1/24', 'dev', a.interface);
      lab.ip(b.netns, 'addr', 'add', '10.213.250.2/24', 'dev', b.interface);
      assert.match(
        lab.exec(a.netns, ['ping', '-c', '1', '-w', '5', '10.213.250.2']),
        / 0% packet loss/,
      );
      const sleeper = lab.spawn(b.netns, ['sleep', '60']);
      sleeperExit = new Promise((resolve) => {
        sleeper.once('exit', (_code, signal) => {
          resolve(signal);
        });
      });
    } finally {
      lab.destroy();
    }
    assert.ok(!netnsList().includes(`tk${lab.runId}`), netnsList());
    const exited = await sleeperExit;
    assert.equal(exited, 'SIGKILL');
    assert.deepEqual(lab.destroy(), [], 'a second destroy does nothing');
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`removes what it built when the process gets ${signal} (Ctrl-C)`, () => {
      const module = fileURLToPath(new URL('../src/netns-lab.js', import.meta.url));
      const script = `
        const { createSwitchedLab } = await import(${JSON.stringify(module)});
        const lab = createSwitchedLab('tk');
        lab.addHost('h');
        process.stdout.write(lab.runId);
        process.kill(process.pid, '${signal}');
        setTimeout(() => {}, 10000);
      `;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      assert.match(result.stdout, /^[0-9a-f]{6}$/);
      assert.equal(result.status, code);
      assert.ok(!netnsList().includes(`tk${result.stdout}`), netnsList());
    });
  }

  it('a failing step names the command and what ip said; destroy still removes everything', () => {
    const lab = new NetnsLab('tk');
    lab.namespace('ok');
    assert.throws(
      () => lab.ip(lab.name('ok'), 'link', 'set', 'nosuch0', 'up'),
      /`ip -n tk[0-9a-f]{6}-ok link set nosuch0 up` failed: .*nosuch0/,
    );
    lab.destroy();
    assert.ok(!netnsList().includes(`tk${lab.runId}`), netnsList());
  });
});
