import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labAddressing } from '../src/addressing.js';
import { LabError } from '../src/errors.js';
import { newRunId } from '@vipd/testkit';

describe('labAddressing', () => {
  it('derives private addresses and MACs from the run id', () => {
    const addressing = labAddressing('5f1cf6');
    assert.equal(addressing.subnet, 0x5f);
    assert.equal(addressing.ipv4(1), '10.213.95.1');
    assert.equal(addressing.ipv6(100), 'fd00:213:95::100');
    assert.equal(addressing.mac(200), '02:13:5f:00:00:c8');
  });

  it('keeps every name a run creates within the 15-byte interface limit', () => {
    const id = newRunId();
    assert.match(id, /^[0-9a-f]{6}$/);
    assert.ok(`vl${id}-br`.length <= 15);
  });

  it('refuses a malformed run id and an out-of-range host', () => {
    assert.throws(
      () => labAddressing('xyz'),
      (e: unknown) => e instanceof LabError && e.code === 'LAB_BAD_ARGUMENT',
    );
    const addressing = labAddressing('000000');
    assert.throws(
      () => addressing.ipv4(0),
      (e: unknown) => e instanceof LabError && e.code === 'LAB_BAD_ARGUMENT',
    );
    assert.throws(
      () => addressing.mac(255),
      (e: unknown) => e instanceof LabError && e.code === 'LAB_BAD_ARGUMENT',
    );
  });
});
