// The host checks against a made-up host: the same rules `vipd check` applies to the machine
// it runs on (the namespace test runs them on a real one).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hostChecks } from '../../src/check/host.js';
import type { HostAddress, HostView } from '../../src/check/host-view.js';
import { ProblemList } from '../../src/config/problems.js';

const address = (
  iface: string,
  text: string,
  prefixLength: number,
  addedByVipd = false,
): HostAddress => ({
  interface: iface,
  family: text.includes(':') ? 6 : 4,
  address: text,
  prefixLength,
  addedByVipd,
});

const HOST: HostView = {
  interfaces: ['lo', 'eth0', 'eth1'],
  addresses: [
    address('lo', '127.0.0.1', 8),
    address('lo', '::1', 128),
    address('eth0', '10.0.0.1', 24),
    address('eth0', 'fd00::1', 64),
    address('eth0', '10.0.0.50', 24),
    address('eth0', '10.0.0.100', 24, true),
  ],
};

function problemsOn(host: HostView, document: Record<string, unknown>): ProblemList {
  const problems = new ProblemList(() => undefined);
  hostChecks(host)(document, problems);
  return problems;
}

const lines = (list: ProblemList['errors']) =>
  list.map((p) => `${p.path} [${p.code}]: ${p.message}`);

describe('host checks (an injected host)', () => {
  it('passes a config that fits the host, a VIP vipd holds now included', () => {
    const problems = problemsOn(HOST, {
      node: { id: 'n1', listen: '10.0.0.1:7410' },
      api: { listen: '127.0.0.1:7411' },
      trackers: [{ name: 'up', type: 'interface', interface: 'eth1' }],
      groups: [{ name: 'web', interface: 'eth0', addresses: ['10.0.0.100/24', 'fd00::100/64'] }],
    });
    assert.deepEqual(lines(problems.errors), []);
    assert.deepEqual(lines(problems.warnings), []);
  });

  it("names a group's missing interface (error) and a tracker's (warning), with the likely one", () => {
    const problems = problemsOn(HOST, {
      node: { id: 'n1', listen: '10.0.0.1:7410' },
      trackers: [{ name: 'up', type: 'interface', interface: 'wlan9' }],
      groups: [{ name: 'web', interface: 'eht0', addresses: ['10.0.0.200/24'] }],
    });
    assert.deepEqual(lines(problems.errors), [
      `groups[0].interface [INTERFACE_MISSING]: interface "eht0" does not exist on this host; did you mean "eth0"? (interfaces here: lo, eth0, eth1): the group's VIPs cannot be added`,
    ]);
    assert.deepEqual(lines(problems.warnings), [
      'trackers[0].interface [INTERFACE_MISSING]: interface "wlan9" does not exist on this host (interfaces here: lo, eth0, eth1): the tracker reports it down, so groups that track it stay in FAULT until it appears',
    ]);
  });

  it('refuses listen addresses that are not this host’s; wildcards and 127.0.0.0/8 bind anywhere', () => {
    const problems = problemsOn(HOST, {
      node: { id: 'n1', listen: '10.0.0.9:7410' },
      api: { listen: '[fd00::9]:7411' },
    });
    assert.deepEqual(lines(problems.errors), [
      'node.listen [LISTEN_ADDRESS_MISSING]: 10.0.0.9 is not an address of this host, so the heartbeat listener cannot bind it (addresses here: 127.0.0.1, ::1, 10.0.0.1, fd00::1, 10.0.0.50)',
      'api.listen [LISTEN_ADDRESS_MISSING]: fd00::9 is not an address of this host, so the API cannot bind it (addresses here: 127.0.0.1, ::1, 10.0.0.1, fd00::1, 10.0.0.50)',
    ]);
    for (const [nodeListen, apiListen] of [
      ['0.0.0.0:7410', '[::]:7411'],
      ['127.0.0.53:7410', '[FD00:0::1]:7411'],
    ])
      assert.deepEqual(
        problemsOn(HOST, {
          node: { id: 'n1', listen: nodeListen },
          api: { listen: apiListen },
        }).errors,
        [],
      );
    // A disabled API binds nothing.
    const disabled = problemsOn(HOST, { api: { enabled: false, listen: '10.9.9.9:7411' } });
    assert.deepEqual(disabled.errors, []);
  });

  it("refuses a VIP that is already one of the host's own addresses, not one vipd added", () => {
    const problems = problemsOn(HOST, {
      groups: [{ name: 'web', interface: 'eth0', addresses: ['10.0.0.50/24', '10.0.0.100/24'] }],
    });
    assert.deepEqual(lines(problems.errors), [
      'groups[0].addresses[0] [VIP_IS_NODE_ADDRESS]: 10.0.0.50 is already an address of this host (on eth0) that vipd did not add: vipd never removes it, so this node would answer for it even as backup',
    ]);
  });

  it('reads a document the schema rejected without throwing', () => {
    const problems = problemsOn(HOST, {
      node: 'nonsense',
      groups: [null, { interface: 5, addresses: 'x' }],
      trackers: 'x',
    });
    assert.deepEqual(problems.errors, []);
  });
});
