// What the driver records in the event history, and the Group view's "why", on the driver
// harness (manual clock, loopback mesh, fake host).

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { VipdEvent } from '../../src/events/types.js';
import { tempDir } from '../tmpdir.js';
import { DOWN_AFTER_MS, Harness, INTERVAL_MS, testConfig } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

async function started(notify: readonly string[] = []): Promise<Harness> {
  harness = new Harness(
    testConfig({
      groups: [{ name: 'web', addresses: ['10.213.0.100/24'], priority: 150, notify }],
    }),
  );
  await harness.start();
  return harness;
}

const ofKind = (h: Harness, kind: VipdEvent['kind']) =>
  h.events.list().filter((e) => e.kind === kind);

describe('Driver: the event history', () => {
  it('records each transition with its reason, detail and epoch; the Group view says why', async () => {
    const h = await started();
    await h.advance(DOWN_AFTER_MS);
    assert.equal(h.state('web'), 'MASTER');
    const transitions = ofKind(h, 'transition');
    assert.deepEqual(
      transitions.map((e) => [e.group, e.from, e.to, e.reason, e.node]),
      [
        ['web', 'INIT', 'BACKUP', 'startup', 'n1'],
        ['web', 'BACKUP', 'MASTER', 'master-down', 'n1'],
      ],
    );
    const last = transitions.at(-1);
    assert.equal(last?.epoch, h.driver.group('web')?.epoch);
    assert.ok((last?.detail ?? '').length > 10, 'a sentence, as in the log');
    assert.equal(last?.actor, undefined, 'nobody asked');
    const view = h.driver.group('web');
    assert.equal(view?.lastTransitionReason, 'master-down');
    assert.equal(view.lastTransitionDetail, last?.detail);
  });

  it('a peer up and down, with the reason', async () => {
    const h = await started();
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
    h.network.cut('n1', 'n2');
    await h.advance(1);
    assert.deepEqual(
      ofKind(h, 'peer').map((e) => [e.subject, e.from, e.to, e.reason]),
      [
        ['n2', 'down', 'up', 'connected'],
        ['n2', 'up', 'down', 'closed'],
      ],
    );
    assert.match(ofKind(h, 'peer')[1]?.detail ?? '', /connection to n2 closed/);
  });

  it('a tracker change, with its effect on the group', async () => {
    const h = await started();
    h.driver.trackerReport({ trackerId: 'nginx', group: 'web', weightDelta: 0, fault: true });
    h.driver.trackerReport({ trackerId: 'nginx', group: 'web', weightDelta: 0, fault: false });
    await h.advance(1);
    const trackers = ofKind(h, 'tracker');
    assert.deepEqual(
      trackers.map((e) => [e.group, e.subject, e.reason]),
      [
        ['web', 'nginx', 'fault'],
        ['web', 'nginx', 'clear'],
      ],
    );
    assert.match(trackers[0]?.detail ?? '', /faults the group/);
    const fault = ofKind(h, 'transition').find((e) => e.to === 'FAULT');
    assert.equal(fault?.reason, 'tracker-fault');
  });

  it('an address conflict, and whether it was defended', async () => {
    const h = await started();
    await h.advance(DOWN_AFTER_MS);
    h.conflicts.emit({
      vip: '10.213.0.100',
      interface: 'eth0',
      foreignMac: '02:aa:bb:cc:dd:ee',
      kind: 'gratuitous-arp',
    });
    const [conflict] = ofKind(h, 'conflict');
    assert.equal(conflict?.group, 'web');
    assert.equal(conflict.subject, '10.213.0.100');
    assert.equal(conflict.reason, 'gratuitous-arp');
    assert.match(conflict.detail ?? '', /02:aa:bb:cc:dd:ee claims 10\.213\.0\.100.*defending/);
  });

  it('an operator takeover: the transition it causes carries the actor', async () => {
    const h = await started();
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 4 } });
    const outcome = h.driver.takeover('web', 5000, { actor: 'alice', reason: 'CHG-42' });
    await h.advance(INTERVAL_MS);
    assert.equal((await outcome).ok, true);
    const forced = ofKind(h, 'transition').find((e) => e.reason === 'forced-takeover');
    assert.equal(forced?.to, 'MASTER');
    assert.equal(forced.actor, 'alice');
    // Later transitions are nobody's doing.
    h.driver.trackerReport({ trackerId: 'nginx', group: 'web', weightDelta: 0, fault: true });
    await h.advance(1);
    const after = ofKind(h, 'transition').at(-1);
    assert.equal(after?.reason, 'tracker-fault');
    assert.equal(after.actor, undefined);
  });

  it('a notify hook that fails is recorded with its script and result', async () => {
    const dir = tempDir('vipd-events-hook-');
    const script = dir.file('notify.sh', '#!/bin/sh\nexit 3\n', 0o755);
    const h = await started([script]);
    await h.advance(DOWN_AFTER_MS);
    await h.notify.idle();
    const failures = ofKind(h, 'hook-failure');
    assert.ok(failures.length >= 1, 'the startup and master-down runs both fail');
    assert.deepEqual(failures.map((e) => [e.group, e.subject, e.reason]).at(-1), [
      'web',
      script,
      'failed',
    ]);
    assert.match(failures.at(-1)?.detail ?? '', /exit 3/);
    dir.remove();
  });
});
