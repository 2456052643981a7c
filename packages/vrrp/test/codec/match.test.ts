// RFC 5798 §7.1, the checks against the configured virtual router: the VRID must be ours, and
// the address list must match ours unless the sender is the address owner (priority 255).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VrrpError } from '../../src/errors.js';
import { matchInstance } from '../../src/codec/match.js';
import type { Advert } from '../../src/codec/types.js';

const advert: Advert = {
  version: 3,
  vrid: 51,
  priority: 150,
  maxAdvertIntervalCs: 100,
  addresses: ['192.0.2.100', '192.0.2.101'],
};

function reasonOf(result: ReturnType<typeof matchInstance>): string {
  return result.ok ? 'ok' : `${result.reason}: ${result.detail}`;
}

describe('matchInstance', () => {
  it('accepts the same VRID and the same addresses in any order and spelling, passing the advert on', () => {
    const v6: Advert = { ...advert, addresses: ['fd13::100', 'fd13::101'] };
    assert.deepEqual(
      matchInstance(advert, { vrid: 51, addresses: ['192.0.2.101', '192.0.2.100/24'] }),
      {
        ok: true,
        advert,
      },
    );
    assert.equal(
      reasonOf(matchInstance(v6, { vrid: 51, addresses: ['FD13:0::101/64', 'fd13::100'] })),
      'ok',
    );
  });

  it('refuses another VRID, even from the owner', () => {
    assert.equal(
      reasonOf(
        matchInstance({ ...advert, priority: 255 }, { vrid: 52, addresses: advert.addresses }),
      ),
      'vrid: advert for VRID 51; this virtual router is VRID 52',
    );
  });

  it('refuses a different address list below priority 255', () => {
    for (const addresses of [
      ['192.0.2.100'],
      ['192.0.2.100', '192.0.2.101', '192.0.2.102'],
      ['192.0.2.100', '192.0.2.109'],
    ]) {
      assert.equal(
        reasonOf(matchInstance(advert, { vrid: 51, addresses })),
        `address-list: VRID 51 advert lists [192.0.2.100, 192.0.2.101], this router has [${[...addresses].sort().join(', ')}]; ` +
          'only the address owner (priority 255) may differ',
      );
    }
  });

  it('counts a repeated address: [a, a] is not [a, b]', () => {
    const twice = { ...advert, addresses: ['192.0.2.100', '192.0.2.100'] };
    assert.match(
      reasonOf(matchInstance(twice, { vrid: 51, addresses: advert.addresses })),
      /^address-list/,
    );
  });

  it('accepts a different list from the address owner (priority 255)', () => {
    const owner = { ...advert, priority: 255, addresses: ['192.0.2.1'] };
    assert.deepEqual(matchInstance(owner, { vrid: 51, addresses: advert.addresses }), {
      ok: true,
      advert: owner,
    });
  });

  it('throws a typed error for an instance address that is not an address', () => {
    assert.throws(
      () => matchInstance(advert, { vrid: 51, addresses: ['192.0.2.100', 'web-vip'] }),
      (error: unknown) =>
        error instanceof VrrpError &&
        error.code === 'INVALID_ADDRESS' &&
        /"web-vip"/.test(error.message),
    );
  });
});
