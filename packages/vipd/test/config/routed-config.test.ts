// `routed:` groups in a config file: what the daemon gets, and every rule the schema cannot
// state (host addresses only, no interface, no label, no vrrp, no kernel table).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigProblem, VipdConfig } from '../../src/config/types.js';
import { loadOrProblems } from './fixture.js';

const HEAD = `node: { id: n1, listen: 10.0.1.2:7410 }
cluster:
  key_file: ./cluster.key
  peers: [{ id: n2, address: 10.0.2.2:7410 }]
groups:
`;

function load(groups: string): VipdConfig | ConfigProblem[] {
  return loadOrProblems(HEAD + groups);
}

function problems(groups: string): [string, string][] {
  const result = load(groups);
  assert.ok(Array.isArray(result), 'the file was accepted');
  return result.map((p) => [p.path, p.message]);
}

describe('config: routed groups', () => {
  it('puts the VIPs on lo as host addresses, table 250 by default, no interface tracking', () => {
    const config = load(`  - name: web
    addresses: [198.51.100.10, 2001:db8:5::10/128]
    priority: 150
    routed: {}
  - name: api
    addresses: [198.51.100.11/32]
    routed: { table: 4294967295 }
`);
    assert.ok(!Array.isArray(config), JSON.stringify(config));
    const [web, api] = config.groups;
    assert.ok(web !== undefined && api !== undefined);
    assert.deepEqual(web.routed, { table: 250 });
    assert.equal(web.interface, 'lo');
    assert.equal(web.trackInterface, false);
    assert.equal(web.priority, 150);
    assert.deepEqual(web.vips, [
      { address: '198.51.100.10', prefixLength: 32, interface: 'lo' },
      { address: '2001:db8:5::10', prefixLength: 128, interface: 'lo' },
    ]);
    assert.deepEqual(api.routed, { table: 4294967295 });
  });

  it('an ARP group still needs its interface', () => {
    assert.deepEqual(problems(`  - { name: web, addresses: [10.0.1.100/24] }\n`), [
      ['groups[0]', 'missing required key "interface"'],
    ]);
  });

  it('refuses an interface, a label, vrrp, kernel tables and prefixes wider than a host', () => {
    const found = problems(`  - name: web
    interface: eth0
    label: eth0:vip
    addresses: [198.51.100.10/24, 2001:db8::1/64, 198.51.100.12]
    vrrp: { vrid: 5 }
    routed: { table: 254 }
  - { name: big, addresses: [198.51.100.20], routed: { table: 0 } }
`);
    // The VRRP rules also refuse the mixed families; each path once is enough here.
    const paths = [...new Set(found.map(([path]) => path))];
    assert.deepEqual(paths.sort(), [
      'groups[0].addresses[0]',
      'groups[0].addresses[1]',
      'groups[0].interface',
      'groups[0].label',
      'groups[0].routed.table',
      'groups[0].vrrp',
      'groups[1].routed.table',
    ]);
    const message = (path: string) =>
      found
        .filter(([p]) => p === path)
        .map(([, m]) => m)
        .join(' | ');
    assert.match(
      message('groups[0].addresses[0]'),
      /one host address \(\/32\).*198\.51\.100\.10\/32/,
    );
    assert.match(message('groups[0].addresses[1]'), /\/128/);
    assert.match(message('groups[0].routed.table'), /254 main/);
    assert.match(message('groups[0].vrrp'), /not both/);
    assert.match(message('groups[0].interface'), /VIPs go on lo/);
  });
});
