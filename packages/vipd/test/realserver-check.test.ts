import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyRealServer } from '../src/realserver/apply.js';
import { checkRealServer, IPV6_NOTE } from '../src/realserver/check.js';
import { ipv4ConfKey, ipv6ConfKey } from '../src/realserver/kernel.js';
import { config, fakeHost, reasons, VIP4, VIP6 } from './realserver-fixtures.js';

const hiddenV4 = {
  interface: 'lo',
  address: VIP4,
  family: 4,
  prefixLength: 32,
  scope: 'host',
  label: 'lo:vip',
} as const;
const hiddenV6 = {
  interface: 'lo',
  address: VIP6,
  family: 6,
  prefixLength: 128,
  scope: 'global',
} as const;

/** A host that is correct except for what each test breaks. */
function hiddenHost() {
  const host = fakeHost();
  host.ops.addresses.push(hiddenV4, hiddenV6);
  host.ops.sysctls.set(ipv4ConfKey('all', 'arp_ignore'), '1');
  host.ops.sysctls.set(ipv4ConfKey('all', 'arp_announce'), '2');
  return host;
}

describe('checkRealServer', () => {
  it('finds everything wrong on a host as the kernel leaves it', async () => {
    const { deps } = fakeHost();
    const report = await checkRealServer(config(), deps);
    assert.equal(report.ok, false);
    assert.equal(report.checkedAt, '2025-01-02T03:04:05.000Z');
    const v4 = report.vips[0]!;
    const v6 = report.vips[1]!;
    assert.equal(v4.hidden, false);
    assert.deepEqual(v4.problems.map((p) => p.reason).sort(), [
      'address_missing',
      'arp_announce_too_low',
      'arp_ignore_too_low',
    ]);
    assert.ok(v4.problems.every((p) => p.repairable));
    assert.deepEqual(
      v6.problems.map((p) => p.reason),
      ['address_missing'],
    );
    assert.deepEqual(report.interfaces[0]?.arpIgnore, { all: 0, iface: 0, effective: 0 });
  });

  it('is OK once apply ran', async () => {
    const { deps } = fakeHost();
    const { report } = await applyRealServer(config(), deps);
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.vips.map((v) => [v.vip, v.hidden, v.onLoopback]),
      [
        [VIP4, true, { prefixLength: 32, scope: 'host' }],
        [VIP6, true, { prefixLength: 128, scope: 'global' }],
      ],
    );
    assert.deepEqual(report.vips[1]?.notes, [IPV6_NOTE]);
  });

  it('takes max(all, interface) for arp_ignore and arp_announce, as the kernel does', async () => {
    const cases = [
      { all: ['0', '0'], iface: ['1', '2'], ok: true },
      { all: ['1', '0'], iface: ['0', '2'], ok: true },
      { all: ['1', '2'], iface: ['0', '0'], ok: true },
      { all: ['0', '2'], iface: ['0', '0'], ok: false },
      { all: ['1', '0'], iface: ['0', '0'], ok: false },
      { all: ['1', '3'], iface: ['1', '0'], ok: false },
      { all: ['5', '2'], iface: ['1', '2'], ok: false },
    ];
    for (const c of cases) {
      const { ops, deps } = hiddenHost();
      ops.sysctls.set(ipv4ConfKey('all', 'arp_ignore'), c.all[0]!);
      ops.sysctls.set(ipv4ConfKey('all', 'arp_announce'), c.all[1]!);
      ops.sysctls.set(ipv4ConfKey('eth0', 'arp_ignore'), c.iface[0]!);
      ops.sysctls.set(ipv4ConfKey('eth0', 'arp_announce'), c.iface[1]!);
      const report = await checkRealServer(config({ vips: [VIP4] }), deps);
      assert.equal(report.ok, c.ok, JSON.stringify(c));
      assert.equal(report.vips[0]?.hidden, c.ok, JSON.stringify(c));
    }
  });

  it('arp_ignore 3 hides a scope host VIP but answers for scope global: wrong_scope', async () => {
    const { ops, deps } = hiddenHost();
    ops.sysctls.set(ipv4ConfKey('all', 'arp_ignore'), '3');
    assert.equal((await checkRealServer(config(), deps)).ok, true);
    ops.addresses.splice(ops.addresses.indexOf(hiddenV4), 1, { ...hiddenV4, scope: 'global' });
    const report = await checkRealServer(config(), deps);
    assert.equal(report.vips[0]?.hidden, false);
    assert.deepEqual(reasons(report), ['wrong_scope']);
    assert.equal(report.vips[0].problems[0]!.repairable, false);
  });

  it('arp_ignore 8 hides the VIP but makes the host unreachable', async () => {
    const { ops, deps } = hiddenHost();
    ops.sysctls.set(ipv4ConfKey('eth0', 'arp_ignore'), '8');
    const report = await checkRealServer(config({ vips: [VIP4] }), deps);
    assert.equal(report.vips[0]?.hidden, true);
    assert.equal(report.ok, false);
    assert.deepEqual(reasons(report), ['arp_ignore_blocks_all']);
  });

  it('a VIP on lo with a subnet prefix, or also on a LAN interface, is wrong', async () => {
    const { ops, deps } = hiddenHost();
    ops.addresses.splice(ops.addresses.indexOf(hiddenV4), 1, { ...hiddenV4, prefixLength: 24 });
    ops.addresses.push({ ...hiddenV6, interface: 'eth0' });
    const report = await checkRealServer(config(), deps);
    assert.deepEqual(reasons(report), ['vip_on_lan_interface', 'wrong_prefix']);
    assert.deepEqual(
      report.vips.map((v) => v.hidden),
      [false, false],
    );
    assert.match(report.vips[1]?.problems[0]?.message ?? '', /eth0, which answers neighbour/);
  });

  it('reports an interface that does not exist', async () => {
    const { deps } = hiddenHost();
    const report = await checkRealServer(config({ interfaces: ['eth0', 'eth9'] }), deps);
    assert.deepEqual(reasons(report), ['interface_missing', 'interface_missing']);
    assert.equal(report.interfaces[1]?.exists, false);
  });

  it('strict rp_filter is a problem only when the route back leaves elsewhere', async () => {
    const { ops, deps } = hiddenHost();
    ops.sysctls.set(ipv4ConfKey('all', 'rp_filter'), '1');
    ops.defaultRoutes[4].push('eth0');
    let report = await checkRealServer(config({ vips: [VIP4] }), deps);
    assert.equal(report.ok, true);
    assert.match(report.vips[0]?.notes[0] ?? '', /strict/);

    ops.addInterface('eth1');
    ops.defaultRoutes[4].splice(0, 1, 'eth1');
    report = await checkRealServer(config({ vips: [VIP4] }), deps);
    assert.deepEqual(reasons(report), ['rp_filter_strict']);
    assert.equal(report.vips[0]?.hidden, true);
    assert.equal(report.vips[0].problems[0]!.repairable, false);
    report = await checkRealServer(config({ vips: [VIP4], rp_filter: 'loose' }), deps);
    assert.equal(report.vips[0]?.problems[0]?.repairable, true);
  });

  it('asks the kernel about each client probe', async () => {
    const { ops, deps } = hiddenHost();
    ops.addInterface('eth1');
    ops.sysctls.set(ipv4ConfKey('eth0', 'rp_filter'), '1');
    ops.defaultRoutes[4].push('eth0');
    ops.routeBack.set('198.51.100.7', 'eth1');
    const cfg = config({ vips: [VIP4], client_probes: ['203.0.113.9', '198.51.100.7'] });
    const report = await checkRealServer(cfg, deps);
    assert.deepEqual(reasons(report), ['rp_filter_drops']);
    assert.match(report.vips[0]?.problems[0]?.message ?? '', /from 198\.51\.100\.7/);
    ops.sysctls.set(ipv4ConfKey('eth0', 'rp_filter'), '2');
    assert.equal((await checkRealServer(cfg, deps)).ok, true);
  });

  it('IPv6 needs no sysctl, but a proxy NDP entry for the VIP exposes it', async () => {
    const { ops, deps } = fakeHost();
    ops.addresses.push(hiddenV6);
    const cfg = config({ vips: [VIP6] });
    assert.equal((await checkRealServer(cfg, deps)).ok, true);
    ops.proxyNeighbours.push({ address: VIP6, interface: 'eth0' });
    assert.equal((await checkRealServer(cfg, deps)).ok, true, 'proxy_ndp is still off');
    ops.sysctls.set(ipv6ConfKey('all', 'proxy_ndp'), '1');
    assert.equal((await checkRealServer(cfg, deps)).ok, true, 'eth0 does not forward');
    ops.sysctls.set(ipv6ConfKey('eth0', 'forwarding'), '1');
    const report = await checkRealServer(cfg, deps);
    assert.deepEqual(reasons(report), ['ipv6_proxy_ndp']);
    assert.equal(report.vips[0]?.hidden, false);
  });
});
