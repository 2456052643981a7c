// The bird tracker against two real BIRD 2 daemons peering over BGP in namespaces this test
// creates, each with its own control socket: down while the session is not Established (a
// neighbour that does not answer, an unknown protocol, no socket), up once it is.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSwitchedLab, hasTool, netnsSkipReason, type NetnsLab } from '@vipd/testkit';
import { birdCheck } from '../../src/trackers/bird-check.js';
import type { CheckResult } from '../../src/trackers/check.js';

const skip = netnsSkipReason() || (hasTool('bird') ? false : 'bird (bird2) is not installed');

function birdConf(routerId: string, localAs: number, neighbor: string, peerAs: number): string {
  return `router id ${routerId};
protocol device {}
protocol bgp uplink {
  local as ${localAs};
  neighbor ${neighbor} as ${peerAs};
  connect delay time 1; connect retry time 1; error wait time 1, 2;
  ipv4 { import none; export none; };
}
`;
}

describe('bird tracker against a real BIRD', { skip }, () => {
  let lab: NetnsLab;
  let dir: string;
  let b: string;
  const socket = (node: string) => join(dir, `${node}.ctl`);
  const check = (protocol: string, path = socket('a')): Promise<CheckResult> =>
    birdCheck({ socket: path, protocol, timeoutMs: 2000 })(new AbortController().signal);

  // In the foreground (-f), so the lab kills it at teardown like any process it spawned.
  const startBird = (netns: string, node: string) =>
    lab.spawn(netns, ['bird', '-f', '-c', join(dir, `${node}.conf`), '-s', socket(node)]);
  const until = async (ready: () => Promise<boolean>) => {
    for (let i = 0; i < 100 && !(await ready()); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vipd-bird-'));
    lab = createSwitchedLab('bird');
    const a = lab.addHost('a').netns;
    b = lab.addHost('b').netns;
    lab.ip(a, 'addr', 'add', '10.231.0.1/24', 'dev', 'eth0');
    lab.ip(b, 'addr', 'add', '10.231.0.2/24', 'dev', 'eth0');
    writeFileSync(join(dir, 'a.conf'), birdConf('10.231.0.1', 65001, '10.231.0.2', 65002));
    writeFileSync(join(dir, 'b.conf'), birdConf('10.231.0.2', 65002, '10.231.0.1', 65001));
    // Only a runs at first: its session cannot be Established.
    startBird(a, 'a');
    await until(async () => !/ENOENT|ECONNREFUSED/.test((await check('uplink')).detail));
  });
  after(() => {
    lab.destroy(); // kills what runs in the namespaces, BIRD included
    rmSync(dir, { recursive: true, force: true });
  });

  it('down while the neighbour does not answer; an unknown protocol and no socket are down too', async () => {
    const lonely = await check('uplink');
    assert.equal(lonely.ok, false);
    assert.match(lonely.detail, /^BGP uplink (start|up) /);
    const unknown = await check('nosuch');
    assert.equal(unknown.ok, false);
    assert.match(unknown.detail, /nosuch/);
    const nothing = await check('uplink', join(dir, 'missing.ctl'));
    assert.equal(nothing.ok, false);
    assert.match(nothing.detail, /ENOENT/);
  });

  it('up once the session is Established', async () => {
    startBird(b, 'b');
    let result = await check('uplink');
    await until(async () => (result = await check('uplink')).ok);
    assert.deepEqual(result, { ok: true, detail: 'BGP uplink up Established' });
  });
});
