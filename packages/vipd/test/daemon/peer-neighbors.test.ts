import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode, type ArpPacket, type FrameSender } from '@vipd/arp';
import { createLoopbackNetwork, type HeartbeatMesh } from '@vipd/heartbeat';
import {
  PeerNeighborRefresh,
  peerArpRequests,
  peerIpv4,
  peersOnLink,
} from '../../src/daemon/peer-neighbors.js';
import { configuredPeer } from '../driver/harness.js';

const MAC = '02:13:01:00:00:01';
/** The interface's prefixes as networkInterfaces() gives them: two IPv4, an IPv6, a link-local. */
const OWN_CIDRS = ['10.213.1.1/24', '192.0.2.9/30', 'fd00:213::1/64', 'fe80::1/64'];
const PEERS = [
  configuredPeer('n2', '10.213.1.2:7410'),
  configuredPeer('n3', '192.0.2.10:7410'),
  configuredPeer('far', '198.51.100.7:7410'), // routed: no request
  configuredPeer('v6', '[fd00:213::2]:7410'), // IPv6: the kernel solicits itself
  configuredPeer('v6far', '[2001:db8::7]:7410'), // routed IPv6
  configuredPeer('dns', 'n4.example:7410'),
];

function arpOf(frame: Buffer): ArpPacket & { destination: string; source: string } {
  const decoded = decode(frame);
  assert.equal(decoded.packet.kind, 'arp');
  return { ...decoded.packet, destination: decoded.destination, source: decoded.source };
}

