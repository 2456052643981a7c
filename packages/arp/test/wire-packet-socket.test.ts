// The AF_PACKET socket itself, between two namespaces: frames arrive intact on the event
// loop, the kernel filter keeps out what the watches never read, our own frames stay out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock, type Clock } from '@vipd/clock';
import {
  gratuitousArpRequest,
  unsolicitedNeighborAdvertisement,
} from '../src/codec/announcements.js';
import { encode } from '../src/codec/frame.js';
import { ArpError } from '../src/errors.js';
import {
  openPacketSocket,
  type PacketSocket,
  type ReceivedFrame,
} from '../src/sys/packet-socket.js';
import {
  HOST_INTERFACE,
  poll,
  netnsSkipReason,
  createSwitchedLab,
  type NetnsLab,
  type LabHost,
} from '@vipd/testkit';

const A_MAC = '52:54:00:00:03:01';
const B_MAC = '52:54:00:00:03:02';

describe('packet socket', { skip: netnsSkipReason() }, () => {
  let lab: NetnsLab;
  let a: LabHost;
  let b: LabHost;
  const opened: PacketSocket[] = [];
  const errors: ArpError[] = [];
  const open = (
    host: LabHost,
    onFrame?: (frame: ReceivedFrame) => void,
    timestamps = false,
    clock?: Clock,
  ): PacketSocket => {
    const socket = openPacketSocket(HOST_INTERFACE, {
      netns: host.netns,
      ...(onFrame === undefined ? {} : { onFrame }),
      ...(clock === undefined ? {} : { clock }),
      onError: (error) => errors.push(error),
      timestamps,
      receiveBufferBytes: 4 * 1024 * 1024, // a whole burst arrives at once
    });
    opened.push(socket);
    return socket;
  };

  before(() => {
    lab = createSwitchedLab('arp');
    a = lab.addHost('a', A_MAC);
    b = lab.addHost('b', B_MAC);
    lab.ip(a.netns, 'addr', 'add', '10.213.0.1/24', 'dev', HOST_INTERFACE);
    lab.ip(b.netns, 'addr', 'add', '10.213.0.2/24', 'dev', HOST_INTERFACE);
  });
  after(() => {
    for (const socket of opened) socket.close();
    lab.destroy();
  });

  it('delivers ARP and NA frames byte for byte, with the kernel receive time', async () => {
    const received: ReceivedFrame[] = [];
    open(b, (frame) => received.push(frame), true);
    const sender = open(a);
    const arp = encode(gratuitousArpRequest(A_MAC, '10.213.0.100'));
    const na = encode(unsolicitedNeighborAdvertisement(A_MAC, 'fd00:213::100'));
    const sentAtNs = BigInt(Date.now()) * 1_000_000n;
    assert.equal(sender.send(arp), true);
    assert.equal(sender.send(na), true);
    await poll('both frames', () => (received.length >= 2 ? true : undefined));
    const [first, second] = received as [ReceivedFrame, ReceivedFrame];
    assert.deepEqual(first.bytes, arp);
    assert.equal(first.direction, 'broadcast');
    assert.deepEqual(second.bytes, na);
    assert.equal(second.direction, 'multicast');
    const skewMs = Number((first.receivedAtNs ?? 0n) - sentAtNs) / 1e6;
    assert.ok(skewMs > -50 && skewMs < 1000, `receive timestamp ${skewMs} ms from the send`);
    // Draining until EAGAIN is the normal end of a wake-up, not an error.
    assert.deepEqual(errors, []);
  });

  it('keeps receiving after its interface goes down and comes back up', async () => {
    // The kernel flags a packet socket with ENETDOWN when its link goes down; libuv answers
    // that poll error by stopping the watch, which would silently end conflict detection on
    // an interface whose VIPs stayed through a carrier blip.
    const received: ReceivedFrame[] = [];
    const clock = createManualClock();
    open(b, (frame) => received.push(frame), false, clock);
    const sender = open(a);
    const before = encode(gratuitousArpRequest(A_MAC, '10.213.0.101'));
    const afterFlap = encode(gratuitousArpRequest(A_MAC, '10.213.0.102'));
    const arrived = (frame: Buffer) => received.some((r) => r.bytes.equals(frame));
    assert.equal(sender.send(before), true);
    await poll('a frame before the flap', () => (arrived(before) ? true : undefined));
    const errorsBefore = errors.length;
    lab.ip(b.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'down');
    await poll('the link error to be reported', () => errors.length > errorsBefore);
    lab.ip(b.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'up');
    // Nothing is read while the watch waits to be re-armed...
    assert.equal(clock.pendingTimers(), 1);
    clock.advance(99);
    assert.equal(clock.pendingTimers(), 1);
    // ...and after the pause it watches again.
    clock.advance(1);
    assert.equal(clock.pendingTimers(), 0);
    await poll('a frame after the flap', () => {
      sender.send(afterFlap); // until b's carrier is back
      return arrived(afterFlap) ? true : undefined;
    });
    errors.length = errorsBefore; // reported, handled: not a failure of the later tests
  });

  it('sends a burst of 300 frames that all arrive, in order, byte for byte', async () => {
    const received: ReceivedFrame[] = [];
    open(b, (frame) => received.push(frame));
    const frames = Array.from({ length: 300 }, (_, i) =>
      i % 3 === 2
        ? encode(unsolicitedNeighborAdvertisement(A_MAC, `fd00:213::${i.toString(16)}`))
        : encode(gratuitousArpRequest(A_MAC, `10.213.${i >> 8}.${i & 0xff}`)),
    );
    const sender = open(a);
    for (const frame of frames) assert.equal(sender.send(frame), true);
    // The kernels on the LAN chatter too (neighbour solicitations); keep only our frames.
    const ours = new Set(frames.map((frame) => frame.toString('hex')));
    const arrived = () =>
      received.map((f) => f.bytes).filter((bytes) => ours.has(bytes.toString('hex')));
    await poll('the whole burst', () => (arrived().length >= frames.length ? true : undefined));
    assert.deepEqual(arrived(), frames);
  });

  it('keeps other traffic and our own transmissions out of a receiving socket', async () => {
    const received: ReceivedFrame[] = [];
    const listener = open(b, (frame) => received.push(frame));
    // UDP from a to b is neither ARP nor neighbour discovery: the BPF filter drops it.
    lab.ip(
      a.netns,
      'neigh',
      'replace',
      '10.213.0.2',
      'lladdr',
      B_MAC,
      'dev',
      HOST_INTERFACE,
      'nud',
      'permanent',
    );
    lab.exec(a.netns, ['ping', '-c', '1', '-w', '3', '10.213.0.2']);
    // b's own broadcast, sent through another socket on the same host, is outgoing: ignored.
    open(b).send(encode(gratuitousArpRequest(B_MAC, '10.213.0.2')));
    // A barrier instead of a pause: a's frames cross the veth in order, and b's own frame
    // met the socket taps inside send(); once a's marker arrives, everything before it has.
    const marker = encode(gratuitousArpRequest(A_MAC, '10.213.0.250'));
    open(a).send(marker);
    await poll('the marker frame', () => received.some((f) => f.bytes.equals(marker)));
    const kinds = received.map((f) => f.bytes.readUInt16BE(12).toString(16));
    assert.ok(!kinds.includes('800'), `no IPv4 frames, got EtherTypes ${kinds.join(',')}`);
    assert.ok(
      !received.some((f) =>
        f.bytes.subarray(6, 12).equals(Buffer.from(B_MAC.replaceAll(':', ''), 'hex')),
      ),
    );
    listener.close();
  });

  it('reports the MAC the interface has now', () => {
    const socket = open(a);
    assert.equal(socket.macAddress(), A_MAC);
    lab.ip(a.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'address', '52:54:00:00:03:11');
    try {
      assert.equal(socket.macAddress(), '52:54:00:00:03:11');
    } finally {
      lab.ip(a.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'address', A_MAC);
    }
  });

  it('names what is wrong when it cannot open', () => {
    const code = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof ArpError ? error.code : String(error);
      }
      return 'opened';
    };
    assert.equal(
      code(() => openPacketSocket('nosuch0', { netns: a.netns })),
      'INTERFACE_NOT_FOUND',
    );
    assert.equal(
      code(() => openPacketSocket('bad/name')),
      'INTERFACE_NOT_FOUND',
    );
    assert.equal(
      code(() => openPacketSocket(HOST_INTERFACE, { netns: `arp-nosuch-${lab.runId}` })),
      'NETNS_NOT_FOUND',
    );
    assert.equal(
      code(() => openPacketSocket(HOST_INTERFACE, { netns: '../etc' })),
      'NETNS_NOT_FOUND',
    );
    const closed = open(a);
    closed.close();
    assert.equal(
      code(() => closed.send(Buffer.alloc(60))),
      'SOCKET_CLOSED',
    );
  });
});
