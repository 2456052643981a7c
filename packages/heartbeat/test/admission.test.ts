// Admission bookkeeping on its own: who gets a slot for an unauthenticated connection.
// The rule that matters most: a flood from other addresses never takes the last slot
// from a configured peer's address. Real sockets: test/mesh-flood.test.ts.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AdmissionControl,
  canonicalAddress,
  resolvePeerAddresses,
  sourceOf,
  type AdmissionLimits,
  type AdmissionSlot,
} from '../src/admission.js';

const LIMITS: AdmissionLimits = { sharedSlots: 6, slotsPerSource: 2, slotsPerPeer: 3 };

function slot(result: AdmissionSlot | string): AdmissionSlot {
  if (typeof result === 'string') assert.fail(`expected a slot, got ${result}`);
  return result;
}

/** Fill the shared pool from distinct addresses 10.9.0.x, as a flood would. */
function exhaustShared(admission: AdmissionControl): AdmissionSlot[] {
  const taken: AdmissionSlot[] = [];
  for (let host = 1; taken.length < LIMITS.sharedSlots; host++) {
    for (let i = 0; i < LIMITS.slotsPerSource; i++) {
      taken.push(slot(admission.admit(`10.9.0.${host}`)));
    }
  }
  assert.equal(admission.admit('10.9.1.1'), 'admission-total');
  return taken;
}

describe('admission', () => {
  it('caps the slots of one source address', () => {
    const admission = new AdmissionControl(LIMITS, []);
    slot(admission.admit('10.0.0.7'));
    slot(admission.admit('10.0.0.7'));
    assert.equal(admission.admit('10.0.0.7'), 'admission-per-source');
    slot(admission.admit('10.0.0.8'));
    assert.equal(admission.held(), 3);
  });

  it('caps the shared slots of all sources together', () => {
    const admission = new AdmissionControl(LIMITS, []);
    exhaustShared(admission);
    assert.equal(admission.held(), LIMITS.sharedSlots);
  });

  it("keeps a configured peer's slots free however full the shared pool is", () => {
    const admission = new AdmissionControl(LIMITS, ['10.0.0.2']);
    exhaustShared(admission);
    for (let i = 0; i < LIMITS.slotsPerPeer; i++) slot(admission.admit('10.0.0.2'));
    // Beyond its own slots the peer competes like anyone, and the pool is full.
    assert.equal(admission.admit('10.0.0.2'), 'admission-total');
  });

  it("never lets another address take a peer's reserved slots", () => {
    const admission = new AdmissionControl(LIMITS, ['10.0.0.2']);
    for (let host = 10; host < 40; host++) admission.admit(`10.0.0.${host}`);
    assert.equal(admission.held(), LIMITS.sharedSlots, 'the flood got the shared pool only');
    slot(admission.admit('10.0.0.2'));
  });

  it('lets a peer use the shared pool beyond its own slots, under the per-source cap', () => {
    const admission = new AdmissionControl(LIMITS, ['10.0.0.2']);
    const total = LIMITS.slotsPerPeer + LIMITS.slotsPerSource;
    for (let i = 0; i < total; i++) slot(admission.admit('10.0.0.2'));
    assert.equal(admission.admit('10.0.0.2'), 'admission-per-source');
  });

  it('reserves slots per peer, so two peers on one host get twice as many', () => {
    const admission = new AdmissionControl({ ...LIMITS, sharedSlots: 0 }, ['10.0.0.2', '10.0.0.2']);
    for (let i = 0; i < 2 * LIMITS.slotsPerPeer; i++) slot(admission.admit('10.0.0.2'));
    assert.equal(admission.admit('10.0.0.2'), 'admission-total');
  });

  it('matches a peer however its IPv6 address or the remote address is spelled', () => {
    const admission = new AdmissionControl({ ...LIMITS, sharedSlots: 0 }, [
      'fd00:0:0::2',
      '10.0.0.2',
    ]);
    slot(admission.admit('fd00::2'));
    slot(admission.admit('FD00:0000::0002'));
    slot(admission.admit('::ffff:10.0.0.2'));
    // Another address of the same /64 is not the peer: no shared slots, so refused.
    assert.equal(admission.admit('fd00::3'), 'admission-total');
  });

  it('counts an IPv6 /64 as one source', () => {
    const admission = new AdmissionControl(LIMITS, []);
    slot(admission.admit('2001:db8:1:2::a'));
    slot(admission.admit('2001:db8:1:2:ffff::b'));
    assert.equal(admission.admit('2001:db8:1:2::c'), 'admission-per-source');
    slot(admission.admit('2001:db8:1:3::a'));
  });

  it('gives a slot back once, however often it is released', () => {
    const admission = new AdmissionControl(LIMITS, []);
    const first = slot(admission.admit('10.0.0.7'));
    const second = slot(admission.admit('10.0.0.7'));
    first.release();
    first.release();
    assert.equal(admission.held(), 1);
    slot(admission.admit('10.0.0.7'));
    assert.equal(admission.admit('10.0.0.7'), 'admission-per-source');
    second.release();
    assert.equal(admission.held(), 1);
  });

  it('frees the shared pool as slots are released', () => {
    const admission = new AdmissionControl(LIMITS, []);
    const taken = exhaustShared(admission);
    taken[0]!.release();
    slot(admission.admit('10.9.1.1'));
    assert.equal(admission.admit('10.9.1.2'), 'admission-total');
  });

  it('puts a socket without a remote address (closed already) under one source', () => {
    const admission = new AdmissionControl(LIMITS, []);
    slot(admission.admit(undefined));
    slot(admission.admit(undefined));
    assert.equal(admission.admit(undefined), 'admission-per-source');
  });
});

