// `vipd check` against a real host: a namespace this test builds, with a veth and known
// addresses (one of them a VIP vipd holds, one the host's own), and `vipd check` run inside
// it with `ip netns exec`. Needs root (CI is root).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAddressManager } from '@vipd/arp';
import { NetnsLab, netnsSkipReason } from '@vipd/testkit';
import { readHostView } from '../../src/check/host-view.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { configDir, type ConfigDir } from '../config/fixture.js';
import { VIPD, runSync } from './process.js';

const lab = new NetnsLab('vchk');
const NS = lab.name('host');

function config(options: {
  listen: string;
  iface: string;
  vips: string;
  trackerInterface: string;
}): string {
  return `node: { id: n1, listen: ${options.listen} }
cluster: { key_file: cluster.key }
trackers:
  - { name: link, type: interface, interface: ${options.trackerInterface} }
groups:
  - name: web
    interface: ${options.iface}
    addresses: [${options.vips}]
    priority: 100
    track: [{ tracker: link }]
api: { listen: 127.0.0.1:7411, token_file: api.token }
`;
}

const GOOD = config({
  listen: '10.77.0.1:7410',
  iface: 'v0',
  vips: '10.77.0.100/24, "fd77::100/64"',
  trackerInterface: 'v0p',
});

describe('vipd check on a host (a namespace, root)', { skip: netnsSkipReason() }, () => {
  const dirs: ConfigDir[] = [];
  const check = (yaml: string, ...flags: string[]) => {
    const dir = configDir(yaml);
    dirs.push(dir);
    return runSync(VIPD, ['check', ...flags, '--config', dir.file], {
      prefix: ['ip', 'netns', 'exec', NS],
    });
  };

  before(() => {
    lab.namespace('host');
    lab.exec(NS, ['sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
    lab.ip(NS, 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v0p');
    lab.ip(NS, 'link', 'set', 'v0', 'up');
    lab.ip(NS, 'link', 'set', 'v0p', 'up');
    lab.ip(NS, 'addr', 'add', '10.77.0.1/24', 'dev', 'v0');
    lab.ip(NS, 'addr', 'add', 'fd77::1/64', 'dev', 'v0');
    // The host's own second address, and a VIP a running vipd holds (marked as vipd's).
    lab.ip(NS, 'addr', 'add', '10.77.0.50/24', 'dev', 'v0');
    const manager = createAddressManager({ netns: NS });
    try {
      manager.addNow({ address: '10.77.0.100', prefixLength: 24, interface: 'v0' });
    } finally {
      manager.close();
    }
  });
  after(() => {
    lab.destroy();
    for (const dir of dirs) dir.remove();
  });

  it("reads the namespace's interfaces and addresses, telling vipd's from the host's", () => {
    const view = readHostView({ netns: NS });
    assert.deepEqual([...view.interfaces].sort(), ['lo', 'v0', 'v0p']);
    const v0 = view.addresses.filter((a) => a.interface === 'v0' && a.family === 4);
    assert.deepEqual(
      v0.map((a) => [a.address, a.prefixLength, a.addedByVipd]),
      [
        ['10.77.0.1', 24, false],
        ['10.77.0.50', 24, false],
        ['10.77.0.100', 24, true],
      ],
    );
  });

  it('passes a config that fits the host, the VIP vipd holds included: exit 0', () => {
    const result = check(GOOD);
    assert.equal(result.status, EXIT.OK, result.stderr);
    // What follows on that line is the service-user file check, which depends on whether
    // a vipd user exists here (vipd-check-user.test covers it).
    assert.match(result.stdout, /\nhost: interfaces and addresses checked[;\n]/);
    assert.doesNotMatch(result.stdout, /warning:/);
  });

  it("lists a missing interface, a listen address not here and the host's own address as a VIP", () => {
    const result = check(
      config({
        listen: '10.77.0.9:7410',
        iface: 'v1',
        vips: '10.77.0.50/24',
        trackerInterface: 'v0p',
      }),
    );
    assert.equal(result.status, EXIT.CONFIG_INVALID, result.stdout);
    const lines = result.stderr
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim());
    assert.equal(lines.length, 3, result.stderr);
    assert.match(
      lines[0] ?? '',
      /:1:\d+: node\.listen: 10\.77\.0\.9 is not an address of this host, so the heartbeat listener cannot bind it .*\[LISTEN_ADDRESS_MISSING\]$/,
    );
    assert.match(
      lines[1] ?? '',
      /:7:\d+: groups\[0\]\.interface: interface "v1" does not exist on this host; did you mean "v0"\? \(interfaces here: [^)]*\bv0\b[^)]*\).*\[INTERFACE_MISSING\]$/,
    );
    assert.match(
      lines[2] ?? '',
      /:8:\d+: groups\[0\]\.addresses\[0\]: 10\.77\.0\.50 is already an address of this host \(on v0\) that vipd did not add.*\[VIP_IS_NODE_ADDRESS\]$/,
    );
  });

  it("warns about a tracker's missing interface; --offline skips the host entirely", () => {
    const tracker = check(
      config({
        listen: '10.77.0.1:7410',
        iface: 'v0',
        vips: '10.77.0.100/24',
        trackerInterface: 'wlan0',
      }),
    );
    assert.equal(tracker.status, EXIT.OK, tracker.stderr);
    assert.match(
      tracker.stdout,
      /warning: .*:4:\d+: trackers\[0\]\.interface: interface "wlan0" does not exist on this host .*groups that track it stay in FAULT until it appears \[INTERFACE_MISSING\]\n/,
    );
    const offline = check(
      config({
        listen: '10.77.0.9:7410',
        iface: 'v1',
        vips: '10.77.0.50/24',
        trackerInterface: 'v0p',
      }),
      '--offline',
      '--json',
    );
    assert.equal(offline.status, EXIT.OK, offline.stdout);
    const body = JSON.parse(offline.stdout) as { valid: boolean; host: string };
    assert.deepEqual([body.valid, body.host], [true, 'not checked (--offline)']);
  });
});
