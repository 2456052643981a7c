import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRealServer, removeRealServer } from '../src/realserver/apply.js';
import { RealServerError } from '../src/realserver/errors.js';
import { ipv4ConfKey } from '../src/realserver/kernel.js';
import { SYSCTL_FILE_MARKER } from '../src/realserver/sysctl-file.js';
import { config, fakeHost, STATE_FILE, VIP4, VIP6 } from './realserver-fixtures.js';
import type { FakeHost } from './realserver-fixtures.js';

function snapshot(host: FakeHost) {
  return {
    sysctls: new Map(host.ops.sysctls),
    addresses: [...host.ops.addresses],
  };
}

describe('applyRealServer / removeRealServer', () => {
  it('hides sysctls first, then adds the VIPs on lo, and records it all', async () => {
    const host = fakeHost();
    const result = await applyRealServer(config(), host.deps);
    assert.deepEqual(host.ops.changes, [
      'sysctl net/ipv4/conf/eth0/arp_ignore=1',
      'sysctl net/ipv4/conf/eth0/arp_announce=2',
      `add ${VIP4}/32 dev lo`,
      `add ${VIP6}/128 dev lo`,
    ]);
    assert.equal(result.changes.length, 4);
    assert.deepEqual(result.changes[0], {
      action: 'set_sysctl',
      target: 'net/ipv4/conf/eth0/arp_ignore',
      from: '0',
      to: '1',
    });
    assert.deepEqual(host.ops.addresses.filter((a) => a.interface === 'lo').slice(1), [
      {
        interface: 'lo',
        address: VIP4,
        family: 4,
        prefixLength: 32,
        scope: 'host',
        label: 'lo:vip',
      },
      { interface: 'lo', address: VIP6, family: 6, prefixLength: 128, scope: 'global' },
    ]);
    const state = JSON.parse(host.files.files.get(STATE_FILE) ?? 'null') as {
      sysctls: unknown[];
      addresses: unknown[];
    };
    assert.equal(state.sysctls.length, 2);
    assert.deepEqual(state.addresses, [
      { address: VIP4, prefixLength: 32, interface: 'lo', scope: 'host', label: 'lo:vip' },
      { address: VIP6, prefixLength: 128, interface: 'lo' },
    ]);
  });

  it('is idempotent', async () => {
    const host = fakeHost();
    await applyRealServer(config(), host.deps);
    const again = await applyRealServer(config(), host.deps);
    assert.deepEqual(again.changes, []);
    assert.equal(again.report.ok, true);
  });

  it('remove puts the host back exactly as it was', async () => {
    const host = fakeHost();
    host.ops.sysctls.set(ipv4ConfKey('eth0', 'arp_announce'), '1');
    const before = snapshot(host);
    await applyRealServer(config({ rp_filter: 'loose' }), host.deps);
    const removed = await removeRealServer(config(), host.deps);
    assert.deepEqual(snapshot(host), before);
    assert.deepEqual(removed.left, []);
    assert.deepEqual(
      removed.changes.map((c) => c.action),
      ['remove_address', 'remove_address', 'restore_sysctl', 'restore_sysctl'],
    );
    assert.equal(host.files.files.has(STATE_FILE), false);
    assert.deepEqual((await removeRealServer(config(), host.deps)).changes, []);
  });

  it('never lowers a value that already hides the VIP; overwrites one that does not', async () => {
    const host = fakeHost();
    host.ops.sysctls.set(ipv4ConfKey('all', 'arp_ignore'), '2');
    host.ops.sysctls.set(ipv4ConfKey('eth0', 'arp_ignore'), '8');
    host.ops.sysctls.set(ipv4ConfKey('eth0', 'arp_announce'), '3');
    await applyRealServer(config(), host.deps);
    assert.equal(host.ops.sysctl(ipv4ConfKey('all', 'arp_ignore')), '2');
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_ignore')), '1');
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_announce')), '2');
    await removeRealServer(config(), host.deps);
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_ignore')), '8');
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_announce')), '3');
  });

  it('leaves a VIP someone else put on lo when removing', async () => {
    const host = fakeHost();
    host.ops.addresses.push({
      interface: 'lo',
      address: VIP4,
      family: 4,
      prefixLength: 32,
      scope: 'host',
    });
    await applyRealServer(config(), host.deps);
    await removeRealServer(config(), host.deps);
    assert.ok(host.ops.addresses.some((a) => a.address === VIP4));
    assert.ok(!host.ops.addresses.some((a) => a.address === VIP6));
  });

  it('leaves a sysctl that someone changed after apply, and says so', async () => {
    const host = fakeHost();
    await applyRealServer(config(), host.deps);
    host.ops.sysctls.set(ipv4ConfKey('eth0', 'arp_ignore'), '2');
    const removed = await removeRealServer(config(), host.deps);
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_ignore')), '2');
    assert.deepEqual(removed.left, [
      {
        target: 'net/ipv4/conf/eth0/arp_ignore',
        reason: 'now 2, not the 1 vipd set, so it stays',
      },
    ]);
  });

  it('remembers the value from before the first apply across repairs', async () => {
    const host = fakeHost();
    host.ops.sysctls.set(ipv4ConfKey('eth0', 'arp_announce'), '1');
    await applyRealServer(config(), host.deps);
    host.ops.sysctls.set(ipv4ConfKey('eth0', 'arp_announce'), '0'); // drift
    const repair = await applyRealServer(config(), host.deps);
    assert.deepEqual(repair.changes, [
      { action: 'set_sysctl', target: 'net/ipv4/conf/eth0/arp_announce', from: '0', to: '2' },
    ]);
    await removeRealServer(config(), host.deps);
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_announce')), '1');
  });

  it('undoes what a shrunk config no longer asks for', async () => {
    const host = fakeHost(['lo', 'eth0', 'eth1']);
    await applyRealServer(config({ interfaces: ['eth0', 'eth1'] }), host.deps);
    const result = await applyRealServer(config({ vips: [VIP4] }), host.deps);
    assert.deepEqual(
      result.changes.map((c) => `${c.action} ${c.target}`),
      [
        `remove_address ${VIP6}/128 dev lo`,
        'restore_sysctl net/ipv4/conf/eth1/arp_announce',
        'restore_sysctl net/ipv4/conf/eth1/arp_ignore',
      ],
    );
    assert.equal(result.report.ok, true);
  });

  it('rp_filter loose: loosens only an interface whose effective value is strict', async () => {
    const host = fakeHost(['lo', 'eth0', 'eth1']);
    host.ops.sysctls.set(ipv4ConfKey('all', 'rp_filter'), '1');
    host.ops.sysctls.set(ipv4ConfKey('eth1', 'rp_filter'), '2');
    await applyRealServer(config({ interfaces: ['eth0', 'eth1'], rp_filter: 'loose' }), host.deps);
    assert.equal(host.ops.sysctl(ipv4ConfKey('all', 'rp_filter')), '1');
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'rp_filter')), '2');
    assert.ok(!host.ops.changes.some((c) => c.includes('eth1/rp_filter')));
  });

  it('an address that cannot be added is not recorded; what came before is', async () => {
    const host = fakeHost();
    host.ops.failNext('addAddress', new RealServerError('REALSERVER_COMMAND_FAILED', 'boom'));
    await assert.rejects(applyRealServer(config(), host.deps), {
      code: 'REALSERVER_COMMAND_FAILED',
    });
    const state = JSON.parse(host.files.files.get(STATE_FILE) ?? '{}') as {
      sysctls: unknown[];
      addresses: unknown[];
    };
    assert.equal(state.sysctls.length, 2);
    assert.deepEqual(state.addresses, []);
    await removeRealServer(config(), host.deps);
    assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_ignore')), '0');
  });

  it('a sysctl that cannot be written is not recorded', async () => {
    const host = fakeHost();
    host.ops.failNext('writeSysctl', new Error('EPERM'));
    await assert.rejects(applyRealServer(config(), host.deps), /EPERM/);
    assert.equal(host.files.files.has(STATE_FILE), false);
  });

  it('refuses a state file it cannot understand, without touching the host', async () => {
    for (const text of [
      '{not json',
      '{"version":2,"sysctls":[],"addresses":[],"sysctlFile":null}',
    ]) {
      const host = fakeHost();
      host.files.files.set(STATE_FILE, text);
      await assert.rejects(removeRealServer(config(), host.deps), (error: unknown) => {
        assert.ok(error instanceof RealServerError);
        assert.equal(error.code, 'REALSERVER_STATE_INVALID');
        assert.match(error.message, new RegExp(STATE_FILE));
        return true;
      });
      assert.deepEqual(host.ops.changes, []);
    }
  });

  it('writes a sysctl.d snippet with the values in force, and removes it again', async () => {
    const path = '/etc/sysctl.d/90-vipd-realserver.conf';
    const host = fakeHost(['lo', 'eth0', 'eth0.100']);
    host.ops.sysctls.set(ipv4ConfKey('all', 'arp_ignore'), '2');
    await applyRealServer(
      config({ interfaces: ['eth0', 'eth0.100'], sysctl_file: path }),
      host.deps,
    );
    const text = host.files.files.get(path) ?? '';
    assert.ok(text.startsWith(SYSCTL_FILE_MARKER));
    const settings = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    assert.deepEqual(settings, [
      'net.ipv4.conf.eth0.arp_ignore = 1',
      'net.ipv4.conf.eth0.arp_announce = 2',
      'net/ipv4/conf/eth0.100/arp_ignore = 1',
      'net/ipv4/conf/eth0.100/arp_announce = 2',
    ]);
    const removed = await removeRealServer(config(), host.deps);
    assert.ok(removed.changes.some((c) => c.action === 'remove_sysctl_file'));
    assert.equal(host.files.files.has(path), false);
  });

  it('never overwrites a sysctl.d file it did not write', async () => {
    const path = '/etc/sysctl.d/99-local.conf';
    const host = fakeHost();
    host.files.files.set(path, 'net.ipv4.ip_forward = 1\n');
    await assert.rejects(applyRealServer(config({ sysctl_file: path }), host.deps), {
      code: 'REALSERVER_SYSCTL_FILE_FOREIGN',
    });
    assert.equal(host.files.files.get(path), 'net.ipv4.ip_forward = 1\n');
  });
});
