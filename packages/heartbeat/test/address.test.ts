// The one host:port grammar, with the rules each caller picks (vipd's config refuses names
// in listen addresses and port 0 for peers; the mesh takes both).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHostName, readHostPort, type HostPortRules } from '../src/address.js';

const LISTEN: HostPortRules = { allowHostname: false, allowPortZero: true };
const PEER: HostPortRules = { allowHostname: true, allowPortZero: false };

describe('readHostPort', () => {
  const cases: { text: string; rules: HostPortRules; want: [string, number] | null }[] = [
    { text: '10.0.0.1:7410', rules: LISTEN, want: ['10.0.0.1', 7410] },
    { text: '[fd00::1]:7410', rules: LISTEN, want: ['fd00::1', 7410] },
    { text: '127.0.0.1:0', rules: LISTEN, want: ['127.0.0.1', 0] },
    { text: '127.0.0.1:0', rules: PEER, want: null },
    { text: 'node2.example:7410', rules: PEER, want: ['node2.example', 7410] },
    { text: 'node2.example:7410', rules: LISTEN, want: null },
    { text: '10.0.0.1:65535', rules: PEER, want: ['10.0.0.1', 65535] },
    { text: '10.0.0.1:65536', rules: PEER, want: null },
    { text: '10.0.0.1:+80', rules: PEER, want: null },
    { text: '10.0.0.1:080', rules: PEER, want: ['10.0.0.1', 80] },
    { text: '[fe80::1%eth0]:7410', rules: PEER, want: null },
    { text: 'fd00::1:7410', rules: PEER, want: null },
    { text: '[10.0.0.1]:7410', rules: PEER, want: null },
    { text: '10.0.0.300:7410', rules: PEER, want: null },
    { text: 'under_score:7410', rules: PEER, want: null },
    { text: 'http://node2:7410', rules: PEER, want: null },
  ];
  for (const c of cases) {
    it(`${c.want === null ? 'rejects' : 'reads'} ${c.text} (${JSON.stringify(c.rules)})`, () => {
      const got = readHostPort(c.text, c.rules);
      assert.deepEqual(got, c.want === null ? null : { host: c.want[0], port: c.want[1] });
    });
  }
});

describe('isHostName', () => {
  for (const [text, valid] of [
    ['vipd-1.example', true],
    ['localhost', true],
    ['10.0.0.1', false],
    ['-bad.example', false],
    ['host:80', false],
    ['', false],
  ] as const) {
    it(`${valid ? 'accepts' : 'rejects'} "${text}"`, () => {
      assert.equal(isHostName(text), valid);
    });
  }
});
