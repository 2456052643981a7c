// The daemon's real-server role: a reload applies the changed section exactly as start-up
// does, dropping the section undoes it, and the daemon never writes into /etc.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '@vipd/clock';
import type { AppliedChange } from '../src/realserver/apply.js';
import { ipv4ConfKey } from '../src/realserver/kernel.js';
import type { RealServerMetricsSink } from '../src/realserver/metrics.js';
import { RealServerRole } from '../src/realserver/role.js';
import type { RealServerReport } from '../src/realserver/types.js';
import { config, fakeHost, STATE_FILE, VIP4, VIP6 } from './realserver-fixtures.js';
import type { FakeHost } from './realserver-fixtures.js';

class RecordingSink implements RealServerMetricsSink {
  readonly errors: unknown[] = [];
  observeReport(_report: RealServerReport): void {}
  observeRepair(_changes: readonly AppliedChange[]): void {}
  observeCheckError(error: unknown): void {
    this.errors.push(error);
  }
}

class RecordingLog {
  readonly lines: string[] = [];
  info(_obj: object, msg: string): void {
    this.lines.push(`info ${msg}`);
  }
  warn(_obj: object, msg: string): void {
    this.lines.push(`warn ${msg}`);
  }
  error(_obj: object, msg: string): void {
    this.lines.push(`error ${msg}`);
  }
}

function role(host: FakeHost) {
  const sink = new RecordingSink();
  const log = new RecordingLog();
  // Never advanced: what changes the host here is the role's own apply, not the watcher.
  const clock = createManualClock();
  return { sink, log, clock, role: new RealServerRole({ deps: host.deps, sink, log, clock }) };
}

const onLo = (host: FakeHost) =>
  host.ops.addresses
    .filter((a) => a.interface === 'lo' && a.address !== '127.0.0.1')
    .map((a) => a.address);

describe('RealServerRole (the daemon: start and SIGHUP)', () => {
  it('a reload adds and removes VIPs and interfaces; dropping the section restores the host', async () => {
    const host = fakeHost(['lo', 'eth0', 'eth1']);
    host.ops.sysctls.set(ipv4ConfKey('eth1', 'arp_announce'), '1');
    const pristine = new Map(host.ops.sysctls);
    const { role: r, log, sink } = role(host);

    await r.configure(config({ vips: [VIP4] }));
    assert.deepEqual(onLo(host), [VIP4]);
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_ignore')), '1');
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth1', 'arp_ignore')), '0');

    await r.configure(config({ vips: [VIP6], interfaces: ['eth0', 'eth1'] }));
    assert.deepEqual(onLo(host), [VIP6]);
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth1', 'arp_ignore')), '1');
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth1', 'arp_announce')), '2');

    await r.configure(config({ vips: [VIP6], interfaces: ['eth1'] }));
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_ignore')), '0', 'eth0 restored');
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth1', 'arp_ignore')), '1');

    await r.configure(null);
    assert.deepEqual(onLo(host), []);
    assert.deepEqual(host.ops.sysctls, pristine);
    assert.equal(host.files.files.has(STATE_FILE), false);
    assert.equal(r.config, null);
    assert.deepEqual(sink.errors, []);
    assert.deepEqual(log.lines, [
      'info real-server role applied: 3 change(s)',
      'info real-server role re-applied: 4 change(s)',
      'info real-server role re-applied: 2 change(s)',
      'info real-server role removed: 3 change(s) undone',
    ]);
  });

  it('never touches `all`, which every other interface of the host reads', async () => {
    const host = fakeHost();
    const { role: r } = role(host);
    await r.configure(config());
    for (const name of ['arp_ignore', 'arp_announce', 'rp_filter'])
      assert.equal(host.ops.sysctl(ipv4ConfKey('all', name)), '0', name);
    assert.ok(!host.ops.changes.some((c) => c.includes('/all/')));
  });

  it('restores `all` that an earlier vipd recorded, after the interface took over', async () => {
    const host = fakeHost();
    const all = ipv4ConfKey('all', 'arp_ignore');
    host.ops.sysctls.set(all, '1');
    host.files.files.set(
      STATE_FILE,
      JSON.stringify({
        version: 1,
        sysctls: [{ key: all, previous: '0', applied: '1' }],
        addresses: [],
        sysctlFile: null,
      }),
    );
    const { role: r } = role(host);
    await r.configure(config());
    const eth0 = host.ops.changes.indexOf(`sysctl ${ipv4ConfKey('eth0', 'arp_ignore')}=1`);
    const restored = host.ops.changes.indexOf(`sysctl ${all}=0`);
    assert.ok(eth0 !== -1 && restored > eth0, host.ops.changes.join('\n'));
  });

  it('a reload that changes only the state file undoes with the old file, applies with the new', async () => {
    const host = fakeHost();
    const { role: r } = role(host);
    await r.configure(config({ vips: [VIP4] }));
    await r.configure(config({ vips: [VIP4], state_file: '/var/lib/vipd/other.json' }));
    assert.equal(host.files.files.has(STATE_FILE), false);
    assert.ok(host.files.files.has('/var/lib/vipd/other.json'));
    assert.deepEqual(onLo(host), [VIP4]);
  });

  it('never writes realserver.sysctl_file (the unit keeps /etc read-only)', async () => {
    const host = fakeHost();
    const { role: r } = role(host);
    await r.configure(config({ sysctl_file: '/etc/sysctl.d/90-vipd-realserver.conf' }));
    assert.deepEqual([...host.files.files.keys()], [STATE_FILE]);
    assert.equal(r.config?.sysctlFile, undefined);
  });

  it('a failed apply is logged and counted; the next reload tries again', async () => {
    const host = fakeHost();
    const { role: r, log, sink } = role(host);
    host.ops.failNext('addAddress', new Error('RTNETLINK answers: Operation not permitted'));
    await r.configure(config({ vips: [VIP4] }));
    assert.equal(sink.errors.length, 1);
    assert.match(log.lines.at(-1) ?? '', /^error real-server role could not be applied/);
    await r.configure(config({ vips: [VIP4, VIP6] }));
    assert.deepEqual(onLo(host), [VIP4, VIP6]);
  });

  it('after stop, a late reload changes nothing', async () => {
    const host = fakeHost();
    const { role: r, clock } = role(host);
    await r.configure(config({ vips: [VIP4] }));
    assert.equal(clock.pendingTimers(), 1, 'the watcher runs');
    await r.stop();
    await r.configure(config({ vips: [VIP6] }));
    assert.deepEqual(onLo(host), [VIP4]);
    assert.equal(clock.pendingTimers(), 0, 'no watcher left running');
  });
});
