// `vipd run` for real inside a network namespace this test creates: stale VIPs from a
// "crashed" predecessor are removed, the node takes its VIPs on a veth interface and sends
// gratuitous ARP / NA, and SIGTERM removes them again. Needs root (CI is root).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { addressesOn, NetnsLab, netnsSkipReason } from '@vipd/testkit';
import { createAddressManager } from '@vipd/arp';
import { EXIT } from '../../src/cli/exit-codes.js';
import { API_TOKEN, configDir, type ConfigDir } from '../config/fixture.js';
import { DaemonProcess, VIPCTL, VIPD, runSync } from './process.js';

const lab = new NetnsLab('vipdt');
const NS = lab.name('ns');
const IN_NS = ['ip', 'netns', 'exec', NS];

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

function addStaleVip(address: string): void {
  const manager = createAddressManager({ netns: NS });
  try {
    manager.addNow({ address, prefixLength: 32, interface: 'd0' });
  } finally {
    manager.close();
  }
}

function fetchInNamespace(url: string): string {
  const script = `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t))`;
  return execFileSync('ip', ['netns', 'exec', NS, process.execPath, '-e', script], {
    encoding: 'utf8',
  });
}

describe('vipd run in a network namespace (root)', { skip: netnsSkipReason() }, () => {
  let dir: ConfigDir;
  let daemon: DaemonProcess | undefined;
  let api = '';

  before(() => {
    lab.namespace('ns');
    // A veth pair inside the namespace: d0 carries the VIPs, its peer gives it carrier.
    ip('-n', NS, 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd0p');
    ip('-n', NS, 'link', 'set', 'd0p', 'up');
    ip('-n', NS, 'link', 'set', 'd0', 'up');
    dir = configDir(`node: { id: n1, listen: 127.0.0.1:0 }
cluster: { key_file: cluster.key, heartbeat_interval: 100ms }
groups:
  - name: web
    interface: d0
    addresses: [10.213.77.1/24, "fd00:213:77::1/64"]
announce: { repeat: 3, interval: 10ms }
api: { listen: 127.0.0.1:0, token_file: api.token }
`);
  });
  after(async () => {
    await daemon?.kill();
    lab.destroy();
    dir.remove();
  });

  it('removes what a crashed predecessor left, takes the VIPs and announces them', async () => {
    addStaleVip('10.213.77.9');
    assert.deepEqual(addressesOn(NS, 'd0'), ['10.213.77.9/32']);
    daemon = new DaemonProcess(['run', '--config', dir.file], { prefix: IN_NS });
    const ready = await daemon.waitFor((l) => l['event'] === 'ready', 30_000, 'the ready line');
    api = String(ready['api']);
    assert.ok(
      daemon.lines.some((l) =>
        /^removed 10\.213\.77\.9\/32 from d0: left by a previous vipd/.test(l.msg),
      ),
    );
    const master = await daemon.waitFor((l) => l['to'] === 'MASTER', 10_000, 'MASTER');
    assert.match(
      master.msg,
      /^web: BACKUP -> MASTER \(master-down\): .*VIPs up and announced in [0-9.]+ms$/,
    );
    assert.deepEqual(addressesOn(NS, 'd0'), ['10.213.77.1/24', 'fd00:213:77::1/64']);

    const status = runSync(VIPCTL, ['--api', api, '--json', 'status'], { prefix: IN_NS });
    const body = JSON.parse(status.stdout) as { groups: { state: string; announced: boolean }[] };
    assert.deepEqual(
      body.groups.map((g) => [g.state, g.announced]),
      [['MASTER', true]],
    );

    const metrics = fetchInNamespace(`${api}/metrics`);
    const garp = /^vipd_gratuitous_arp_sent_total\{interface="d0"\} (\d+)$/m.exec(metrics);
    const na = /^vipd_neighbor_advertisements_sent_total\{interface="d0"\} (\d+)$/m.exec(metrics);
    assert.ok(Number(garp?.[1]) >= 1, 'gratuitous ARP frames went out');
    assert.ok(Number(na?.[1]) >= 1, 'neighbour advertisements went out');
    assert.match(metrics, /^vipd_group_is_master\{group="web"\} 1$/m);
  });

  it('a second vipd next to the live one refuses to start and leaves its VIPs alone', () => {
    assert.ok(daemon);
    const ready = daemon.lines.find((l) => l['event'] === 'ready');
    const heartbeatPort = /heartbeat on port (\d+)/.exec(ready?.msg ?? '')?.[1];
    assert.ok(heartbeatPort, ready?.msg);
    // The same node, as an operator starting it by hand while the service runs.
    const second = dir.write(
      'second.yaml',
      `node: { id: n1, listen: 127.0.0.1:${heartbeatPort} }
cluster: { key_file: cluster.key, heartbeat_interval: 100ms }
groups:
  - name: web
    interface: d0
    addresses: [10.213.77.1/24, "fd00:213:77::1/64"]
api: { listen: 127.0.0.1:0, token_file: api.token }
`,
      0o644,
    );
    const result = runSync(VIPD, ['run', '--config', second], { prefix: IN_NS });
    assert.equal(result.status, EXIT.FAILURE);
    assert.match(
      result.stderr,
      /LISTEN_FAILED: heartbeat listener on 127\.0\.0\.1:\d+: .*EADDRINUSE.*another vipd/,
    );
    assert.deepEqual(addressesOn(NS, 'd0'), ['10.213.77.1/24', 'fd00:213:77::1/64']);
    assert.equal(daemon.child.exitCode, null, 'the live node runs on');
  });

  it('a takeover request on the master answers at once; SIGTERM removes the VIPs and exits 0', async () => {
    assert.ok(daemon);
    const takeover = runSync(VIPCTL, ['--api', api, 'takeover', 'web'], {
      prefix: IN_NS,
      env: { VIPD_API_TOKEN: API_TOKEN },
    });
    assert.equal(takeover.status, EXIT.OK, takeover.stderr);
    assert.match(
      takeover.stdout,
      /^web: n1 is master at epoch \d+; 10\.213\.77\.1\/24, fd00:213:77::1\/64 announced/,
    );
    daemon.signal('SIGTERM');
    assert.equal(await daemon.exited, 0);
    assert.deepEqual(addressesOn(NS, 'd0'), []);
  });

  it('vipd cleanup removes every VIP vipd marked as its own, and only those', () => {
    addStaleVip('10.213.77.50');
    ip('-n', NS, 'addr', 'add', '10.213.77.60/32', 'dev', 'd0');
    const result = runSync(VIPD, ['cleanup'], { prefix: IN_NS });
    assert.equal(result.status, EXIT.OK, result.stderr);
    assert.equal(result.stdout, 'removed 10.213.77.50/32 from d0\n');
    assert.deepEqual(addressesOn(NS, 'd0'), ['10.213.77.60/32'], "an operator's address stays");
  });
});