describe('peer neighbour refresh', () => {
  it('peerIpv4 takes the host of an IPv4 endpoint only', () => {
    assert.equal(peerIpv4(configuredPeer('a', '10.0.0.1:7410').endpoint), '10.0.0.1');
    assert.equal(peerIpv4(configuredPeer('b', '[fd00::1]:7410').endpoint), null);
    assert.equal(peerIpv4(configuredPeer('c', 'peer.example:7410').endpoint), null);
  });

  it('one broadcast who-has per on-link IPv4 peer, from our address in its subnet', () => {
    const requests = peerArpRequests(MAC, OWN_CIDRS, PEERS).map(arpOf);
    assert.deepEqual(
      requests.map((r) => [r.destination, r.source, r.operation, r.senderIp, r.targetIp]),
      [
        ['ff:ff:ff:ff:ff:ff', MAC, 'request', '10.213.1.1', '10.213.1.2'],
        ['ff:ff:ff:ff:ff:ff', MAC, 'request', '192.0.2.9', '192.0.2.10'],
      ],
    );
    for (const r of requests) {
      assert.equal(r.senderMac, MAC);
      assert.equal(r.targetMac, '00:00:00:00:00:00');
    }
  });

  it('sends when an interface tracker goes from fault to healthy, and only then', () => {
    const sent: Buffer[] = [];
    const refreshed: unknown[] = [];
    let closed = 0;
    const sender: FrameSender = {
      macAddress: () => MAC,
      send: (frame) => {
        sent.push(Buffer.from(frame));
        return true;
      },
      close: () => {
        closed++;
      },
    };
    const refresh = new PeerNeighborRefresh({
      peers: () => PEERS,
      openSender: (iface) => {
        assert.equal(iface, 'eth0');
        return sender;
      },
      ownCidrs: () => OWN_CIDRS,
      onRefresh: (iface, result) => refreshed.push([iface, result]),
    });
    refresh.onTrackerReport({ trackerId: 'interface:eth0', fault: false }); // first reading
    refresh.onTrackerReport({ trackerId: 'ping', fault: true });
    refresh.onTrackerReport({ trackerId: 'ping', fault: false }); // not an interface
    assert.equal(sent.length, 0);
    refresh.onTrackerReport({ trackerId: 'interface:eth0', fault: true });
    assert.equal(sent.length, 0);
    refresh.onTrackerReport({ trackerId: 'interface:eth0', fault: false });
    assert.deepEqual(
      sent.map((f) => arpOf(f).targetIp),
      ['10.213.1.2', '192.0.2.10'],
    );
    assert.deepEqual(refreshed, [['eth0', { sent: 2 }]]);
    assert.equal(closed, 1, 'the socket is closed after use');
  });

  it('the on-link peers of either family are reconnected, never routed ones or names', () => {
    assert.deepEqual(peersOnLink(OWN_CIDRS, PEERS), ['n2', 'n3', 'v6']);
    assert.deepEqual(peersOnLink([], PEERS), []);
    assert.deepEqual(
      peersOnLink(['10.213.1.2/24'], PEERS),
      [],
      'an address of our own is not a peer to reconnect',
    );
  });

  it('the link coming back replaces the heartbeat connections to its peers, after the ARP requests', async () => {
    // The loopback mesh double keeps the real mesh's contract: a reconnect closes with
    // "coming back" (4003), so the far end loses nothing, and the link is back.
    const net = createLoopbackNetwork();
    const mesh = (nodeId: string, peers: string[]): HeartbeatMesh =>
      net.createMesh({
        clusterName: 'lab',
        nodeId,
        listen: '127.0.0.1:0',
        peers: peers.map((id) => ({ id, address: `loopback:${id}` })),
        key: Buffer.alloc(16),
        intervalMs: 20,
        downMultiplier: 5,
      });
    const n1 = mesh('n1', ['n2', 'n3']);
    const n2 = mesh('n2', ['n1', 'n3']);
    const n3 = mesh('n3', ['n1', 'n2']);
    const steps: string[] = [];
    try {
      for (const m of [n1, n2, n3]) await m.start();
      const allUp = async (): Promise<void> => {
        for (let i = 0; i < 200 && ![n1, n2, n3].every((m) => m.peers().every((p) => p.up)); i++)
          await new Promise((resolve) => setTimeout(resolve, 5));
        assert.ok(
          [n1, n2, n3].every((m) => m.peers().every((p) => p.up)),
          'all up',
        );
      };
      await allUp();
      for (const [id, m] of [
        ['n1', n1],
        ['n2', n2],
        ['n3', n3],
      ] as const)
        m.on('peer-down', (peer, reason) => steps.push(`${id} lost ${peer} (${reason})`));
      const refresh = new PeerNeighborRefresh({
        // n3 is routed from this interface: its connection is left alone.
        peers: () => [
          configuredPeer('n2', '10.213.1.2:7410'),
          configuredPeer('n3', '198.51.100.7:7410'),
        ],
        openSender: () => ({
          macAddress: () => MAC,
          send: (frame) => {
            steps.push(`who-has ${arpOf(Buffer.from(frame)).targetIp}`);
            return true;
          },
          close: () => undefined,
        }),
        ownCidrs: () => OWN_CIDRS,
        onRefresh: () => undefined,
        reconnect: (iface, peers) => {
          steps.push(`reconnect ${iface}: ${peers.join(',')}`);
          for (const peer of peers) n1.reconnect(peer);
        },
      });
      refresh.onTrackerReport({ trackerId: 'interface:eth0', fault: false });
      refresh.onTrackerReport({ trackerId: 'interface:eth0', fault: true });
      assert.deepEqual(steps, [], 'nothing while the link is down');
      const heardAgain = new Promise<void>((resolve) => {
        n2.on('heartbeat', (heartbeat) => {
          if (heartbeat.from === 'n1') resolve();
        });
      });
      refresh.onTrackerReport({ trackerId: 'interface:eth0', fault: false });
      await heardAgain;
      await allUp();
      assert.deepEqual(steps, ['who-has 10.213.1.2', 'reconnect eth0: n2']);
    } finally {
      await Promise.all([n1, n2, n3].map((m) => m.stop()));
    }
  });

  it('a socket that cannot be opened is reported, not thrown', () => {
    const refreshed: unknown[] = [];
    const failure = Object.assign(new Error('no CAP_NET_RAW'), { code: 'PERMISSION_DENIED' });
    const refresh = new PeerNeighborRefresh({
      peers: () => PEERS,
      openSender: () => {
        throw failure;
      },
      ownCidrs: () => OWN_CIDRS,
      onRefresh: (iface, result) => refreshed.push([iface, result]),
    });
    refresh.onTrackerReport({ trackerId: 'interface:eth1', fault: true });
    refresh.onTrackerReport({ trackerId: 'interface:eth1', fault: false });
    assert.deepEqual(refreshed, [['eth1', { error: failure }]]);
  });
});
