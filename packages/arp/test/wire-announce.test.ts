// Real frames on a real (namespaced) LAN: a client whose neighbour entry still points at the
// old master's MAC follows the new master after the announcement, and an independent
// dissector (tshark) reads the frames as gratuitous ARP / unsolicited NA with the right fields.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAddressManager, type NetlinkAddressManager } from '../src/address-manager.js';
import { createAnnouncer, type FrameAnnouncer } from '../src/announcer.js';
import { encode } from '../src/codec/frame.js';
import { openPacketSocket } from '../src/sys/packet-socket.js';
import type { Vip } from '../src/types.js';
import {
  HOST_INTERFACE,
  poll,
  captureFrames,
  netnsSkipReason,
  createSwitchedLab,
  type NetnsLab,
  type LabHost,
} from '@vipd/testkit';
import { sleep } from './helpers/wait.js';

const MASTER_MAC = '52:54:00:00:01:01';
const CLIENT_MAC = '52:54:00:00:01:02';
const OLD_MASTER_MAC = '52:54:00:00:01:99';
const VIP4: Vip = { address: '10.213.0.100', prefixLength: 24, interface: HOST_INTERFACE };
const VIP6: Vip = { address: 'fd00:213::100', prefixLength: 64, interface: HOST_INTERFACE };
const QUICK = { repeat: 2, intervalMs: 50, secondBurstDelayMs: 0 };

