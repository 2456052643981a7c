// The driver carries the election's quorum inputs both ways through the heartbeat mesh:
// what it sends (localState() with each group's master, hearing() as `hears`) and what it
// receives (a peer's `hears` and per-group `master` reach the election's heartbeat event).

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { WireGroupState } from '@vipd/heartbeat';
import { DOWN_AFTER_MS, flush, Harness, INTERVAL_MS, testConfig } from './harness.js';

let h: Harness | null = null;
afterEach(async () => {
  await h?.stop();
  h = null;
});

async function start(quorum: boolean): Promise<Harness> {
  h = new Harness(
    testConfig({
      peers: ['n2', 'n3'],
      quorum,
      groups: [{ name: 'web', addresses: ['10.213.0.10/24'], priority: 100 }],
    }),
  );
  await h.start();
  return h;
}

/** Peer `id` speaks these groups and, when given, says whom it hears. */
async function speak(
  harness: Harness,
  id: string,
  groups: Record<string, WireGroupState>,
  hears?: readonly string[],
): Promise<void> {
  const peer = harness.peer(id);
  await peer.say(groups); // starts the peer's mesh on its first word
  peer.mesh.setLocalState(groups, hears);
  peer.mesh.sendNow();
  await flush();
}

/**
 * Moves the clock by `ms`, one interval at a time, with `talk` speaking before each step: a
 * peer heard once and then silent is dead after DOWN_AFTER_MS (the loopback meshes here do
 * not pace themselves).
 */
async function advanceTalking(harness: Harness, ms: number, talk: () => Promise<void>) {
  for (let elapsed = 0; elapsed < ms; elapsed += INTERVAL_MS) {
    await talk();
    await harness.advance(INTERVAL_MS);
  }
  await talk();
}

describe('Driver: hears and master on the heartbeat', () => {
  const backup = (epoch: number, master: string | null): Record<string, WireGroupState> => ({
    web: { state: 'BACKUP', priority: 50, epoch, master },
  });

  it("publishes each group's master and the peers it hears with every heartbeat", async () => {
    const harness = await start(false);
    await advanceTalking(harness, DOWN_AFTER_MS + INTERVAL_MS, () =>
      speak(harness, 'n2', backup(0, null), []),
    );
    assert.equal(harness.state('web'), 'MASTER');
    const n2 = harness.peer('n2');
    const last = n2.received.at(-1);
    assert.ok(last !== undefined, 'n2 heard the driver');
    assert.deepEqual(last.hears, ['n2'], 'n1 hears n2, not the silent n3');
    assert.equal(last.groups['web']?.master, 'n1', 'a master names itself');
    assert.equal(last.groups['web'].state, 'MASTER');
    // n3 comes alive: the next heartbeat says n1 hears both.
    await speak(harness, 'n3', backup(0, 'n1'), ['n1']);
    assert.deepEqual(n2.received.at(-1)?.hears, ['n2', 'n3']);
    // n2 goes silent: once it is down, n1 says so.
    await advanceTalking(harness, DOWN_AFTER_MS + INTERVAL_MS, () =>
      speak(harness, 'n3', backup(0, 'n1'), ['n1']),
    );
    assert.deepEqual(harness.peer('n3').received.at(-1)?.hears, ['n3']);
  });

  it("passes a peer's hears into the election: its quorum vote needs it to hear this node", async () => {
    const harness = await start(true);
    await speak(harness, 'n2', backup(0, null), []);
    assert.equal(harness.driver.electionStatus()?.quorum.votersHeard, 1, 'n2 does not hear n1');
    await speak(harness, 'n2', backup(0, null), ['n1']);
    assert.equal(harness.driver.electionStatus()?.quorum.votersHeard, 2, 'now it does');
    await speak(harness, 'n2', backup(0, null));
    assert.equal(
      harness.driver.electionStatus()?.quorum.votersHeard,
      2,
      'a peer that says nothing counts on hearing alone',
    );
  });

  it("passes a peer's per-group master into the election: a master it cannot hear is not replaced", async () => {
    const harness = await start(false);
    // n2 follows n3, which n1 cannot hear (n3 never speaks to it).
    await advanceTalking(harness, 3 * DOWN_AFTER_MS, () =>
      speak(harness, 'n2', backup(3, 'n3'), ['n3']),
    );
    assert.equal(harness.state('web'), 'BACKUP', 'n3 is master as far as n2 can tell');
    assert.deepEqual(harness.present(), []);
    // n2 loses n3: nobody is master, so n1 takes over.
    await advanceTalking(harness, DOWN_AFTER_MS + INTERVAL_MS, () =>
      speak(harness, 'n2', backup(3, null), []),
    );
    assert.equal(harness.state('web'), 'MASTER');
    assert.deepEqual(harness.present(), ['10.213.0.10/24']);
  });
});
