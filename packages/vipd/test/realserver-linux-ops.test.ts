// LinuxSystemOps against a real kernel, inside a network namespace this test creates.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAddressManager } from '@vipd/arp';
import { applyRealServer, removeRealServer } from '../src/realserver/apply.js';
import { checkRealServer } from '../src/realserver/check.js';
import { parseRealServerSection } from '../src/realserver/config.js';
import { InMemoryFileStore } from '../src/realserver/memory-ops.js';
import { LinuxSystemOps } from '../src/realserver/linux-ops.js';
import type { HostAddress } from '../src/realserver/types.js';
import { NetnsLab, netnsSkipReason } from '@vipd/testkit';

const skip = netnsSkipReason();

interface IpLink {
  ifname?: string;
  addr_info?: {
    local?: string;
    prefixlen?: number;
    scope?: string;
    label?: string;
  }[];
}

describe('LinuxSystemOps in a network namespace', { skip }, () => {
  let lab: NetnsLab;
  let ns: string;
  let peer: string;
  let ops: LinuxSystemOps;

  before(() => {
    lab = new NetnsLab('rsops');
    ns = lab.namespace('host');
    peer = lab.namespace('peer');
    lab.veth(ns, 'eth0', peer, 'eth0');
    lab.veth(ns, 'eth1', peer, 'eth1');
    lab.exec(ns, ['ip', 'addr', 'add', '10.213.31.2/24', 'dev', 'eth0']);
    lab.exec(ns, ['ip', 'addr', 'add', '10.213.32.2/24', 'dev', 'eth1']);
    ops = new LinuxSystemOps({ netns: ns });
  });
  after(() => {
    lab.destroy();
  });

  /** The namespace's addresses as `ip -j addr show` lists them, in its order. */
  function ipAddrShow(): HostAddress[] {
    const links = JSON.parse(lab.exec(ns, ['ip', '-j', 'addr', 'show'])) as IpLink[];
    return links.flatMap((link) =>
      (link.addr_info ?? []).map((a) => {
        const local = a.local ?? '';
        return {
          interface: link.ifname ?? '',
          address: local,
          family: local.includes(':') ? 6 : 4,
          prefixLength: a.prefixlen ?? -1,
          scope: a.scope ?? '',
          ...(a.label === undefined ? {} : { label: a.label }),
        };
      }),
    );
  }

  it('lists interfaces and reads/writes sysctls inside the namespace only', async () => {
    assert.deepEqual([...(await ops.listInterfaces())].sort(), ['eth0', 'eth1', 'lo']);
    await ops.writeSysctl('net/ipv4/conf/eth0/arp_ignore', '1');
    assert.equal(await ops.readSysctl('net/ipv4/conf/eth0/arp_ignore'), '1');
    assert.equal(lab.exec(ns, ['sysctl', '-n', 'net.ipv4.conf.eth0.arp_ignore']).trim(), '1');
    assert.equal(
      lab.exec(peer, ['sysctl', '-n', 'net.ipv4.conf.eth0.arp_ignore']).trim(),
      '0',
      'the peer namespace is untouched',
    );
    assert.equal(await ops.readSysctl('net/ipv4/conf/eth9/arp_ignore'), null);
    await assert.rejects(ops.readSysctl('net/ipv4/conf/../../../etc/x'), /refusing/);
    await ops.writeSysctl('net/ipv4/conf/eth0/arp_ignore', '0');
  });

  it('adds, lists and removes a hidden VIP as `ip` shows it', async () => {
    await ops.addAddress({
      address: '10.213.31.100',
      prefixLength: 32,
      interface: 'lo',
      scope: 'host',
      label: 'lo:vip',
    });
    await ops.addAddress({ address: 'fd00:213:31::100', prefixLength: 128, interface: 'lo' });
    const onLo = (await ops.listAddresses()).filter((a) => a.interface === 'lo');
    assert.deepEqual(
      onLo.find((a) => a.address === '10.213.31.100'),
      {
        interface: 'lo',
        address: '10.213.31.100',
        family: 4,
        prefixLength: 32,
        scope: 'host',
        label: 'lo:vip',
      },
    );
    assert.deepEqual(
      onLo.find((a) => a.family === 6 && a.address !== '::1'),
      {
        interface: 'lo',
        address: 'fd00:213:31::100',
        family: 6,
        prefixLength: 128,
        scope: 'global',
      },
    );
    assert.deepEqual(await ops.listAddresses(), ipAddrShow(), 'every address, in `ip` order');
    const addressManager = createAddressManager({ netns: ns });
    try {
      assert.deepEqual(
        addressManager.listManagedNow(),
        [],
        'no IFA_PROTO mark: the daemon never takes them for VIPs of its own to clean up',
      );
    } finally {
      addressManager.close();
    }
    await assert.rejects(
      ops.addAddress({ address: '10.213.31.100', prefixLength: 32, interface: 'lo' }),
      { code: 'REALSERVER_COMMAND_FAILED', message: /EEXIST/ },
      'an address already there is refused, as `ip addr add` refuses it',
    );
    await ops.removeAddress({ address: '10.213.31.100', prefixLength: 32, interface: 'lo' });
    await ops.removeAddress({ address: 'fd00:213:31::100', prefixLength: 128, interface: 'lo' });
    await assert.rejects(
      ops.removeAddress({ address: '10.213.31.100', prefixLength: 32, interface: 'lo' }),
      { code: 'REALSERVER_COMMAND_FAILED', message: /EADDRNOTAVAIL/ },
      'an address that is not there is refused, as `ip addr del` refuses it',
    );
    const left = (await ops.listAddresses()).filter((a) => a.interface === 'lo');
    assert.deepEqual(left.map((a) => a.address).sort(), ['127.0.0.1', '::1']);
    await assert.rejects(
      ops.addAddress({ address: '10.213.31.100', prefixLength: 32, interface: 'eth9' }),
      {
        code: 'REALSERVER_COMMAND_FAILED',
        message:
          /^adding 10\.213\.31\.100\/32 dev eth9 in network namespace rsops\S+ failed: no interface "eth9"$/,
      },
    );
  });

  it('reads default routes and proxy neighbour entries', async () => {
    assert.deepEqual(await ops.defaultRouteInterfaces(4), []);
    lab.exec(ns, ['ip', 'route', 'add', 'default', 'via', '10.213.32.1', 'dev', 'eth1']);
    assert.deepEqual(await ops.defaultRouteInterfaces(4), ['eth1']);
    assert.deepEqual(await ops.defaultRouteInterfaces(6), []);
    lab.exec(ns, ['ip', '-6', 'neigh', 'add', 'proxy', 'fd00:213:31::100', 'dev', 'eth0']);
    assert.deepEqual(await ops.listProxyNeighbours(), [
      { address: 'fd00:213:31::100', interface: 'eth0' },
    ]);
    lab.exec(ns, ['ip', '-6', 'neigh', 'del', 'proxy', 'fd00:213:31::100', 'dev', 'eth0']);
  });

  it('asks the kernel whether rp_filter accepts a client on an interface', async () => {
    lab.exec(ns, ['ip', 'addr', 'add', '10.213.31.100/32', 'scope', 'host', 'dev', 'lo']);
    const query = { destination: '10.213.31.100', source: '198.51.100.7', inputInterface: 'eth0' };
    await ops.writeSysctl('net/ipv4/conf/all/rp_filter', '1');
    assert.equal(await ops.acceptsInput(query), false, 'strict: the route back is via eth1');
    assert.equal(await ops.acceptsInput({ ...query, inputInterface: 'eth1' }), true);
    assert.equal(await ops.acceptsInput({ ...query, source: '10.213.31.9' }), true, 'on-link');
    await ops.writeSysctl('net/ipv4/conf/eth0/rp_filter', '2');
    assert.equal(await ops.acceptsInput(query), true, 'loose: max(1, 2) = 2');
    await ops.writeSysctl('net/ipv4/conf/all/rp_filter', '0');
    await ops.writeSysctl('net/ipv4/conf/eth0/rp_filter', '0');
    lab.exec(ns, ['ip', 'addr', 'del', '10.213.31.100/32', 'dev', 'lo']);
  });

  it('apply, check and remove round-trip on the real kernel', async () => {
    const files = new InMemoryFileStore();
    const deps = { ops, files };
    const section = {
      vips: ['10.213.31.100', 'fd00:213:31::100'],
      interfaces: ['eth0', 'eth1'],
      client_probes: ['198.51.100.7'],
      state_file: '/state.json',
    };
    const cfg = parseRealServerSection(section);
    lab.exec(ns, ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=1']);
    const keys = ['all', 'eth0', 'eth1'].flatMap((i) =>
      ['arp_ignore', 'arp_announce', 'rp_filter'].map((k) => `net/ipv4/conf/${i}/${k}`),
    );
    const readAll = () => Promise.all(keys.map((k) => ops.readSysctl(k)));
    const beforeValues = await readAll();
    assert.equal((await checkRealServer(cfg, deps)).ok, false);

    const kept = await applyRealServer(cfg, deps);
    assert.equal(kept.report.vips[0]!.hidden, true);
    assert.deepEqual(
      kept.report.vips[0]!.problems.map((p) => `${p.reason} ${p.interface ?? ''}`),
      ['rp_filter_drops eth0'],
      'the kernel says strict rp_filter drops the probe client on eth0, not on eth1',
    );

    const loose = await applyRealServer(
      parseRealServerSection({ ...section, rp_filter: 'loose' }),
      deps,
    );
    assert.equal(loose.report.ok, true, JSON.stringify(loose.report, null, 1));
    assert.equal(lab.exec(ns, ['sysctl', '-n', 'net.ipv4.conf.eth0.rp_filter']).trim(), '2');

    await removeRealServer(cfg, deps);
    assert.deepEqual(await readAll(), beforeValues);
    const left = (await ops.listAddresses()).filter((a) => a.interface === 'lo');
    assert.deepEqual(left.map((a) => a.address).sort(), ['127.0.0.1', '::1']);
    lab.exec(ns, ['sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0']);
  });
});
