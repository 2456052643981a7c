// `vrrp:` groups in a config file: what the daemon gets, and every rule the schema cannot
// state, each reported with its path and line.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConfigProblem, VipdConfig } from '../../src/config/types.js';
import { loadOrProblems } from './fixture.js';

/** A node whose groups all use vrrp: no listen, key or peers. Its groups follow. */
const VRRP_NODE = `node: { id: r1 }
groups:
`;

const VRRP_ONLY = `${VRRP_NODE}  - name: web
    interface: eth0
    addresses: [192.0.2.100/24, 192.0.2.101]
    priority: 150
    vrrp: { vrid: 51, advert_interval: 100ms, unicast_peers: [192.0.2.2] }
  - name: web6
    interface: eth0
    addresses: ['2001:DB8::100/64']
    vrrp: { vrid: 51, source_address: 'fe80::1' }
`;

function load(yaml: string): VipdConfig | ConfigProblem[] {
  return loadOrProblems(yaml, { withSecrets: false });
}

function problems(yaml: string): [string, number | undefined, string][] {
  const result = load(yaml);
  assert.ok(Array.isArray(result), 'the file was accepted');
  return result.map((p) => [p.path, p.line, p.message]);
}

describe('config: vrrp groups', () => {
  it('a node whose groups all use vrrp needs no listen, key or peers; specs are normalised', () => {
    const config = load(VRRP_ONLY);
    assert.ok(!Array.isArray(config), JSON.stringify(config));
    const [web, web6] = config.groups;
    assert.ok(web !== undefined && web6 !== undefined);
    assert.deepEqual(web.vrrp, {
      vrid: 51,
      advertIntervalMs: 100,
      version: 3,
      family: 4,
      unicastPeers: ['192.0.2.2'],
    });
    assert.deepEqual(web6.vrrp, {
      vrid: 51,
      advertIntervalMs: 1000,
      version: 3,
      family: 6,
      unicastPeers: [],
      sourceAddress: 'fe80::1',
    });
    assert.equal(web.priority, 150);
  });

  it('a mesh group next to VRRP groups needs the mesh again', () => {
    const mixed = `${VRRP_ONLY}  - { name: db, interface: eth0, addresses: [192.0.2.200] }\n`;
    assert.deepEqual(
      problems(mixed).map(([path, , message]) => [path, message.replace(/ \(.*$/, '')]),
      [
        ['cluster', 'missing required key "key_file"'],
        ['node', 'missing required key "listen"'],
      ],
    );
  });

  it('refuses mixed families, a VRID twice on one link and family, bad intervals and v2', () => {
    const found = problems(`${VRRP_NODE}  - name: a
    interface: eth0
    addresses: [192.0.2.100, 'fd00::100']
    vrrp: { vrid: 1 }
  - name: b
    interface: eth0
    addresses: [192.0.2.101]
    vrrp: { vrid: 7, advert_interval: 15ms, version: 2 }
  - name: c
    interface: eth0
    addresses: [192.0.2.102]
    vrrp: { vrid: 7, advert_interval: 41s }
  - name: d
    interface: eth1
    addresses: [192.0.2.103]
    vrrp: { vrid: 7, source_address: 'fe80::1', unicast_peers: [192.0.2.9, 'fd00::9'] }
`);
    assert.deepEqual(found, [
      [
        'groups[0].addresses[1]',
        5,
        "a VRRP group's VIPs must all be IPv4 like addresses[0]: RFC 5798 runs IPv4 and IPv6 " +
          'virtual routers apart. Put the IPv6 VIPs in a group of their own (it may use the same vrid)',
      ],
      [
        'groups[1].vrrp.advert_interval',
        10,
        'must be a multiple of 10ms (got 15ms): VRRP carries the interval in centiseconds',
      ],
      [
        'groups[1].vrrp.version',
        10,
        'must be 3 (got 2): vipd speaks VRRPv3 (RFC 5798) only; VRRPv2 adverts are recognised ' +
          'and refused. keepalived speaks v3 with `vrrp_version 3`',
      ],
      [
        'groups[2].vrrp.vrid',
        14,
        'vrid 7 is already used on eth0 for IPv4 by groups[1]: each virtual router on a link ' +
          'needs its own vrid',
      ],
      ['groups[2].vrrp.advert_interval', 14, 'must be between 10ms and 40950ms (got 41s)'],
      ['groups[3].vrrp.source_address', 18, "fe80::1 is not IPv4 like the group's VIPs"],
      ['groups[3].vrrp.unicast_peers[1]', 18, "fd00::9 is not IPv4 like the group's VIPs"],
    ]);
  });

  it('refuses groups on one link that disagree on source address or unicast peers', () => {
    const found =
      problems(`${VRRP_NODE}  - { name: a, interface: eth0, addresses: [192.0.2.100], vrrp: { vrid: 1, unicast_peers: [192.0.2.2] } }
  - { name: b, interface: eth0, addresses: [192.0.2.101], vrrp: { vrid: 2, unicast_peers: [192.0.2.2] } }
  - { name: c, interface: eth0, addresses: [192.0.2.102], vrrp: { vrid: 3 } }
  - { name: d, interface: eth0, addresses: ['fd00::1'], vrrp: { vrid: 3 } }
`);
    assert.deepEqual(found, [
      [
        'groups[2].vrrp',
        5,
        "source_address and unicast_peers must be the same as groups[0]'s: the VRRP groups on " +
          'eth0 (IPv4) share one socket',
      ],
    ]);
  });

  it('refuses a sync group of mesh and VRRP groups, saying why', () => {
    const found = problems(`node: { id: r1, listen: 127.0.0.1:7410 }
cluster: { key_file: cluster.key }
groups:
  - { name: a, interface: eth0, addresses: [192.0.2.100], sync_group: s }
  - { name: b, interface: eth1, addresses: [192.0.2.101], sync_group: s, vrrp: { vrid: 2 } }
`).filter(([path]) => path.startsWith('groups'));
    assert.deepEqual(found, [
      [
        'groups[1].sync_group',
        5,
        'sync group "s" mixes the mesh (groups[0] "a") and VRRP (this group): they decide ' +
          'apart and could not fail over together; give every group of the sync group `vrrp:` ' +
          'or none',
      ],
    ]);
  });

  it('refuses a vrid out of range and an unknown key with the schema', () => {
    const found = problems(`${VRRP_NODE}  - name: a
    interface: eth0
    addresses: [192.0.2.100]
    vrrp: { vrid: 256, advert: 1s }
`);
    assert.deepEqual(
      found.map(([path, , message]) => [path, message]),
      [
        ['groups[0].vrrp.vrid', 'must be <= 255 (got 256)'],
        [
          'groups[0].vrrp.advert',
          'unknown key "advert" (allowed here: vrid, advert_interval, version, unicast_peers, source_address)',
        ],
      ],
    );
  });
});
