// The driver after a stall (SIGSTOP, a paused VM, a starved loop): the manual clock jumps as
// a frozen process sees time, so every timer runs late and heartbeats wait to be delivered.
// The election must hear of the stall before it acts on anything of the wake-up.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DOWN_AFTER_MS, Harness, INTERVAL_MS, testConfig } from './harness.js';

const WEB = { name: 'web', addresses: ['10.213.0.100/24'], priority: 150 };
const PAUSE_MS = 10 * DOWN_AFTER_MS;

let harness: Harness | undefined;
async function started(): Promise<Harness> {
  harness = new Harness(testConfig({ groups: [WEB] }));
  await harness.start();
  return harness;
}
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

describe('Driver: waking from a stall', () => {
  it('a master frozen past the down interval drops its VIPs before reading the new master', async () => {
    const h = await started();
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
    await h.advance(1);
    assert.equal(h.state('web'), 'MASTER');
    const epoch = h.driver.group('web')?.epoch ?? 0;
    h.clock.jump(PAUSE_MS);
    // The first thing the woken process reads: n2 took over meanwhile.
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: epoch + 1 } });
    assert.deepEqual(h.transitions('web').slice(-1), ['MASTER->BACKUP:stalled']);
    assert.deepEqual(h.present(), []);
    const warned = h.logs.find((l) => l.level === 'warn' || (l.level as unknown) === 40);
    assert.match(warned?.msg ?? '', /did not run for [0-9]+ms/);
    // A lower bound: the watch's timer was due up to one interval after the freeze began.
    assert.ok(Number(warned?.['stalledMs']) >= PAUSE_MS - INTERVAL_MS, JSON.stringify(warned));
    assert.equal(h.driver.group('web')?.master, 'n2');
  });

  it('a backup whose master deadline fires late does not claim before the queued heartbeats are read', async () => {
    const h = await started();
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 1 } });
    await h.advance(1);
    assert.equal(h.state('web'), 'BACKUP');
    h.clock.jump(PAUSE_MS);
    // Timers first (the master-down deadline, long past), then the socket's backlog.
    await h.advance(0);
    assert.equal(h.state('web'), 'BACKUP', 'the stale deadline alone does not make it claim');
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 1 } });
    // n2 speaks only when told to here: short of its next silence deadline.
    await h.advance(DOWN_AFTER_MS - 1);
    assert.equal(h.state('web'), 'BACKUP');
    assert.ok(!h.transitions('web').includes('BACKUP->MASTER:master-down'));
  });

  it('a short hiccup (under the down interval less one interval) changes nothing', async () => {
    const h = await started();
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
    await h.advance(1);
    h.clock.jump(DOWN_AFTER_MS / 2);
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 1 } });
    await h.advance(0);
    assert.equal(h.state('web'), 'MASTER');
    assert.deepEqual(h.present(), ['10.213.0.100/24']);
  });
});
