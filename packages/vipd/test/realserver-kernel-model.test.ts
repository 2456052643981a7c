// The kernel model in src/realserver/kernel.ts against the running kernel: for each row, set
// the sysctls in a server namespace, let a client namespace ARP for a VIP on the server's lo,
// and compare who answered with what the model predicts. Same for arp_announce: does an ARP
// request the server sends carry the VIP as sender (and so teach the client the VIP's MAC)?

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  arpAnnounceHidesVip,
  arpIgnoreVerdict,
  effectiveSysctl,
} from '../src/realserver/kernel.js';
import { NetnsLab, netnsSkipReason } from '@vipd/testkit';

const skip = netnsSkipReason(['ping']);
const CLIENT_IP = '10.213.33.1';
const SERVER_IP = '10.213.33.2';
const VIP = '10.213.33.100';
const CLIENT_IP6 = 'fd00:213:33::1';
const SERVER_IP6 = 'fd00:213:33::2';
const VIP6 = 'fd00:213:33::100';

describe('kernel model against the running kernel', { skip }, () => {
  let lab: NetnsLab;
  let client: string;
  let server: string;
  let serverMac: string;

  before(() => {
    lab = new NetnsLab('rskm');
    client = lab.namespace('c');
    server = lab.namespace('s');
    lab.veth(client, 'eth0', server, 'eth0');
    lab.exec(client, ['ip', 'addr', 'add', `${CLIENT_IP}/24`, 'dev', 'eth0']);
    lab.exec(server, ['ip', 'addr', 'add', `${SERVER_IP}/24`, 'dev', 'eth0']);
    lab.exec(client, ['ip', 'addr', 'add', `${CLIENT_IP6}/64`, 'dev', 'eth0', 'nodad']);
    lab.exec(server, ['ip', 'addr', 'add', `${SERVER_IP6}/64`, 'dev', 'eth0', 'nodad']);
    serverMac = lab.mac(server, 'eth0');
  });
  after(() => {
    lab.destroy();
  });

  function setSysctls(name: string, all: number, iface: number): void {
    lab.exec(server, [
      'sysctl',
      '-qw',
      `net.ipv4.conf.all.${name}=${String(all)}`,
      `net.ipv4.conf.eth0.${name}=${String(iface)}`,
    ]);
  }

  function setVipScope(scope: 'host' | 'global'): void {
    lab.exec(server, ['ip', 'addr', 'flush', 'dev', 'lo', 'to', `${VIP}/32`]);
    lab.exec(server, ['ip', 'addr', 'add', `${VIP}/32`, 'scope', scope, 'dev', 'lo']);
  }

  /** The MAC the client learnt for `address`, or null. */
  function clientLearnt(address: string): string | null {
    const entries = JSON.parse(
      lab.exec(client, ['ip', '-j', 'neigh', 'show', address, 'dev', 'eth0']),
    ) as { lladdr?: string }[];
    return entries[0]?.lladdr ?? null;
  }

  function flushNeighbours(): void {
    lab.exec(client, ['ip', 'neigh', 'flush', 'dev', 'eth0']);
    lab.exec(server, ['ip', 'neigh', 'flush', 'dev', 'eth0']);
  }

  /** Client pings `address` once: its kernel ARPs for it first. */
  function clientResolves(address: string): string | null {
    flushNeighbours();
    try {
      lab.exec(client, ['ping', '-c1', '-W0.3', address]);
    } catch {
      // No answer is an answer here: the neighbour table says what happened.
    }
    return clientLearnt(address);
  }

  const arpIgnoreRows: [number, number, 'host' | 'global'][] = [
    [0, 0, 'host'],
    [1, 0, 'host'],
    [0, 1, 'host'],
    [0, 2, 'host'],
    [3, 0, 'host'],
    [0, 3, 'global'],
    [3, 1, 'global'],
    [5, 0, 'host'],
    [0, 8, 'host'],
    [9, 0, 'host'],
  ];
  for (const [all, iface, scope] of arpIgnoreRows) {
    it(`arp_ignore all=${String(all)} eth0=${String(iface)}, VIP scope ${scope}`, () => {
      setVipScope(scope);
      setSysctls('arp_ignore', all, iface);
      const effective = effectiveSysctl(all, iface).effective ?? 0;
      const verdict = arpIgnoreVerdict(effective, scope === 'host');
      const learnt = clientResolves(VIP);
      assert.equal(learnt, verdict === 'answers' ? serverMac : null, `model says ${verdict}`);
      const ownAnswered = clientResolves(SERVER_IP) === serverMac;
      assert.equal(ownAnswered, verdict !== 'answers_nothing', 'the server’s own address');
    });
  }

  const arpAnnounceRows: [number, number][] = [
    [0, 0],
    [2, 0],
    [0, 2],
    [1, 0],
    [3, 0],
    [1, 2],
  ];
  for (const [all, iface] of arpAnnounceRows) {
    it(`arp_announce all=${String(all)} eth0=${String(iface)}`, () => {
      setVipScope('host');
      setSysctls('arp_ignore', 1, 1);
      setSysctls('arp_announce', all, iface);
      flushNeighbours();
      // The server speaks first, from the VIP: its kernel must ARP for the client.
      try {
        lab.exec(server, ['ping', '-c1', '-W0.3', '-I', VIP, CLIENT_IP]);
      } catch {
        // Whether the echo came back does not matter; the ARP request is what we look at.
      }
      const leaked = clientLearnt(VIP) === serverMac;
      const hides = arpAnnounceHidesVip(effectiveSysctl(all, iface).effective ?? 0);
      assert.equal(leaked, !hides, `model says ${hides ? 'hidden' : 'leaks'}`);
      assert.equal(clientLearnt(SERVER_IP) === serverMac, hides, 'sender was the real address');
    });
  }

  it('IPv6: a /128 on lo is never answered by neighbour discovery, with no sysctl at all', () => {
    lab.exec(server, ['ip', 'addr', 'add', `${VIP6}/128`, 'dev', 'lo']);
    assert.equal(clientResolves(VIP6), null, 'no NA for the lo VIP');
    assert.equal(clientResolves(SERVER_IP6), serverMac, 'the interface’s own address is answered');
  });

  it('IPv6: a proxy entry for the VIP answers only with proxy_ndp and forwarding on', () => {
    // Proxied answers are otherwise delayed up to proxy_delay (0.8 s) at random.
    lab.exec(server, ['sysctl', '-qw', 'net.ipv6.neigh.eth0.proxy_delay=0']);
    lab.exec(server, ['ip', '-6', 'neigh', 'add', 'proxy', VIP6, 'dev', 'eth0']);
    const rows: [number, number, boolean][] = [
      [0, 0, false],
      [1, 0, false],
      [0, 1, false],
      [1, 1, true],
    ];
    for (const [proxyNdp, forwarding, answered] of rows) {
      lab.exec(server, [
        'sysctl',
        '-qw',
        `net.ipv6.conf.eth0.proxy_ndp=${String(proxyNdp)}`,
        `net.ipv6.conf.eth0.forwarding=${String(forwarding)}`,
      ]);
      const learnt = clientResolves(VIP6);
      assert.equal(
        learnt,
        answered ? serverMac : null,
        `proxy_ndp ${String(proxyNdp)} fwd ${String(forwarding)}`,
      );
    }
  });
});