describe('canonicalAddress', () => {
  const table: [string, string | null][] = [
    ['10.0.0.1', '10.0.0.1'],
    ['::ffff:10.0.0.1', '10.0.0.1'],
    ['::ffff:a00:1', '10.0.0.1'],
    ['fd00::2', 'fd00:0000:0000:0000:0000:0000:0000:0002'],
    ['FD00:0:0:0:0:0:0:2', 'fd00:0000:0000:0000:0000:0000:0000:0002'],
    ['fe80::1%eth0', 'fe80:0000:0000:0000:0000:0000:0000:0001'],
    ['::', '0000:0000:0000:0000:0000:0000:0000:0000'],
    ['1::', '0001:0000:0000:0000:0000:0000:0000:0000'],
    ['64:ff9b::1.2.3.4', '0064:ff9b:0000:0000:0000:0000:0102:0304'],
    ['node-b.example', null],
    ['', null],
    ['10.0.0.256', null],
  ];
  for (const [text, canonical] of table) {
    it(`"${text}" -> ${String(canonical)}`, () => {
      assert.equal(canonicalAddress(text), canonical);
    });
  }

  it('groups IPv6 by /64 and IPv4 by address', () => {
    assert.equal(sourceOf('2001:0db8:0001:0002:0000:0000:0000:000a'), '2001:0db8:0001:0002::/64');
    assert.equal(sourceOf('10.0.0.1'), '10.0.0.1');
  });
});

describe('resolvePeerAddresses', () => {
  it('keeps literals, looks names up and reports names that do not resolve', async () => {
    const { addresses, unresolved } = await resolvePeerAddresses([
      '10.0.0.2',
      'fd00::2',
      'localhost',
      'no-such-host.invalid',
    ]);
    assert.deepEqual(addresses.slice(0, 2), ['10.0.0.2', 'fd00::2']);
    assert.ok(
      addresses.slice(2).some((address) => canonicalAddress(address) === '127.0.0.1'),
      `localhost resolved to ${addresses.slice(2).join(', ')}`,
    );
    assert.deepEqual(
      unresolved.map(({ host }) => host),
      ['no-such-host.invalid'],
    );
  });
});
