// The order of the takeover and demotion steps, checked on the doubles the daemon uses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArpError } from '../src/errors.js';
import { createMemoryAddressManager, createRecordingAnnouncer } from '../src/testing/index.js';
import { giveUp, takeOver } from '../src/takeover.js';
import type { Vip } from '../src/types.js';

const a: Vip = { address: '10.213.0.100', prefixLength: 24, interface: 'eth0' };
const b: Vip = { address: 'fd00:213::100', prefixLength: 64, interface: 'eth0' };

/** Both doubles writing into one log, so the test sees the order across them. */
function parts() {
  const log: string[] = [];
  const addresses = createMemoryAddressManager();
  const announcer = createRecordingAnnouncer();
  const logged = {
    addNow: (vip: Vip) => {
      log.push(`add ${vip.address}`);
      return addresses.addNow(vip);
    },
    removeNow: (vip: Vip) => {
      log.push(`remove ${vip.address}`);
      return addresses.removeNow(vip);
    },
  };
  const loggedAnnouncer = {
    announce: (group: string, vips: readonly Vip[]) => {
      log.push(`announce ${group} ${vips.map((v) => v.address).join(',')}`);
      announcer.announce(group, vips);
    },
    stop: (group: string) => {
      log.push(`stop ${group}`);
      announcer.stop(group);
    },
  };
  return { log, addresses, announcer, parts: { addresses: logged, announcer: loggedAnnouncer } };
}

describe('takeOver / giveUp', () => {
  it('adds every address before announcing, by default', () => {
    const t = parts();
    const result = takeOver(t.parts, 'web', [a, b]);
    assert.deepEqual(t.log, [
      'add 10.213.0.100',
      'add fd00:213::100',
      'announce web 10.213.0.100,fd00:213::100',
    ]);
    assert.ok(result.ok);
    assert.deepEqual(
      result.added.map((r) => r.outcome),
      ['added', 'added'],
    );
  });

  it('announceFirst puts the first round on the wire before the adds', () => {
    const t = parts();
    assert.ok(takeOver(t.parts, 'web', [a, b], { announceFirst: true }).ok);
    assert.deepEqual(t.log, [
      'announce web 10.213.0.100,fd00:213::100',
      'add 10.213.0.100',
      'add fd00:213::100',
    ]);
  });

  it("passes the group's announcement schedule to the announcer", () => {
    const t = parts();
    takeOver({ addresses: t.addresses, announcer: t.announcer }, 'web', [a], {
      schedule: { repeat: 1 },
    });
    assert.deepEqual(t.announcer.calls, [
      { kind: 'announce', group: 'web', vips: [a], schedule: { repeat: 1 } },
    ]);
  });

  it('a group moves as a whole: a VIP that cannot be added takes the ones added off again and nothing stays announced', () => {
    for (const announceFirst of [false, true]) {
      const t = parts();
      const failing = {
        ...t.parts,
        addresses: {
          ...t.parts.addresses,
          addNow: (vip: Vip) => {
            if (vip === b) throw new ArpError('INTERFACE_NOT_FOUND', 'no interface "eth0"');
            return t.parts.addresses.addNow(vip);
          },
        },
      };
      const result = takeOver(failing, 'web', [a, b], { announceFirst });
      assert.ok(!result.ok);
      assert.ok(result.error instanceof ArpError);
      assert.equal(result.failedVip, b);
      assert.deepEqual(result.added, [{ vip: a, outcome: 'added' }]);
      assert.deepEqual(result.rolledBack, [{ vip: a, outcome: 'removed' }]);
      assert.deepEqual(t.addresses.present(), []);
      assert.equal(t.announcer.announcing('web'), undefined, `announceFirst ${announceFirst}`);
      assert.deepEqual(
        t.log,
        announceFirst
          ? [
              'announce web 10.213.0.100,fd00:213::100',
              'add 10.213.0.100',
              'stop web',
              'remove 10.213.0.100',
            ]
          : ['add 10.213.0.100', 'remove 10.213.0.100'],
      );
    }
  });

  it('an announcement that cannot start takes every VIP off again (add first) or adds none (announce first)', () => {
    for (const announceFirst of [false, true]) {
      const t = parts();
      const failing = {
        ...t.parts,
        announcer: {
          ...t.parts.announcer,
          announce: () => {
            throw new ArpError('SYSCALL_FAILED', 'socket: EPERM');
          },
        },
      };
      const result = takeOver(failing, 'web', [a, b], { announceFirst });
      assert.ok(!result.ok);
      assert.equal(result.failedVip, undefined);
      assert.deepEqual(t.addresses.present(), []);
      assert.deepEqual(
        t.log,
        announceFirst
          ? []
          : [
              'add 10.213.0.100',
              'add fd00:213::100',
              'remove 10.213.0.100',
              'remove fd00:213::100',
            ],
      );
    }
  });

  it('an address someone else configured is announced but stays theirs', () => {
    const t = parts();
    t.addresses.addForeign(a);
    const result = takeOver(t.parts, 'web', [a]);
    assert.deepEqual(result, { ok: true, added: [{ vip: a, outcome: 'present-unmanaged' }] });
    assert.deepEqual(t.announcer.announcing('web'), [a]);
    assert.deepEqual(giveUp(t.parts, 'web', [a]), [{ vip: a, outcome: 'left-unmanaged' }]);
  });

  it('giveUp stops announcing before removing anything', () => {
    const t = parts();
    takeOver(t.parts, 'web', [a, b]);
    t.log.length = 0;
    const results = giveUp(t.parts, 'web', [a, b]);
    assert.deepEqual(t.log, ['stop web', 'remove 10.213.0.100', 'remove fd00:213::100']);
    assert.deepEqual(
      results.map((r) => ('outcome' in r ? r.outcome : 'error')),
      ['removed', 'removed'],
    );
    assert.deepEqual(t.addresses.present(), []);
  });
});
