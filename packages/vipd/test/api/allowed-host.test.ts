import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostOfHeader, isAllowedHost } from '../../src/api/allowed-host.js';

describe('Host header check', () => {
  const cases: { header: string | undefined; allowed: readonly string[]; ok: boolean }[] = [
    { header: '127.0.0.1:7411', allowed: [], ok: true },
    { header: '[::1]:7411', allowed: [], ok: true },
    { header: '[fd00::1]', allowed: [], ok: true },
    { header: 'localhost', allowed: [], ok: true },
    { header: 'localhost.:7411', allowed: [], ok: true },
    { header: undefined, allowed: [], ok: true },
    { header: 'evil.example', allowed: [], ok: false },
    { header: 'localhost.evil.example', allowed: [], ok: false },
    { header: '127.0.0.1.nip.io:7411', allowed: [], ok: false },
    { header: '', allowed: [], ok: false },
    { header: 'vipd-1.example:7411', allowed: ['vipd-1.example'], ok: true },
    { header: 'VIPD-1.EXAMPLE', allowed: ['vipd-1.example'], ok: true },
    { header: 'vipd-2.example', allowed: ['vipd-1.example'], ok: false },
  ];
  for (const { header, allowed, ok } of cases) {
    it(`${JSON.stringify(header)} with [${allowed.join(', ')}]: ${ok ? 'answered' : 'refused'}`, () => {
      assert.equal(isAllowedHost(header, allowed), ok);
    });
  }

  it('takes the host out of a header with a port, brackets or a trailing dot', () => {
    assert.equal(hostOfHeader('Example.COM:80'), 'example.com');
    assert.equal(hostOfHeader('[fd00::1]:7411'), 'fd00::1');
    assert.equal(hostOfHeader('fd00::1'), 'fd00::1');
    assert.equal(hostOfHeader('vipd.example.'), 'vipd.example');
  });
});
