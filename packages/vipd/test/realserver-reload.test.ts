// `vipd run` in the real-server role, in a network namespace this test creates: SIGHUP applies
// a changed `realserver:` section the way start-up does (VIPs on lo added and removed, the
// interfaces' sysctls set or restored), and a reload that drops the section restores every
// sysctl to the value found before vipd first changed it — across a restart in between. sysctls under /proc/sys/net belong to the namespace: the
// test also checks that the host's own values never change. Needs root.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { NetnsLab, netnsSkipReason, poll, waitForLine } from '@vipd/testkit';

const VIPD_BIN = fileURLToPath(new URL('../../bin/vipd.js', import.meta.url));
const VIP4 = '10.213.61.100';
const VIP6 = 'fd00:213:61::100';
const WAIT_MS = 20_000;
const POLL = { timeoutMs: WAIT_MS, intervalMs: 50 };
const INTERFACES = ['eth0', 'eth1'];
const KEYS = ['arp_ignore', 'arp_announce'] as const;

const skip = netnsSkipReason();

function hostSysctls(): string[] {
  return ['all', 'default'].flatMap((scope) =>
    KEYS.map((k) => readFileSync(`/proc/sys/net/ipv4/conf/${scope}/${k}`, 'utf8').trim()),
  );
}

describe('vipd run, real-server role: SIGHUP applies the changed section (root)', { skip }, () => {
  const lab = new NetnsLab('rsrl');
  const dir = mkdtempSync(join(tmpdir(), 'vipd-rs-reload-'));
  const configFile = join(dir, 'vipd.yaml');
  const stateFile = join(dir, 'realserver-state.json');
  let ns = '';
  let daemon: ChildProcess | undefined;
  const hostBefore = hostSysctls();
  /** The namespace's sysctls before vipd ran, per "IF/KEY". */
  const nsBefore = new Map<string, string>();

  const sysctl = (scope: string, key: string) =>
    lab.exec(ns, ['sysctl', '-n', `net.ipv4.conf.${scope}.${key}`]).trim();
  const vipsOnLo = () =>
    (
      JSON.parse(lab.exec(ns, ['ip', '-j', 'addr', 'show', 'dev', 'lo'])) as {
        addr_info: { local: string }[];
      }[]
    )
      .flatMap((link) => link.addr_info.map((a) => a.local))
      .filter((a) => a === VIP4 || a === VIP6)
      .sort();

  function writeConfig(realserver: Record<string, unknown> | null): void {
    writeFileSync(
      configFile,
      stringify({
        node: { id: 'rs1', listen: '127.0.0.1:0' },
        cluster: { key_file: join(dir, 'cluster.key') },
        api: { enabled: false },
        log: { level: 'info', format: 'json' },
        ...(realserver === null ? {} : { realserver: { state_file: stateFile, ...realserver } }),
      }),
    );
  }

  async function reload(expectMessage: RegExp): Promise<void> {
    assert.ok(daemon);
    const reloaded = waitForLine(daemon, expectMessage, WAIT_MS);
    daemon.kill('SIGHUP');
    await reloaded;
  }

  before(() => {
    ns = lab.namespace('rs');
    for (const name of INTERFACES) {
      lab.exec(ns, ['ip', 'link', 'add', name, 'type', 'veth', 'peer', 'name', `${name}p`]);
      lab.exec(ns, ['ip', 'link', 'set', `${name}p`, 'up']);
      lab.exec(ns, ['ip', 'link', 'set', name, 'up']);
    }
    for (const scope of ['all', ...INTERFACES])
      for (const key of KEYS) nsBefore.set(`${scope}/${key}`, sysctl(scope, key));
    writeFileSync(join(dir, 'cluster.key'), `${randomBytes(32).toString('hex')}\n`, {
      mode: 0o600,
    });
  });

  after(() => {
    lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('start: the VIP goes on lo and only the configured interface gets the sysctls', async () => {
    writeConfig({ vips: [VIP4], interfaces: ['eth0'], check_interval: '1s' });
    daemon = lab.spawn(ns, [process.execPath, VIPD_BIN, 'run', '--config', configFile]);
    await waitForLine(daemon, /real-server role applied/, WAIT_MS);
    assert.deepEqual(vipsOnLo(), [VIP4]);
    assert.equal(sysctl('eth0', 'arp_ignore'), '1');
    assert.equal(sysctl('eth0', 'arp_announce'), '2');
    for (const key of KEYS) {
      assert.equal(sysctl('eth1', key), nsBefore.get(`eth1/${key}`), `eth1 ${key}`);
      assert.equal(sysctl('all', key), nsBefore.get(`all/${key}`), `all ${key}`);
    }
  });

  it('a restart keeps the role in place and still knows the values from before vipd', async () => {
    assert.ok(daemon);
    const exited = new Promise<number | null>((resolve) => daemon?.once('exit', resolve));
    daemon.kill('SIGTERM');
    assert.equal(await exited, 0);
    // A stop leaves the VIP hidden on lo: the director's traffic keeps arriving meanwhile.
    assert.deepEqual(vipsOnLo(), [VIP4]);
    assert.equal(sysctl('eth0', 'arp_ignore'), '1');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
      sysctls: { key: string; previous: string }[];
    };
    assert.deepEqual(
      state.sysctls.map((r) => `${r.key}=${r.previous}`).sort(),
      KEYS.map((k) => `net/ipv4/conf/eth0/${k}=${nsBefore.get(`eth0/${k}`) ?? ''}`).sort(),
    );
    daemon = lab.spawn(ns, [process.execPath, VIPD_BIN, 'run', '--config', configFile]);
    const applied = await waitForLine(daemon, /real-server role applied/, WAIT_MS);
    assert.match(applied, /applied: 0 change\(s\)/);
  });

  it('SIGHUP with other VIPs and another interface: applied like a start', async () => {
    writeConfig({ vips: [VIP6], interfaces: ['eth0', 'eth1'], check_interval: '1s' });
    await reload(/configuration reloaded/);
    await poll(
      'VIPs and sysctls follow the new section',
      () =>
        vipsOnLo().join() === VIP6 &&
        sysctl('eth1', 'arp_ignore') === '1' &&
        sysctl('eth1', 'arp_announce') === '2',
      {
        ...POLL,
        describe: () => `lo ${vipsOnLo().join()}, eth1 arp_ignore ${sysctl('eth1', 'arp_ignore')}`,
      },
    );
    assert.equal(sysctl('eth0', 'arp_ignore'), '1');
  });

  it('SIGHUP without the section: VIPs removed, every sysctl back to what it was', async () => {
    writeConfig(null);
    await reload(/configuration reloaded/);
    const now = () =>
      [...nsBefore.keys()].map((k) => {
        const [scope = '', key = ''] = k.split('/');
        return `${k}=${sysctl(scope, key)}`;
      });
    const wanted = [...nsBefore].map(([k, v]) => `${k}=${v}`);
    await poll(
      'the role is undone',
      () => vipsOnLo().length === 0 && now().join() === wanted.join(),
      {
        ...POLL,
        describe: () => `lo ${vipsOnLo().join()}, ${now().join(' ')} (wanted ${wanted.join(' ')})`,
      },
    );
    assert.equal(existsSync(stateFile), false, 'the state file is removed with the role');
  });

  it("never touched the host's own sysctls, and SIGTERM stops it with exit 0", async () => {
    assert.deepEqual(hostSysctls(), hostBefore);
    assert.ok(daemon);
    const exited = new Promise<number | null>((resolve) => daemon?.once('exit', resolve));
    daemon.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
