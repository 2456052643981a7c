// The announcer against recording senders and a hand-driven clock: what goes out when, and
// that stop() silences a group at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createAnnouncer, type FrameSender } from '../src/announcer.js';
import {
  gratuitousArpReply,
  gratuitousArpRequest,
  unsolicitedNeighborAdvertisement,
} from '../src/codec/announcements.js';
import { decode, encode } from '../src/codec/frame.js';
import { ArpError, PrivilegeError } from '../src/errors.js';
import { createRecordingSender, type RecordingSender } from '../src/testing/index.js';
import { createManualClock } from '@vipd/clock';
import type { Vip } from '../src/types.js';

const MAC = '52:54:00:00:00:01';
const v4 = (address: string, iface = 'eth0'): Vip => ({
  address,
  prefixLength: 24,
  interface: iface,
});
const v6 = (address: string, iface = 'eth0'): Vip => ({
  address,
  prefixLength: 64,
  interface: iface,
});

function setup(schedule = {}) {
  const clock = createManualClock();
  const senders = new Map<string, RecordingSender>();
  const errors: ArpError[] = [];
  const announcer = createAnnouncer({
    clock,
    schedule,
    openSender: (name) => {
      const sender = createRecordingSender(MAC);
      senders.set(name, sender);
      return sender;
    },
    onError: (error) => errors.push(error),
  });
  const sent = (name = 'eth0'): Buffer[] => senders.get(name)?.frames ?? [];
  return { clock, announcer, senders, sent, errors };
}

