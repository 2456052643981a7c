// Which received frames count as another host claiming our VIP (RFC 5227 §2.4, RFC 4861).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arpProbe,
  duplicateAddressProbe,
  gratuitousArpReply,
  gratuitousArpRequest,
  unsolicitedNeighborAdvertisement,
} from '../src/codec/announcements.js';
import { decode, encode } from '../src/codec/frame.js';
import { createConflictWatch } from '../src/conflict-watch.js';
import { createManualClock } from '@vipd/clock';
import type { ConflictEvent, Vip } from '../src/types.js';
import { fakeReceivers } from './helpers/fake-receiver.js';

const OURS = '52:54:00:00:00:01';
const FOREIGN = '52:54:00:00:00:66';
const VIP4 = '10.213.0.100';
const VIP6 = 'fd00:213::100';
const vips: Vip[] = [
  { address: VIP4, prefixLength: 24, interface: 'eth0' },
  { address: 'FD00:213:0::100', prefixLength: 64, interface: 'eth0' },
];

function setup(options: { probeIntervalMs?: number } = {}) {
  const clock = createManualClock();
  const receivers = fakeReceivers(OURS);
  const events: ConflictEvent[] = [];
  const watch = createConflictWatch({
    clock,
    openReceiver: receivers.open,
    onConflict: (event) => events.push(event),
    ...options,
  });
  const deliver = (frame: Buffer) => receivers.opened.get('eth0')?.deliver(frame);
  return { clock, watch, events, deliver, receivers };
}

const reply = (mac: string, ip: string) =>
  encode({
    destination: OURS,
    source: mac,
    packet: {
      kind: 'arp',
      operation: 'reply',
      senderMac: mac,
      senderIp: ip,
      targetMac: OURS,
      targetIp: '0.0.0.0',
    },
  });
const request = (mac: string, ip: string) =>
  encode({
    destination: 'ff:ff:ff:ff:ff:ff',
    source: mac,
    packet: {
      kind: 'arp',
      operation: 'request',
      senderMac: mac,
      senderIp: ip,
      targetMac: '00:00:00:00:00:00',
      targetIp: '10.213.0.1',
    },
  });

describe('conflict watch', () => {
  const conflicts: [string, Buffer, ConflictEvent['kind'], string][] = [
    ['a foreign ARP reply for the VIP', reply(FOREIGN, VIP4), 'arp-reply', VIP4],
    [
      'a foreign gratuitous request',
      encode(gratuitousArpRequest(FOREIGN, VIP4)),
      'gratuitous-arp',
      VIP4,
    ],
    [
      'a foreign gratuitous reply',
      encode(gratuitousArpReply(FOREIGN, VIP4)),
      'gratuitous-arp',
      VIP4,
    ],
    ['a foreign host asking from the VIP', request(FOREIGN, VIP4), 'arp-request', VIP4],
    [
      'a foreign NA for the IPv6 VIP',
      encode(unsolicitedNeighborAdvertisement(FOREIGN, VIP6)),
      'neighbor-advertisement',
      VIP6,
    ],
  ];
  for (const [name, frame, kind, vip] of conflicts) {
    it(`reports ${name} as ${kind}`, () => {
      const { watch, events, deliver } = setup();
      watch.watch('web', vips);
      deliver(frame);
      assert.deepEqual(events, [{ vip, interface: 'eth0', foreignMac: FOREIGN, kind }]);
    });
  }

  const quiet: [string, Buffer][] = [
    ['our own gratuitous ARP', encode(gratuitousArpRequest(OURS, VIP4))],
    ['our own NA', encode(unsolicitedNeighborAdvertisement(OURS, VIP6))],
    ['a foreign GARP for another address', encode(gratuitousArpRequest(FOREIGN, '10.213.0.7'))],
    [
      'a foreign RFC 5227 probe for the VIP (the kernel defends it)',
      encode(arpProbe(FOREIGN, VIP4)),
    ],
    ['a foreign DAD probe for the VIP', encode(duplicateAddressProbe(FOREIGN, VIP6))],
    ['a malformed frame', Buffer.from('ffffffffffff52540000006608060001', 'hex')],
  ];
  for (const [name, frame] of quiet) {
    it(`ignores ${name}`, () => {
      const { watch, events, deliver } = setup();
      watch.watch('web', vips);
      deliver(frame);
      assert.deepEqual(events, []);
    });
  }

  it('counts malformed frames by error code', () => {
    const { watch, deliver } = setup();
    watch.watch('web', vips);
    deliver(Buffer.from('ffffffffffff5254000000660806', 'hex'));
    deliver(Buffer.alloc(5));
    assert.deepEqual(watch.stats().malformedFrames, { ARP_TRUNCATED: 1, FRAME_TOO_SHORT: 1 });
    assert.equal(watch.stats().framesSeen, 2);
  });

  it('after our MAC changes, frames from the new MAC are ours, the old one is foreign', () => {
    const { watch, events, deliver, receivers } = setup();
    watch.watch('web', vips);
    receivers.opened.get('eth0')!.mac = '52:54:00:00:00:02';
    deliver(encode(gratuitousArpRequest('52:54:00:00:00:02', VIP4)));
    deliver(encode(gratuitousArpRequest(OURS, VIP4)));
    assert.deepEqual(
      events.map((e) => e.foreignMac),
      [OURS],
    );
  });

  it('reports the same VIP, MAC and kind once per second, then again', () => {
    const { watch, events, deliver, clock } = setup();
    watch.watch('web', vips);
    deliver(reply(FOREIGN, VIP4));
    deliver(reply(FOREIGN, VIP4));
    deliver(encode(gratuitousArpRequest(FOREIGN, VIP4)));
    clock.advance(1000);
    deliver(reply(FOREIGN, VIP4));
    assert.deepEqual(
      events.map((e) => e.kind),
      ['arp-reply', 'gratuitous-arp', 'arp-reply'],
    );
  });

  it('stops reporting and closes the socket when the last group is unwatched', () => {
    const { watch, events, deliver, receivers } = setup();
    watch.watch('web', vips);
    watch.watch('db', [vips[0]!]);
    watch.unwatch('web');
    deliver(reply(FOREIGN, VIP4));
    assert.equal(events.length, 1);
    assert.equal(receivers.opened.get('eth0')?.closed, false);
    watch.unwatch('db');
    assert.equal(receivers.opened.get('eth0')?.closed, true);
  });

  it('probes every watched VIP on the probe interval, from our MAC', () => {
    const { watch, clock, receivers } = setup({ probeIntervalMs: 1000 });
    watch.watch('web', vips);
    assert.equal(receivers.opened.get('eth0')?.sent.length, 0);
    clock.advance(1000);
    const probes = receivers.opened.get('eth0')!.sent.map((bytes) => decode(bytes));
    assert.deepEqual(probes, [
      decode(encode(arpProbe(OURS, VIP4))),
      decode(encode(duplicateAddressProbe(OURS, VIP6))),
    ]);
    watch.close();
    assert.equal(clock.pendingTimers(), 0);
  });
});
