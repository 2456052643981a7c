// The order of the takeover and demotion steps, checked on the doubles the daemon uses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArpError } from '../src/errors.js';
import { createMemoryAddressManager, createRecordingAnnouncer } from '../src/testing/index.js';
import { giveUp, takeOver } from '../src/takeover.js';
import type { Announcer, Vip } from '../src/types.js';

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
  const loggedAnnouncer: Announcer = {
    announce: (group, vips) => {
      log.push(`announce ${group} ${vips.map((v) => v.address).join(',')}`);
      announcer.announce(group, vips);
    },
    stop: (group) => {
      log.push(`stop ${group}`);
      announcer.stop(group);
    },
    close: () => undefined,
  };
  return { log, addresses, announcer, parts: { addresses: logged, announcer: loggedAnnouncer } };
}

describe('takeOver / giveUp', () => {
  it('adds every address before announcing, by default', () => {
    const t = parts();
    const results = takeOver(t.parts, 'web', [a, b]);
    assert.deepEqual(t.log, [
      'add 10.213.0.100',
      'add fd00:213::100',
      'announce web 10.213.0.100,fd00:213::100',
    ]);
    assert.deepEqual(
      results.map((r) => ('outcome' in r ? r.outcome : r.error.message)),
      ['added', 'added'],
    );
  });

  it('announceFirst puts the first round on the wire before the adds', () => {
    const t = parts();
    takeOver(t.parts, 'web', [a, b], { announceFirst: true });
    assert.deepEqual(t.log, [
      'announce web 10.213.0.100,fd00:213::100',
      'add 10.213.0.100',
      'add fd00:213::100',
    ]);
  });

  it('a VIP that cannot be added is reported and not announced; the others go ahead', () => {
    for (const announceFirst of [false, true]) {
      const t = parts();
      t.addresses.failNext(new ArpError('INTERFACE_NOT_FOUND', 'no interface "eth0"'));
      const results = takeOver(t.parts, 'web', [a, b], { announceFirst });
      assert.ok('error' in results[0]! && results[0].error instanceof ArpError);
      assert.deepEqual(t.announcer.announcing('web'), [b]);
    }
  });

  it('an address someone else configured is announced but stays theirs', () => {
    const t = parts();
    t.addresses.addForeign(a);
    const results = takeOver(t.parts, 'web', [a]);
    assert.deepEqual(results, [{ vip: a, outcome: 'present-unmanaged' }]);
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