describe('announcing on the wire', { skip: netnsSkipReason() }, () => {
  let lab: NetnsLab;
  let master: LabHost;
  let client: LabHost;
  let addresses: NetlinkAddressManager;
  let announcer: FrameAnnouncer;

  before(() => {
    lab = createSwitchedLab('arp');
    master = lab.addHost('mas', MASTER_MAC);
    client = lab.addHost('cli', CLIENT_MAC);
    lab.ip(master.netns, 'addr', 'add', '10.213.0.1/24', 'dev', HOST_INTERFACE);
    lab.ip(master.netns, 'addr', 'add', 'fd00:213::1/64', 'dev', HOST_INTERFACE, 'nodad');
    lab.ip(client.netns, 'addr', 'add', '10.213.0.2/24', 'dev', HOST_INTERFACE);
    lab.ip(client.netns, 'addr', 'add', 'fd00:213::2/64', 'dev', HOST_INTERFACE, 'nodad');
    addresses = createAddressManager({ netns: master.netns });
    announcer = createAnnouncer({ netns: master.netns, schedule: QUICK });
  });

  after(() => {
    announcer.close();
    addresses.close();
    lab.destroy();
  });

  /** The client's neighbour entry for `address`: "lladdr STATE". */
  const neighbour = (address: string): string =>
    lab.ip(client.netns, 'neigh', 'show', address, 'dev', HOST_INTERFACE).trim();
  const seedStale = (address: string): void => {
    lab.ip(
      client.netns,
      'neigh',
      'replace',
      address,
      'lladdr',
      OLD_MASTER_MAC,
      'dev',
      HOST_INTERFACE,
      'nud',
      'stale',
    );
  };

  it("moves a client's stale IPv4 entry to the new master's MAC, and traffic follows", async () => {
    seedStale(VIP4.address);
    assert.match(neighbour(VIP4.address), new RegExp(OLD_MASTER_MAC));
    addresses.addNow(VIP4);
    announcer.announce('web', [VIP4]);
    await poll('the entry to flip', () =>
      neighbour(VIP4.address).includes(MASTER_MAC) ? true : undefined,
    );
    // -w: a deadline rather than a single try, because this 2-core machine is shared.
    lab.exec(client.netns, ['ping', '-c', '1', '-w', '5', VIP4.address]);
    announcer.stop('web');
  });

  it("moves a client's stale IPv6 entry with an unsolicited NA", async () => {
    seedStale(VIP6.address);
    addresses.addNow(VIP6);
    announcer.announce('web6', [VIP6]);
    await poll('the entry to flip', () =>
      neighbour(VIP6.address).includes(MASTER_MAC) ? true : undefined,
    );
    lab.exec(client.netns, ['ping', '-6', '-c', '1', '-w', '5', VIP6.address]);
    announcer.stop('web6');
  });

  it('tshark in the client namespace reads gratuitous ARP request and reply, 60 bytes each', async () => {
    const frames = await captureFrames(
      { netns: client.netns, captureFilter: 'arp' },
      () => {
        announcer.announce('both', [VIP4], { mode: 'both', repeat: 1 });
      },
      {
        displayFilter: 'arp',
        fields: [
          'frame.len',
          'eth.dst',
          'eth.src',
          'arp.opcode',
          'arp.src.hw_mac',
          'arp.src.proto_ipv4',
          'arp.dst.hw_mac',
          'arp.dst.proto_ipv4',
          'arp.isgratuitous',
        ],
      },
    );
    const common = {
      'frame.len': '60',
      'eth.dst': 'ff:ff:ff:ff:ff:ff',
      'eth.src': MASTER_MAC,
      'arp.src.hw_mac': MASTER_MAC,
      'arp.src.proto_ipv4': VIP4.address,
      'arp.dst.proto_ipv4': VIP4.address,
      'arp.isgratuitous': '1',
    };
    assert.deepEqual(frames, [
      { ...common, 'arp.opcode': '1', 'arp.dst.hw_mac': '00:00:00:00:00:00' },
      { ...common, 'arp.opcode': '2', 'arp.dst.hw_mac': MASTER_MAC },
    ]);
  });

  it('tshark reads the unsolicited NA: Override, not Solicited, hop limit 255, ff02::1, good checksum', async () => {
    const frames = await captureFrames(
      { netns: client.netns, captureFilter: 'icmp6' },
      () => {
        announcer.announce('na', [VIP6], { repeat: 1 });
      },
      {
        displayFilter: 'icmpv6.type == 136',
        fields: [
          'eth.dst',
          'eth.src',
          'ipv6.src',
          'ipv6.dst',
          'ipv6.hlim',
          'icmpv6.code',
          'icmpv6.checksum.status',
          'icmpv6.nd.na.flag.r',
          'icmpv6.nd.na.flag.s',
          'icmpv6.nd.na.flag.o',
          'icmpv6.nd.na.target_address',
          'icmpv6.opt.type',
          'icmpv6.opt.linkaddr',
        ],
      },
    );
    assert.deepEqual(frames, [
      {
        'eth.dst': '33:33:00:00:00:01',
        'eth.src': MASTER_MAC,
        'ipv6.src': VIP6.address,
        'ipv6.dst': 'ff02::1',
        'ipv6.hlim': '255',
        'icmpv6.code': '0',
        'icmpv6.checksum.status': '1', // Wireshark: 0 bad, 1 good, 2 unverified
        'icmpv6.nd.na.flag.r': '0',
        'icmpv6.nd.na.flag.s': '0',
        'icmpv6.nd.na.flag.o': '1',
        'icmpv6.nd.na.target_address': VIP6.address,
        'icmpv6.opt.type': '2',
        'icmpv6.opt.linkaddr': MASTER_MAC,
      },
    ]);
  });

  it('inside locktime (1 s) a gratuitous reply still moves the client, an ordinary reply does not', async () => {
    // Why the first frame must carry the update: Linux keeps an entry for locktime after each
    // update and ignores ordinary replies meanwhile; only gratuitous frames (THA == SHA for a
    // reply) override it (Linux 4.13+). vipd's gratuitous reply sets THA = SHA for this reason.
    const address = '10.213.0.101';
    const socket = openPacketSocket(HOST_INTERFACE, { netns: master.netns });
    try {
      seedStale(address);
      announcer.announce('lock', [{ ...VIP4, address }], { mode: 'reply', repeat: 1 });
      await poll('the first update', () =>
        neighbour(address).includes(MASTER_MAC) ? true : undefined,
      );
      const plainReply = (mac: string) =>
        encode({
          destination: CLIENT_MAC,
          source: MASTER_MAC,
          packet: {
            kind: 'arp',
            operation: 'reply',
            senderMac: mac,
            senderIp: address,
            targetMac: CLIENT_MAC,
            targetIp: '10.213.0.2',
          },
        });
      socket.send(plainReply('52:54:00:00:01:aa'));
      await sleep(100);
      assert.match(
        neighbour(address),
        new RegExp(MASTER_MAC),
        'an ordinary reply inside locktime was ignored',
      );
      const gratuitous = encode({
        destination: 'ff:ff:ff:ff:ff:ff',
        source: MASTER_MAC,
        packet: {
          kind: 'arp',
          operation: 'reply',
          senderMac: '52:54:00:00:01:bb',
          senderIp: address,
          targetMac: '52:54:00:00:01:bb',
          targetIp: address,
        },
      });
      socket.send(gratuitous);
      await poll('the gratuitous reply to win', () =>
        neighbour(address).includes('52:54:00:00:01:bb') ? true : undefined,
      );
    } finally {
      socket.close();
    }
  });
});
