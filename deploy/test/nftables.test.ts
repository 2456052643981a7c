// deploy/nftables/vipd-heartbeat.nft does what operations.md says: loaded into a network
// namespace of the test's own, it drops connections and datagrams to the heartbeat port from
// an address outside its peer sets, lets a listed peer through, and leaves other ports alone.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NetnsLab } from '@vipd/testkit';
import { DEPLOY_DIR, findTool } from './vipd-cli.js';

const RULESET = join(DEPLOY_DIR, 'nftables', 'vipd-heartbeat.nft');
const lab = new NetnsLab('vfw');
const NETNS = lab.name('fw');
const PEER = '10.0.0.2';
const STRANGER = '10.0.0.9';

const skip =
  process.getuid?.() !== 0
    ? 'needs root to create a network namespace'
    : findTool('nft') === null
      ? 'needs nft (apt-get install nftables)'
      : false;

function inNetns(command: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('ip', ['netns', 'exec', NETNS, ...command], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** From `from`, connect to `to`:port inside the namespace, where something listens. */
function connects(from: string, to: string, port: number): boolean {
  const script = `
    const net = require('node:net');
    const server = net.createServer((s) => s.destroy()).listen(${port.toString()}, '0.0.0.0', () => {
      const socket = net.connect({ host: '${to}', port: ${port.toString()}, localAddress: '${from}' });
      const done = (ok) => { console.log(ok ? 'connected' : 'blocked'); process.exit(0); };
      socket.on('connect', () => done(true));
      socket.on('error', () => done(false));
      setTimeout(() => done(false), 1500);
    });`;
  const result = inNetns([process.execPath, '-e', script]);
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim() === 'connected';
}

/** From `from`, send a datagram to `to`:port inside the namespace, where a UDP socket waits. */
function datagramArrives(from: string, to: string, port: number): boolean {
  const script = `
    const dgram = require('node:dgram');
    const server = dgram.createSocket('udp4');
    const done = (ok) => { console.log(ok ? 'arrived' : 'blocked'); process.exit(0); };
    server.on('message', () => done(true));
    server.bind(${port.toString()}, '0.0.0.0', () => {
      const client = dgram.createSocket('udp4');
      client.bind(0, '${from}', () => client.send('hb', ${port.toString()}, '${to}'));
      setTimeout(() => done(false), 1000);
    });`;
  const result = inNetns([process.execPath, '-e', script]);
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim() === 'arrived';
}

describe('deploy/nftables/vipd-heartbeat.nft', { skip }, () => {
  before(() => {
    lab.namespace('fw');
    for (const address of [PEER, STRANGER])
      assert.equal(inNetns(['ip', 'addr', 'add', `${address}/32`, 'dev', 'lo']).status, 0);
    const loaded = inNetns(['nft', '-f', RULESET]);
    assert.equal(loaded.status, 0, loaded.stderr);
  });
  after(() => {
    lab.destroy();
  });

  it('passes nft -c, and loads as the table the docs name', () => {
    const checked = inNetns(['nft', '-c', '-f', RULESET]);
    assert.equal(checked.status, 0, checked.stderr);
    const listed = inNetns(['nft', 'list', 'table', 'inet', 'vipd_heartbeat']);
    assert.match(listed.stdout, /l4proto \{ tcp, udp \} th dport 7410 ip saddr != @peers4 drop/);
    assert.match(listed.stdout, /l4proto \{ tcp, udp \} th dport 7410 ip6 saddr != @peers6 drop/);
  });

  it('loaded again (after editing the peers), replaces its rules instead of adding a copy', () => {
    assert.equal(inNetns(['nft', '-f', RULESET]).status, 0);
    const listed = inNetns(['nft', 'list', 'table', 'inet', 'vipd_heartbeat']).stdout;
    assert.equal(listed.match(/ drop/g)?.length, 2, listed);
  });

  it('drops a stranger on the heartbeat port, lets a peer in, leaves other ports alone', () => {
    assert.equal(connects(PEER, PEER, 7410), true, 'a listed peer reaches the heartbeat port');
    assert.equal(connects(STRANGER, PEER, 7410), false, 'a stranger reaches the heartbeat port');
    assert.equal(connects(STRANGER, PEER, 7411), true, 'another port is filtered too');
  });

  it("drops a stranger's heartbeat datagrams, lets a peer's through", () => {
    assert.equal(datagramArrives(PEER, PEER, 7410), true, "a listed peer's datagram arrives");
    assert.equal(datagramArrives(STRANGER, PEER, 7410), false, "a stranger's datagram arrives");
    assert.equal(datagramArrives(STRANGER, PEER, 7411), true, 'another UDP port is filtered too');
  });
});
