// The doubles the daemon tests with: the memory address manager passes the same contract
// as the netlink one; the recording announcer and fake watches behave as documented.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArpError } from '../src/errors.js';
import {
  createFakeConflictWatch,
  createFakeMacWatch,
  createMemoryAddressManager,
  createRecordingAnnouncer,
} from '../src/testing/index.js';
import type { ConflictEvent, MacChangeEvent, Vip } from '../src/types.js';
import { addressManagerContract } from './helpers/address-contract.js';

addressManagerContract('memory double', false, () => {
  const memory = createMemoryAddressManager();
  return {
    interface: 'eth0',
    manager: () => memory,
    addForeign: (vip) => {
      memory.addForeign(vip);
    },
    addStale: (vip) => {
      memory.addStale(vip);
    },
    present: () => memory.present().map((v) => `${v.address}/${v.prefixLength}`),
    close: () => undefined,
  };
});

const web: Vip = { address: '10.213.0.100', prefixLength: 24, interface: 'eth0' };

describe('memory address manager', () => {
  it('records every call with its outcome', async () => {
    const memory = createMemoryAddressManager();
    await memory.add(web);
    await memory.add(web);
    await memory.remove(web);
    await memory.listManaged();
    assert.deepEqual(memory.calls, [
      { kind: 'add', vip: web, outcome: 'added' },
      { kind: 'add', vip: web, outcome: 'already-managed' },
      { kind: 'remove', vip: web, outcome: 'removed' },
      { kind: 'listManaged' },
    ]);
  });

  it('fails the next call when told to, then behaves again', async () => {
    const memory = createMemoryAddressManager();
    memory.failNext(new ArpError('SYSCALL_FAILED', 'adding: ENODEV', 'ENODEV'));
    await assert.rejects(
      memory.add(web),
      (error: unknown) => error instanceof ArpError && error.errno === 'ENODEV',
    );
    await memory.add(web);
    assert.deepEqual(memory.present(), [web]);
  });
});

describe('recording announcer', () => {
  it('records calls and tracks which groups are being announced', () => {
    const announcer = createRecordingAnnouncer();
    announcer.announce('web', [web]);
    announcer.announce('db', [{ ...web, address: '10.213.0.101' }], { mode: 'both' });
    announcer.stop('web');
    assert.deepEqual(announcer.activeGroups(), ['db']);
    assert.equal(announcer.announcing('web'), undefined);
    assert.deepEqual(announcer.calls[2], { kind: 'stop', group: 'web' });
    assert.deepEqual(announcer.calls[1], {
      kind: 'announce',
      group: 'db',
      vips: [{ ...web, address: '10.213.0.101' }],
      schedule: { mode: 'both' },
    });
  });

  it('refuses invalid VIPs and schedules like the real one', () => {
    const announcer = createRecordingAnnouncer();
    assert.throws(
      () => {
        announcer.announce('web', [{ ...web, prefixLength: 40 }]);
      },
      (e: unknown) => e instanceof ArpError && e.code === 'INVALID_VIP',
    );
    assert.throws(
      () => {
        announcer.announce('web', [web], { repeat: 0 });
      },
      (e: unknown) => e instanceof ArpError && e.code === 'INVALID_SCHEDULE',
    );
    assert.deepEqual(announcer.calls, []);
  });
});

describe('fake watches', () => {
  it('the conflict watch delivers events only for watched VIPs', () => {
    const events: ConflictEvent[] = [];
    const watch = createFakeConflictWatch((event) => events.push(event));
    const event: ConflictEvent = {
      vip: '10.213.0.100',
      interface: 'eth0',
      foreignMac: '52:54:00:00:00:66',
      kind: 'arp-reply',
    };
    assert.equal(watch.emit(event), false);
    watch.watch('web', [web]);
    assert.equal(watch.emit(event), true);
    watch.unwatch('web');
    assert.equal(watch.emit(event), false);
    assert.deepEqual(events, [event]);
  });

  it('the MAC watch reports changes of watched interfaces only', () => {
    const events: MacChangeEvent[] = [];
    const watch = createFakeMacWatch((event) => events.push(event), { eth0: '52:54:00:00:00:01' });
    watch.setMac('eth0', '52:54:00:00:00:02');
    assert.equal(watch.watch('eth0'), '52:54:00:00:00:02');
    watch.setMac('eth0', '52:54:00:00:00:03');
    watch.setMac('eth0', '52:54:00:00:00:03');
    assert.deepEqual(events, [
      { interface: 'eth0', oldMac: '52:54:00:00:00:02', newMac: '52:54:00:00:00:03' },
    ]);
  });
});
