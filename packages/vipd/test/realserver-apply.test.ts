import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { applyRealServer, removeRealServer } from '../src/realserver/apply.js';
import { formatApplyResult, formatRemoveResult } from '../src/realserver/format.js';
import { RealServerError } from '../src/realserver/errors.js';
import { ipv4ConfKey } from '../src/realserver/kernel.js';
import { NodeFileStore } from '../src/realserver/node-files.js';
import { SYSCTL_FILE_MARKER } from '../src/realserver/sysctl-file.js';
import { config, fakeHost, STATE_FILE, VIP4, VIP6 } from './realserver-fixtures.js';
import type { FakeHost } from './realserver-fixtures.js';
import { tempDir } from './tmpdir.js';

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

  it('repairs a corrupt state file: kept aside, rebuilt from vipd-labelled VIPs, and said so', async () => {
    for (const corrupt of [
      '',
      '{"version":1,"sysctls":[{"key":"net/ipv4/conf/all/arp_ig',
      '{"version":2,"sysctls":[],"addresses":[],"sysctlFile":null}',
    ]) {
      const host = fakeHost();
      await applyRealServer(config(), host.deps);
      host.files.files.set(STATE_FILE, corrupt);
      host.ops.changes.length = 0;

      const result = await removeRealServer(config(), host.deps);
      const copy = `${STATE_FILE}.corrupt-20250102T030405Z`;
      assert.equal(host.files.files.get(copy), corrupt, 'the corrupt file is kept for a human');
      assert.equal(result.stateRepair?.corruptCopy, copy);
      assert.match(
        result.stateRepair.message,
        new RegExp(
          `${STATE_FILE} could not be understood .*kept it as ${copy} and rebuilt it from the host: ${VIP4} on lo with label lo:vip recorded as vipd's.*remove\` leaves sysctls as they are`,
        ),
      );
      // The labelled IPv4 VIP is provably vipd's and goes; the IPv6 VIP carries no mark and
      // the sysctls' old values are lost, so those stay as they are.
      assert.deepEqual(host.ops.changes, [`del ${VIP4}/32 dev lo`]);
      assert.ok(host.ops.addresses.some((a) => a.address === VIP6));
      // apply set the interface's own value (never `all`); its old value is lost with the file.
      assert.equal(host.ops.sysctl(ipv4ConfKey('eth0', 'arp_ignore')), '1');
      assert.equal(host.files.files.has(STATE_FILE), false, 'nothing left to record');
      assert.match(
        formatRemoveResult(result),
        /^warning: realserver state file .* could not be understood/,
      );
    }
  });

  it('repairs a corrupt state file on apply too, and goes on with a valid one', async () => {
    const host = fakeHost();
    await applyRealServer(config(), host.deps);
    host.files.files.set(STATE_FILE, '{not json');
    const result = await applyRealServer(config(), host.deps);
    assert.notEqual(result.stateRepair, null);
    assert.match(
      formatApplyResult(result),
      /^warning: realserver state file \S+ could not be understood \(\S+ is not JSON\)/,
    );
    const state = JSON.parse(host.files.files.get(STATE_FILE) ?? 'null') as {
      addresses: unknown[];
    };
    assert.deepEqual(state.addresses, [
      { address: VIP4, prefixLength: 32, interface: 'lo', scope: 'host', label: 'lo:vip' },
    ]);
    const again = await applyRealServer(config(), host.deps);
    assert.equal(again.stateRepair, null, 'the rebuilt file reads back');
  });

  it('recovers its own sysctl.d snippet from a corrupt state file, by its marker', async () => {
    const path = '/etc/sysctl.d/90-vipd-realserver.conf';
    const host = fakeHost();
    await applyRealServer(config({ sysctl_file: path }), host.deps);
    host.files.files.set(STATE_FILE, '{');
    const result = await removeRealServer(config({ sysctl_file: path }), host.deps);
    assert.equal(result.stateRepair?.recovered.sysctlFile, path);
    assert.equal(host.files.files.has(path), false, 'remove deleted the snippet vipd wrote');
  });

  it('keeps a corrupt state file aside on a real file system', async () => {
    const dir = tempDir();
    try {
      const stateFile = `${dir.path}/realserver-state.json`;
      dir.file('realserver-state.json', '{"version":1,');
      const host = fakeHost();
      const deps = { ...host.deps, files: new NodeFileStore() };
      const result = await applyRealServer(config({ state_file: stateFile }), deps);
      assert.equal(result.stateRepair?.corruptCopy, `${stateFile}.corrupt-20250102T030405Z`);
      assert.equal(readFileSync(result.stateRepair.corruptCopy, 'utf8'), '{"version":1,');
      assert.ok(JSON.parse(readFileSync(stateFile, 'utf8')));
    } finally {
      dir.remove();
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
