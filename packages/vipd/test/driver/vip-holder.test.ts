import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Vip } from '@vipd/arp';
import { createMemoryAddressManager, createRecordingAnnouncer } from '@vipd/arp/testing';
import {
  VipHolder,
  type AddressPort,
  type FrameAnnouncerPort,
} from '../../src/driver/vip-holder.js';
import { silentLogger } from '../../src/log/logger.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { groupSpec } from './harness.js';

const WEB = groupSpec({
  name: 'web',
  addresses: ['10.213.0.100/24', '10.213.0.101/24', 'fd00:213::100/64'],
});

/** The arp fakes, with every call also written to one sequence so the order shows. */
function recorded() {
  const order: string[] = [];
  const memory = createMemoryAddressManager();
  const recording = createRecordingAnnouncer();
  const addresses: AddressPort = {
    addNow: (vip: Vip) => {
      order.push(`add ${vip.address}`);
      return memory.addNow(vip);
    },
    removeNow: (vip: Vip) => {
      order.push(`remove ${vip.address}`);
      return memory.removeNow(vip);
    },
    listManagedNow: () => memory.listManagedNow(),
  };
  const announcer: FrameAnnouncerPort = {
    announce: (group, vips, schedule) => {
      order.push(`announce ${group}`);
      recording.announce(group, vips, schedule);
    },
    stop: (group) => {
      order.push(`stop ${group}`);
      recording.stop(group);
    },
    quiet: (group) => {
      order.push(`quiet ${group}`);
      recording.quiet(group);
    },
  };
  const holder = new VipHolder({
    addresses,
    announcer,
    metrics: new VipdMetrics(),
    logger: silentLogger(),
  });
  return { order, memory, recording, holder };
}

describe('VipHolder', () => {
  it('a planned takeover adds every VIP before the first announcement', () => {
    const { order, holder } = recorded();
    assert.ok(holder.hold(WEB).ok);
    assert.deepEqual(order, [
      'add 10.213.0.100',
      'add 10.213.0.101',
      'add fd00:213::100',
      'announce web',
    ]);
  });

  it('crash failover announces first, then adds', () => {
    const { order, holder } = recorded();
    assert.ok(holder.hold(WEB, { announceFirst: true }).ok);
    assert.deepEqual(order, [
      'announce web',
      'add 10.213.0.100',
      'add 10.213.0.101',
      'add fd00:213::100',
    ]);
  });

  it('a VIP that fails to add rolls back the ones added and announces nothing', () => {
    for (const announceFirst of [false, true]) {
      const { memory, recording } = recorded();
      memory.addNow({ address: '10.213.0.9', prefixLength: 32, interface: 'eth0' });
      // The second add fails: the first must come off again.
      const result = new VipHolder({
        addresses: {
          addNow: (vip) => {
            if (vip.address === '10.213.0.101') throw new Error('EPERM');
            return memory.addNow(vip);
          },
          removeNow: (vip) => memory.removeNow(vip),
          listManagedNow: () => memory.listManagedNow(),
        },
        announcer: recording,
        metrics: new VipdMetrics(),
        logger: silentLogger(),
      }).hold(WEB, { announceFirst });
      assert.ok(!result.ok);
      assert.equal(result.vip, '10.213.0.101/24');
      assert.deepEqual(
        memory.present().map((v) => v.address),
        ['10.213.0.9'],
        `announceFirst=${String(announceFirst)}`,
      );
      assert.equal(recording.announcing('web'), undefined);
    }
  });

  it('withdraw stops announcing before removing; linger keeps the VIPs until finishLinger', () => {
    const { order, memory, holder } = recorded();
    holder.hold(WEB);
    order.length = 0;
    holder.withdraw('web', { linger: true });
    assert.deepEqual(order, ['stop web']);
    assert.equal(memory.present().length, 3);
    holder.finishLinger('web');
    assert.deepEqual(order, [
      'stop web',
      'remove 10.213.0.100',
      'remove 10.213.0.101',
      'remove fd00:213::100',
    ]);
    assert.deepEqual(memory.present(), []);
  });

  it('dropAll takes off every VIP it placed, held or lingering, and stops announcing', () => {
    const { memory, recording, holder } = recorded();
    const API = groupSpec({ name: 'api', addresses: ['10.213.1.100/24'] });
    memory.addForeign({ address: '10.213.2.1', prefixLength: 24, interface: 'eth0' });
    const DB = groupSpec({ name: 'db', addresses: ['10.213.2.1/24'] });
    assert.ok(holder.hold(WEB).ok);
    assert.ok(holder.hold(API).ok);
    assert.ok(holder.hold(DB).ok, 'a foreign VIP is used, not placed');
    holder.withdraw('api', { linger: true });
    const result = holder.dropAll(1000);
    assert.equal(result.removed.length, 4);
    assert.deepEqual(result.left, []);
    assert.deepEqual(
      memory.present().map((v) => v.address),
      ['10.213.2.1'],
      "only the operator's address stays",
    );
    assert.equal(recording.announcing('web'), undefined);
    assert.deepEqual([holder.heldGroups(), holder.lingeringGroups()], [[], []]);
  });

  it('dropAll starts no removal once its budget is spent, and says what it left', () => {
    const { memory, holder } = recorded();
    let nowMs = 0;
    const slow: AddressPort = {
      addNow: (vip) => memory.addNow(vip),
      removeNow: (vip) => {
        nowMs += 600; // a kernel that takes 600 ms per request
        return memory.removeNow(vip);
      },
      listManagedNow: () => memory.listManagedNow(),
    };
    const slowHolder = new VipHolder({
      addresses: slow,
      announcer: createRecordingAnnouncer(),
      metrics: new VipdMetrics(),
      logger: silentLogger(),
    });
    assert.ok(slowHolder.hold(WEB).ok);
    const result = slowHolder.dropAll(1000, () => nowMs);
    assert.equal(result.removed.length, 2);
    assert.deepEqual(result.left, ['fd00:213::100/64 on eth0']);
    assert.equal(nowMs, 1200);
    assert.deepEqual(holder.heldGroups(), []);
  });
});
