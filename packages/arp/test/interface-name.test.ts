import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArpError } from '../src/errors.js';
import { isInterfaceName } from '../src/interface-name.js';
import { checkVip } from '../src/vip.js';

describe('interface names (the kernel dev_valid_name rule)', () => {
  const cases: { name: string; text: string; valid: boolean }[] = [
    { name: 'plain', text: 'eth0', valid: true },
    { name: 'VLAN', text: 'eth0.100', valid: true },
    { name: 'one character', text: 'a', valid: true },
    { name: '15 bytes (IFNAMSIZ - 1)', text: 'abcdefghijklmno', valid: true },
    { name: '16 bytes', text: 'abcdefghijklmnop', valid: false },
    { name: 'empty', text: '', valid: false },
    { name: 'slash', text: 'eth/0', valid: false },
    { name: 'colon (an alias label, not a name)', text: 'eth0:1', valid: false },
    { name: 'space', text: 'eth 0', valid: false },
    { name: 'dot', text: '.', valid: false },
    { name: 'dot dot', text: '..', valid: false },
    { name: 'three dots', text: '...', valid: true },
  ];
  for (const c of cases) {
    it(`${c.valid ? 'accepts' : 'rejects'} ${c.name}`, () => {
      assert.equal(isInterfaceName(c.text), c.valid);
    });
  }

  it('checkVip refuses "." and ".." before the kernel does', () => {
    for (const iface of ['.', '..']) {
      assert.throws(
        () => checkVip({ address: '10.0.0.1', prefixLength: 24, interface: iface }),
        (error: unknown) => error instanceof ArpError && error.code === 'INVALID_VIP',
      );
    }
  });
});
