// The relay attack (docs/security.md): someone on the heartbeat network without the key opens a connection
// to each of two nodes and relays the frames between them. Neither node may adopt the
// relayed connection, and the relay dropping traffic must change nothing: no peer-down,
// the link the nodes built themselves stays in use.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HeartbeatMesh } from '../src/index.js';
import { startCluster, type TestCluster } from './helpers/cluster.js';
import { recordHello } from './helpers/recorded-hello.js';
import { Relay } from './helpers/relay.js';
import { record, sleep, until } from './helpers/wait.js';

const INTERVAL_MS = 50;
const DOWN_MULTIPLIER = 4;
const AUTH_TIMEOUT_MS = 600;

describe('heartbeat mesh against a relay between two nodes', () => {
  let cluster: TestCluster;
  let a: HeartbeatMesh;
  let b: HeartbeatMesh;

  before(async () => {
    cluster = await startCluster(['a', 'b'], () => ({
      intervalMs: INTERVAL_MS,
      downMultiplier: DOWN_MULTIPLIER,
      authTimeoutMs: AUTH_TIMEOUT_MS,
    }));
    a = cluster.node('a').mesh;
    b = cluster.node('b').mesh;
    await until(() => a.peers()[0]!.up && b.peers()[0]!.up, 'a and b up');
    // Settled on one connection through the test's own proxies (a, the lower id, dialed it).
    await until(
      () => cluster.proxy('a', 'b').open + cluster.proxy('b', 'a').open === 1,
      'one connection between a and b',
    );
  });
  after(async () => {
    await cluster.stop();
  });

  it('never adopts a relayed connection, and a relay dropping one way changes nothing', async () => {
    const downs = [record(a, 'peer-down'), record(b, 'peer-down')];
    const ups = [record(a, 'peer-up'), record(b, 'peer-up')];
    const directions = [a.peers()[0]!.direction, b.peers()[0]!.direction];
    const proxyConnections = () => [cluster.proxy('a', 'b').open, cluster.proxy('b', 'a').open];
    const carried = proxyConnections();
    const relays: Relay[] = [];
    try {
      // Bounded: three relays, each left until the nodes cut it (auth timeout) or ~2 s.
      for (let round = 0; round < 3; round++) {
        const relay = await Relay.open(a.port(), b.port());
        relays.push(relay);
        // Let it carry whatever the nodes say for a while, then drop b -> a: in the attack
        // this left b talking into a relay a no longer heard.
        await sleep(150);
        relay.drop('toA');
        await Promise.race([relay.closed, sleep(AUTH_TIMEOUT_MS + 1500)]);
        // Long enough after the drop for a one-way split to show as peer-down.
        await sleep(DOWN_MULTIPLIER * INTERVAL_MS * 2);
        assert.deepEqual(proxyConnections(), carried, `round ${round}: link moved off the proxies`);
        assert.deepEqual(
          [a.peers()[0]!.direction, b.peers()[0]!.direction],
          directions,
          `round ${round}: a node switched connections`,
        );
      }
      assert.deepEqual(
        downs.map((d) => d.calls),
        [[], []],
        'no peer-down on either node',
      );
      assert.deepEqual(
        ups.map((u) => u.calls.length),
        [0, 0],
        'no flap',
      );
      assert.ok(a.peers()[0]!.up && b.peers()[0]!.up);
      // Unproven connections were cut by the nodes themselves, not left open.
      await Promise.all(relays.map((relay) => relay.closed));
      assert.ok(a.stats().authTimeouts + b.stats().authTimeouts >= relays.length);
    } finally {
      for (const relay of relays) relay.terminate();
      for (const r of [...downs, ...ups]) r.stop();
    }
  });

  it("refuses b's answers to a recorded hello of a when relayed to a (wrong-role, at warn)", async () => {
    // A sniffer recorded the hello a sends when it dials b. Replayed to b through the relay,
    // it makes b answer; the relay carries b's answers to a, on a connection the relay
    // opened to a — where b would be the dialer, but b signed them as the acceptor.
    const helloOfA = await recordHello('a', 'b', INTERVAL_MS);
    const downs = [record(a, 'peer-down'), record(b, 'peer-down')];
    const logs = cluster.node('a').logs;
    const from = logs.length;
    const before = a.stats().rejected['wrong-role'];
    const relay = await Relay.open(a.port(), b.port());
    try {
      relay.inject('toB', helloOfA);
      await until(() => a.stats().rejected['wrong-role'] > before, "a refusing b's answer");
      await relay.closed;
      const warned = logs
        .slice(from)
        .find((line) => (line.fields as { reason?: string }).reason === 'wrong-role');
      assert.equal(warned?.level, 'warn');
      assert.ok(relay.relayed.toA >= 1, "b's answer reached a");
      assert.equal(relay.relayed.toB, 0, 'a said nothing to the relay');
      await sleep(DOWN_MULTIPLIER * INTERVAL_MS * 2);
      assert.deepEqual(
        downs.map((d) => d.calls),
        [[], []],
      );
      assert.ok(a.peers()[0]!.up && b.peers()[0]!.up);
    } finally {
      relay.terminate();
      for (const d of downs) d.stop();
    }
  });
});
