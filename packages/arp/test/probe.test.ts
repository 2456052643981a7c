// RFC 5227 §2.1.1 probing before a claim, on a hand-driven clock.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arpProbe,
  duplicateAddressProbe,
  gratuitousArpRequest,
  unsolicitedNeighborAdvertisement,
} from '../src/codec/announcements.js';
import { decode, encode } from '../src/codec/frame.js';
import { ArpError } from '../src/errors.js';
import { probeAddress } from '../src/probe.js';
import { createManualClock } from '@vipd/clock';
import { fakeReceivers } from './helpers/fake-receiver.js';

const OURS = '52:54:00:00:00:01';
const FOREIGN = '52:54:00:00:00:66';

function setup(address: string) {
  const clock = createManualClock();
  const receivers = fakeReceivers(OURS);
  const result = probeAddress({
    interface: 'eth0',
    address,
    probes: 2,
    probeIntervalMs: 100,
    waitMs: 300,
    scheduler: clock,
    openReceiver: receivers.open,
  });
  return { clock, result, receiver: receivers.opened.get('eth0')! };
}

describe('probe before claiming', () => {
  it('sends the probes on schedule and finds no conflict on a quiet link', async () => {
    const { clock, result, receiver } = setup('10.213.0.100');
    assert.equal(receiver.sent.length, 1);
    clock.advance(100);
    assert.equal(receiver.sent.length, 2);
    clock.advance(299);
    assert.equal(receiver.closed, false);
    clock.advance(1);
    assert.deepEqual(await result, { conflict: false });
    assert.equal(receiver.closed, true);
    assert.deepEqual(decode(receiver.sent[0]!), decode(encode(arpProbe(OURS, '10.213.0.100'))));
  });

  it('stops at the first foreign claim', async () => {
    const { clock, result, receiver } = setup('10.213.0.100');
    receiver.deliver(encode(gratuitousArpRequest(FOREIGN, '10.213.0.100')));
    assert.deepEqual(await result, { conflict: true, foreignMac: FOREIGN, kind: 'gratuitous-arp' });
    assert.equal(clock.pendingTimers(), 0);
    assert.equal(receiver.closed, true);
  });

  it('treats a simultaneous probe from another host as a conflict', async () => {
    const { result, receiver } = setup('10.213.0.100');
    receiver.deliver(encode(arpProbe(FOREIGN, '10.213.0.100')));
    assert.deepEqual(await result, { conflict: true, foreignMac: FOREIGN, kind: 'arp-probe' });
  });

  it('ignores claims on other addresses and our own frames', async () => {
    const { clock, result, receiver } = setup('10.213.0.100');
    receiver.deliver(encode(gratuitousArpRequest(FOREIGN, '10.213.0.5')));
    receiver.deliver(encode(arpProbe(OURS, '10.213.0.100')));
    clock.advance(1000);
    assert.deepEqual(await result, { conflict: false });
  });

  it('probes IPv6 with a DAD solicitation and sees the defending NA', async () => {
    const { result, receiver } = setup('fd00:213::100');
    assert.deepEqual(
      decode(receiver.sent[0]!),
      decode(encode(duplicateAddressProbe(OURS, 'fd00:213::100'))),
    );
    receiver.deliver(encode(unsolicitedNeighborAdvertisement(FOREIGN, 'fd00:213::100')));
    assert.deepEqual(await result, {
      conflict: true,
      foreignMac: FOREIGN,
      kind: 'neighbor-advertisement',
    });
  });

  it('rejects a bad address or timing with typed errors', async () => {
    await assert.rejects(
      probeAddress({
        interface: 'eth0',
        address: '10.213.0',
        openReceiver: fakeReceivers(OURS).open,
      }),
      (error: unknown) => error instanceof ArpError && error.code === 'INVALID_VIP',
    );
    await assert.rejects(
      probeAddress({
        interface: 'eth0',
        address: '10.213.0.1',
        probes: 0,
        openReceiver: fakeReceivers(OURS).open,
      }),
      (error: unknown) => error instanceof ArpError && error.code === 'INVALID_SCHEDULE',
    );
  });
});
