// The kernel model as a table, one row per value the kernel treats differently
// (net/ipv4/arp.c arp_ignore() and arp_solicit(), fib_validate_source()).
// realserver-kernel-model.test.ts checks the same rows against the running kernel.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arpAnnounceHidesVip,
  arpIgnoreVerdict,
  effectiveSysctl,
  rpFilterMode,
} from '../src/realserver/kernel.js';

describe('kernel model', () => {
  it('reads a sysctl as max(all, interface)', () => {
    assert.deepEqual(effectiveSysctl(0, 1), { all: 0, iface: 1, effective: 1 });
    assert.deepEqual(effectiveSysctl(3, 1), { all: 3, iface: 1, effective: 3 });
    assert.deepEqual(effectiveSysctl(null, 2), { all: null, iface: 2, effective: 2 });
    assert.deepEqual(effectiveSysctl(null, null), { all: null, iface: null, effective: null });
  });

  const arpIgnoreRows = [
    { value: 0, host: 'answers', global: 'answers' },
    { value: 1, host: 'hidden', global: 'hidden' },
    { value: 2, host: 'hidden', global: 'hidden' },
    { value: 3, host: 'hidden', global: 'answers' },
    { value: 4, host: 'answers', global: 'answers' },
    { value: 7, host: 'answers', global: 'answers' },
    { value: 8, host: 'answers_nothing', global: 'answers_nothing' },
    { value: 9, host: 'answers', global: 'answers' },
  ] as const;
  for (const row of arpIgnoreRows) {
    it(`arp_ignore ${String(row.value)}: scope host ${row.host}, scope global ${row.global}`, () => {
      assert.equal(arpIgnoreVerdict(row.value, true), row.host);
      assert.equal(arpIgnoreVerdict(row.value, false), row.global);
    });
  }

  it('arp_announce hides the VIP only at exactly 2 (3 and up fall to case 0)', () => {
    assert.deepEqual([0, 1, 2, 3, 7].map(arpAnnounceHidesVip), [false, false, true, false, false]);
  });

  it('rp_filter: 0 off, 1 strict, anything else loose', () => {
    assert.deepEqual([0, 1, 2, 5].map(rpFilterMode), ['off', 'strict', 'loose', 'loose']);
  });
});