describe('announcer', () => {
  it('sends the first frame before announce() returns, with no timer involved', () => {
    const { announcer, sent } = setup();
    announcer.announce('web', [v4('10.213.0.100')]);
    assert.deepEqual(sent(), [encode(gratuitousArpRequest(MAC, '10.213.0.100'))]);
  });

  it('follows the default schedule: 5 frames 200 ms apart, again at 5 s, then silence', () => {
    const { announcer, sent, clock } = setup();
    announcer.announce('web', [v4('10.213.0.100')]);
    const counts: number[] = [];
    for (const atMs of [199, 200, 800, 4999, 5000, 5800, 60_000]) {
      clock.advance(atMs - clock.now());
      counts.push(sent().length);
    }
    assert.deepEqual(counts, [1, 2, 5, 5, 6, 10, 10]);
    assert.equal(clock.pendingTimers(), 0);
    assert.deepEqual(announcer.activeGroups(), []);
  });

  it('stop() cancels every pending frame at once', () => {
    const { announcer, sent, clock } = setup();
    announcer.announce('web', [v4('10.213.0.100')]);
    clock.advance(200);
    announcer.stop('web');
    clock.advance(10_000);
    assert.equal(sent().length, 2);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('quiet() drops the bursts still to come; refresh rounds go on', () => {
    const { announcer, sent, clock } = setup({ refreshMs: 10_000 });
    announcer.announce('web', [v4('10.213.0.100')]);
    clock.advance(200);
    announcer.quiet('web');
    const counts: number[] = [];
    for (const atMs of [4_999, 5_800, 9_999, 10_000, 19_999, 20_000]) {
      clock.advance(atMs - clock.now());
      counts.push(sent().length);
    }
    // 2 frames of the first burst, none of the rest nor of the second burst at 5 s, then one
    // refresh frame at 10 s and at 20 s.
    assert.deepEqual(counts, [2, 2, 2, 3, 3, 4]);
    assert.deepEqual(announcer.activeGroups(), ['web']);
  });

  it('quiet() with no refresh ends the group like stop()', () => {
    const { announcer, sent, clock } = setup();
    announcer.announce('web', [v4('10.213.0.100')]);
    announcer.quiet('web');
    clock.advance(60_000);
    assert.equal(sent().length, 1);
    assert.equal(clock.pendingTimers(), 0);
    assert.deepEqual(announcer.activeGroups(), []);
  });

  it('mode "both" sends a request and a gratuitous reply per round', () => {
    const { announcer, sent } = setup({ mode: 'both' });
    announcer.announce('web', [v4('10.213.0.100')]);
    assert.deepEqual(sent(), [
      encode(gratuitousArpRequest(MAC, '10.213.0.100')),
      encode(gratuitousArpReply(MAC, '10.213.0.100')),
    ]);
  });

  it('mode "reply" sends only gratuitous replies; IPv6 VIPs always get unsolicited NAs', () => {
    const { announcer, sent } = setup({ mode: 'reply' });
    announcer.announce('dual', [v4('10.213.0.100'), v6('fd00:213::100')]);
    assert.deepEqual(sent(), [
      encode(gratuitousArpReply(MAC, '10.213.0.100')),
      encode(unsolicitedNeighborAdvertisement(MAC, 'fd00:213::100')),
    ]);
  });

  it('sends each VIP of a group on its own interface, and keeps groups independent', () => {
    const { announcer, sent, clock } = setup({ repeat: 2, secondBurstDelayMs: 0 });
    announcer.announce('a', [v4('10.213.0.100', 'eth0'), v4('10.213.1.100', 'eth1')]);
    announcer.announce('b', [v4('10.213.0.101', 'eth0')]);
    clock.advance(100);
    announcer.stop('a');
    clock.advance(1000);
    const targets = (frames: Buffer[]) =>
      frames.map((f) => (decode(f).packet as { targetIp: string }).targetIp);
    assert.deepEqual(targets(sent('eth0')), ['10.213.0.100', '10.213.0.101', '10.213.0.101']);
    assert.deepEqual(targets(sent('eth1')), ['10.213.1.100']);
  });

  it('announcing a group again restarts its schedule with the new VIPs', () => {
    const { announcer, sent, clock } = setup({ repeat: 3, secondBurstDelayMs: 0 });
    announcer.announce('web', [v4('10.213.0.100')]);
    clock.advance(200);
    announcer.announce('web', [v4('10.213.0.200')]);
    clock.advance(10_000);
    const targets = sent().map((f) => (decode(f).packet as { targetIp: string }).targetIp);
    assert.deepEqual(targets, [
      '10.213.0.100',
      '10.213.0.100',
      '10.213.0.200',
      '10.213.0.200',
      '10.213.0.200',
    ]);
  });

  it('a MAC change between rounds is picked up by the next round', () => {
    const { announcer, sent, clock, senders } = setup({ repeat: 2, secondBurstDelayMs: 0 });
    announcer.announce('web', [v4('10.213.0.100')]);
    senders.get('eth0')?.setMac('52:54:00:00:00:99');
    clock.advance(200);
    assert.deepEqual(
      sent().map((f) => decode(f).source),
      [MAC, '52:54:00:00:00:99'],
    );
  });

  it('announces 1,000 VIPs in one round', () => {
    const { announcer, sent } = setup();
    const vips = Array.from({ length: 1000 }, (_, i) => v4(`10.213.${i >> 8}.${i & 0xff}`));
    announcer.announce('many', vips);
    assert.equal(sent().length, 1000);
    assert.equal(announcer.stats().framesSent, 1000);
  });

  it('retries frames refused by a full send buffer, and a new round supersedes them', () => {
    const { announcer, sent, clock, senders } = setup({ repeat: 2, secondBurstDelayMs: 0 });
    const vips = [v4('10.213.0.1'), v4('10.213.0.2'), v4('10.213.0.3')];
    announcer.announce('web', []); // no-op, no sender yet
    announcer.announce('web', [vips[0]!]);
    senders.get('eth0')?.refuseNext(1);
    announcer.announce('web', vips);
    assert.equal(sent().length, 1); // the first announce's frame; the restart was refused
    clock.advance(1);
    assert.equal(sent().length, 4); // all three after the retry
    clock.advance(199);
    assert.equal(sent().length, 7);
  });

  it('refuses an invalid VIP with a typed error and leaves the running schedule alone', () => {
    const { announcer, sent, clock } = setup({ repeat: 2, secondBurstDelayMs: 0 });
    announcer.announce('web', [v4('10.213.0.100')]);
    assert.throws(
      () => {
        announcer.announce('web', [
          { address: '10.213.0.300', prefixLength: 24, interface: 'eth0' },
        ]);
      },
      (error: unknown) => error instanceof ArpError && error.code === 'INVALID_VIP',
    );
    clock.advance(200);
    assert.equal(sent().length, 2);
  });

  it('a socket that cannot be opened throws from announce() and schedules nothing', () => {
    const clock = createManualClock();
    const announcer = createAnnouncer({
      clock,
      openSender: () => {
        throw new PrivilegeError('CAP_NET_RAW', 'socket(AF_PACKET, SOCK_RAW)', 'EPERM');
      },
    });
    assert.throws(
      () => {
        announcer.announce('web', [v4('10.213.0.100')]);
      },
      (error: unknown) =>
        error instanceof PrivilegeError &&
        error.code === 'MISSING_CAP_NET_RAW' &&
        /CAP_NET_RAW/.test(error.message),
    );
    assert.equal(clock.pendingTimers(), 0);
    assert.deepEqual(announcer.activeGroups(), []);
  });

  it('a send failure on a later round is reported and the schedule carries on', () => {
    const clock = createManualClock();
    const errors: string[] = [];
    let failing = false;
    const frames: Buffer[] = [];
    const sender: FrameSender = {
      macAddress: () => MAC,
      send: (frame) => {
        if (failing)
          throw new ArpError('SYSCALL_FAILED', 'sendto on eth0 failed: ENETDOWN', 'ENETDOWN');
        frames.push(Buffer.from(frame));
        return true;
      },
      close: () => undefined,
    };
    const announcer = createAnnouncer({
      clock,
      schedule: { repeat: 3, secondBurstDelayMs: 0 },
      openSender: () => sender,
      onError: (error, context) =>
        errors.push(`${context.group}/${context.interface}: ${error.errno ?? ''}`),
    });
    announcer.announce('web', [v4('10.213.0.100')]);
    failing = true;
    clock.advance(200);
    failing = false;
    clock.advance(200);
    assert.equal(frames.length, 2);
    assert.deepEqual(errors, ['web/eth0: ENETDOWN']);
    assert.equal(announcer.stats().sendFailures, 1);
  });

  it('close() stops everything and closes the sockets', () => {
    const { announcer, senders, clock } = setup();
    announcer.announce('web', [v4('10.213.0.100')]);
    announcer.close();
    assert.equal(clock.pendingTimers(), 0);
    assert.equal(senders.get('eth0')?.closed, true);
    assert.throws(() => {
      announcer.announce('web', [v4('10.213.0.100')]);
    }, ArpError);
  });
});
