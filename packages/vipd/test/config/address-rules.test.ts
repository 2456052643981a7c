// Addresses that cannot work whatever host reads the file: a document in, problems out.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAddresses } from '../../src/config/address-rules.js';
import { ProblemList } from '../../src/config/problems.js';

const node = { id: 'n1', listen: '10.0.0.1:7410' };
const peers = [{ id: 'n2', address: '10.0.0.2:7410' }];

function problemsOf(addresses: string[], extra: Record<string, unknown> = {}): ProblemList {
  const problems = new ProblemList(() => undefined);
  checkAddresses(
    {
      node,
      cluster: { peers },
      api: { listen: '127.0.0.1:7411' },
      groups: [{ name: 'web', interface: 'eth0', addresses, ...extra }],
    },
    problems,
  );
  return problems;
}

const summary = (list: ProblemList['errors']) => list.map((p) => `${p.path}: ${p.message}`);

describe('VIPs that no host could use', () => {
  it('accepts ordinary unicast VIPs, /31 and /32 ends and a /127', () => {
    const problems = problemsOf([
      '10.0.0.100/24',
      '10.0.1.0/31',
      '10.0.1.1/31',
      '10.0.2.0/32',
      'fd00::100/64',
      'fd00:1::/127',
    ]);
    assert.deepEqual(summary(problems.errors), []);
    assert.deepEqual(summary(problems.warnings), []);
  });

  it('refuses network, broadcast, multicast, loopback, unspecified and reserved addresses', () => {
    const problems = problemsOf([
      '10.0.0.0/24',
      '10.0.0.255/24',
      '239.1.1.1/32',
      'ff02::1',
      '127.0.0.5/8',
      '::1',
      '0.0.0.0/32',
      '255.255.255.255/32',
      '250.0.0.1/32',
      'fd00::/64',
    ]);
    assert.deepEqual(summary(problems.errors), [
      'groups[0].addresses[0]: 10.0.0.0 is the network address of 10.0.0.0/24; use a host address inside it',
      'groups[0].addresses[1]: 10.0.0.255 is the broadcast address of 10.0.0.0/24; use a host address inside it',
      "groups[0].addresses[2]: 239.1.1.1 is a multicast address; a VIP must be unicast (ARP and neighbour discovery announce one host's address)",
      "groups[0].addresses[3]: ff02::1 is a multicast address; a VIP must be unicast (ARP and neighbour discovery announce one host's address)",
      "groups[0].addresses[4]: 127.0.0.5 is a loopback address, never reachable from another host (a real server's VIP on lo goes under realserver.vips)",
      "groups[0].addresses[5]: ::1 is a loopback address, never reachable from another host (a real server's VIP on lo goes under realserver.vips)",
      'groups[0].addresses[6]: 0.0.0.0 is an unspecified address: nothing can be reached at it',
      'groups[0].addresses[7]: 255.255.255.255 is the limited broadcast address',
      'groups[0].addresses[8]: 250.0.0.1 is in 240.0.0.0/4, reserved: hosts will not send to it',
      'groups[0].addresses[9]: fd00:: is the subnet-router anycast address of fd00::/64 (RFC 4291 §2.6.1), which routers on the link answer; use a host address inside it',
    ]);
    assert.ok(problems.errors.every((p) => p.code === 'VIP_UNUSABLE'));
  });

  it('warns about link-local VIPs, except IPv6 ones in a VRRP group (RFC 5798 §5.2.9)', () => {
    const plain = problemsOf(['169.254.10.10/16', 'fe80::10/64']);
    assert.deepEqual(plain.errors, []);
    assert.deepEqual(
      plain.warnings.map((p) => p.path),
      ['groups[0].addresses[0]', 'groups[0].addresses[1]'],
    );
    assert.match(
      plain.warnings[1]?.message ?? '',
      /fe80::10 is link-local: only hosts on the same link/,
    );
    const vrrp = problemsOf(['169.254.10.10/16', 'fe80::10/64'], { vrrp: { vrid: 5 } });
    assert.deepEqual(
      vrrp.warnings.map((p) => p.path),
      ['groups[0].addresses[0]'],
    );
  });

  it("refuses a VIP that is this node's or a peer's heartbeat address, in any spelling", () => {
    const problems = problemsOf(['10.0.0.1/24', '10.0.0.2/32']);
    assert.deepEqual(summary(problems.errors), [
      "groups[0].addresses[0]: 10.0.0.1 is this node's own heartbeat address (node.listen); a VIP must be an address no node owns",
      "groups[0].addresses[1]: 10.0.0.2 is peer n2's heartbeat address (cluster.peers[0]); a VIP must be an address no node owns",
    ]);
    assert.ok(problems.errors.every((p) => p.code === 'VIP_IS_NODE_ADDRESS'));
    const v6 = new ProblemList(() => undefined);
    checkAddresses(
      {
        node: { id: 'n1', listen: '[fd00:0::1]:7410' },
        groups: [{ name: 'web', interface: 'eth0', addresses: ['FD00::1/64'] }],
      },
      v6,
    );
    assert.equal(v6.errors[0]?.code, 'VIP_IS_NODE_ADDRESS');
  });
});

describe('api.listen beyond loopback', () => {
  function apiWarnings(api: Record<string, unknown>): string[] {
    const problems = new ProblemList(() => undefined);
    checkAddresses({ node, api }, problems);
    assert.deepEqual(problems.errors, []);
    return problems.warnings.map((p) => `${p.path} ${p.code ?? ''}: ${p.message}`);
  }

  it('warns for a wildcard and a public address, not for loopback or a private network', () => {
    assert.match(
      apiWarnings({ listen: '0.0.0.0:7411' })[0] ?? '',
      /^api\.listen API_EXPOSED: listens on every address of this host: reads \(status, events, metrics\) need no token/,
    );
    assert.match(apiWarnings({ listen: '[::]:7411' })[0] ?? '', /listens on every address/);
    assert.match(
      apiWarnings({ listen: '11.0.0.1:7411' })[0] ?? '',
      /listens on 11\.0\.0\.1, a public address/,
    );
    assert.match(
      apiWarnings({ listen: '[2a00::1]:7411' })[0] ?? '',
      /listens on 2a00::1, a public address/,
    );
    for (const listen of [
      '127.0.0.1:7411',
      '[::1]:7411',
      '10.0.0.1:7411',
      '[fd00::1]:7411',
      '192.168.1.1:7411',
    ])
      assert.deepEqual(apiWarnings({ listen }), [], listen);
    assert.deepEqual(apiWarnings({ listen: '0.0.0.0:7411', enabled: false }), []);
  });
});
