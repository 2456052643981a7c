// The conflict defence against a hand-over in flight, a lost peer and a stranger, and the
// announcements a master makes when a peer that runs its groups is lost or comes back
// (driver/conflict-defence.ts, VipPolicy.peerLost / peerReturned).
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { ConflictEvent } from '@vipd/arp';
import { createMemoryAddressManager, createRecordingAnnouncer } from '@vipd/arp/testing';
import { createManualClock } from '@vipd/clock';
import { ConflictDefence } from '../../src/driver/conflict-defence.js';
import { LOST_PEER_DEFENCE_WAIT_MS } from '../../src/driver/driver.js';
import { VipHolder } from '../../src/driver/vip-holder.js';
import { silentLogger } from '../../src/log/logger.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { DOWN_AFTER_MS, Harness, INTERVAL_MS, groupSpec, testConfig } from './harness.js';

const WEB = { name: 'web', addresses: ['10.213.0.100/24'], priority: 150 };

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/**
 * n1 is master of web, n2 a lower backup (and w, when given, a witness: it runs no group and
 * relays web at priority 0, as every node relays the groups it does not hold).
 */
async function masterOfWeb(peers: readonly string[] = ['n2']): Promise<Harness> {
  const h = new Harness(testConfig({ groups: [WEB], peers }));
  harness = h;
  await h.start();
  if (peers.includes('w')) await h.say('w', WITNESS_RELAYS);
  await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
  await h.advance(1);
  assert.equal(h.state('web'), 'MASTER');
  return h;
}

/** What a witness's heartbeat says of web: relayed, at priority 0. */
const WITNESS_RELAYS = { web: { state: 'BACKUP' as const, priority: 0, epoch: 0 } };

const claim = (foreignMac = '02:00:00:00:00:02'): ConflictEvent => ({
  vip: '10.213.0.100',
  interface: 'eth0',
  foreignMac,
  kind: 'gratuitous-arp',
});

function announcements(h: Harness) {
  return h.announcer.calls.filter((c) => c.kind === 'announce' && c.group === 'web');
}

/** Announcements of one frame per VIP: defences. */
function defences(h: Harness) {
  return announcements(h).filter((c) => c.kind === 'announce' && c.schedule?.repeat === 1);
}

/** n2 says `groups` every interval for `ms` (the harness's peers do not repeat themselves). */
async function keepTalking(
  h: Harness,
  groups: Parameters<Harness['say']>[1],
  ms: number,
): Promise<void> {
  for (let spent = 0; spent < ms; spent += INTERVAL_MS) {
    await h.say('n2', groups);
    await h.advance(INTERVAL_MS);
  }
}

async function defenceCount(h: Harness, awaits: string, outcome: string): Promise<number> {
  const line = (await h.metrics.render())
    .split('\n')
    .find((l) =>
      l.startsWith(
        `vipd_address_conflict_defences_total{group="web",awaits="${awaits}",outcome="${outcome}"} `,
      ),
    );
  return Number(line?.slice(line.lastIndexOf(' ') + 1));
}

describe('conflict defence: a hand-over in flight', () => {
  it('our own release: the new master is never defended against', async () => {
    const h = await masterOfWeb();
    const outcome = h.driver.release('web', 5_000);
    await h.say('n2', { web: { state: 'MASTER', priority: 100, epoch: 2 } });
    assert.ok((await outcome).ok);
    // Stepping down ends the watch: the new master's frames never reach the defence.
    assert.equal(h.conflicts.emit(claim()), false);
    await h.advance(LOST_PEER_DEFENCE_WAIT_MS);
    assert.deepEqual(defences(h), []);
  });

  it('a preempting peer whose heartbeat comes late, inside a down interval: not defended', async () => {
    const h = await masterOfWeb();
    h.conflicts.emit(claim());
    await h.advance(DOWN_AFTER_MS - INTERVAL_MS);
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 3 } });
    assert.equal(h.state('web'), 'BACKUP');
    await h.advance(INTERVAL_MS);
    assert.deepEqual(defences(h), []);
    assert.equal(await defenceCount(h, 'heartbeat', 'stood-down'), 1);
  });
});

describe('conflict defence: a lost peer', () => {
  it('waits for the lost peer beyond a down interval, then defends if nothing settled it', async () => {
    const h = await masterOfWeb();
    h.network.cut('n1', 'n2');
    await h.advance(1);
    h.conflicts.emit(claim());
    const detail = h.events.list({}).find((e) => e.kind === 'conflict')?.detail ?? '';
    assert.match(detail, /n2, lost, is heard again first/);
    await h.advance(DOWN_AFTER_MS);
    assert.deepEqual(defences(h), [], 'not within a down interval while n2 is lost');
    await h.advance(LOST_PEER_DEFENCE_WAIT_MS - DOWN_AFTER_MS);
    assert.equal(defences(h).length, 1, 'defended once the wait ran out');
    assert.equal(await defenceCount(h, 'lost-peer', 'defended'), 1);
  });

  it('the lost peer comes back as master with the newer epoch: we step down, no defence', async () => {
    const h = await masterOfWeb();
    h.network.cut('n1', 'n2');
    await h.advance(1);
    h.conflicts.emit(claim());
    await h.advance(1_000);
    await keepTalking(h, { web: { state: 'MASTER', priority: 200, epoch: 7 } }, 1_000);
    assert.equal(h.state('web'), 'BACKUP');
    assert.deepEqual(defences(h), []);
    assert.equal(await defenceCount(h, 'lost-peer', 'stood-down'), 1);
  });

  it('the lost peer comes back claiming nothing: the return announces, the defence is not needed', async () => {
    const h = await masterOfWeb();
    h.network.cut('n1', 'n2');
    await h.advance(1);
    h.conflicts.emit(claim('02:aa:bb:cc:dd:ee'));
    const before = announcements(h).length;
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
    assert.equal(announcements(h).length, before + 1, 'announced again at its return');
    await keepTalking(h, { web: { state: 'BACKUP', priority: 100, epoch: 0 } }, 2_000);
    assert.equal(h.state('web'), 'MASTER');
    assert.deepEqual(defences(h), []);
    assert.equal(await defenceCount(h, 'lost-peer', 'announced'), 1);
  });

  it('the lost peer comes back as a lower master: we reclaim and announce, no defence', async () => {
    const h = await masterOfWeb();
    h.network.cut('n1', 'n2');
    await h.advance(1);
    h.conflicts.emit(claim());
    await h.advance(1_000);
    await keepTalking(h, { web: { state: 'MASTER', priority: 100, epoch: 7 } }, 1_000);
    assert.equal(h.state('web'), 'MASTER');
    assert.deepEqual(defences(h), []);
    assert.equal(await defenceCount(h, 'lost-peer', 'announced'), 1);
  });

  it('a lost witness (it runs no group) does not hold a defence back', async () => {
    const h = await masterOfWeb(['n2', 'w']);
    h.network.cut('n1', 'w');
    await h.advance(1);
    h.conflicts.emit(claim());
    await h.advance(DOWN_AFTER_MS);
    assert.equal(defences(h).length, 1);
    assert.equal(await defenceCount(h, 'heartbeat', 'defended'), 1);
  });
});

describe('conflict defence: a stranger', () => {
  it('is answered after one down interval while every peer is heard', async () => {
    const h = await masterOfWeb();
    h.conflicts.emit(claim('02:aa:bb:cc:dd:ee'));
    await h.advance(DOWN_AFTER_MS);
    assert.equal(defences(h).length, 1);
    // Further claims while the first waits or within DEFEND_INTERVAL are not answered.
    h.conflicts.emit({ ...claim('02:aa:bb:cc:dd:ee'), kind: 'arp-reply' });
    await h.advance(DOWN_AFTER_MS);
    assert.equal(defences(h).length, 1);
  });
});

describe('announcing again around a lost peer', () => {
  it('a master announces the groups the lost peer runs again, on the full schedule', async () => {
    const h = await masterOfWeb();
    const before = announcements(h).length;
    h.network.cut('n1', 'n2');
    await h.advance(1);
    const again = announcements(h).slice(before);
    assert.equal(again.length, 1, 'announced again when n2 was lost');
    const schedule = again[0]?.kind === 'announce' ? again[0].schedule : undefined;
    assert.equal(
      schedule?.secondBurstDelayMs,
      1000,
      'with the second burst, for a path that heals',
    );
    assert.ok(h.logs.some((l) => /peer n2 is lost and may have taken over/.test(l.msg)));
  });

  it('a lost witness changes nothing on the LAN, nor does its return', async () => {
    const h = await masterOfWeb(['n2', 'w']);
    const before = announcements(h).length;
    h.network.cut('n1', 'w');
    await h.advance(DOWN_AFTER_MS);
    assert.equal(announcements(h).length, before, 'nothing announced on the loss');
    h.network.heal('n1', 'w');
    await h.say('w', WITNESS_RELAYS);
    await h.advance(1);
    assert.equal(announcements(h).length, before, 'nothing announced on the return');
  });

  it('a backup that loses the master announces only as it takes over', async () => {
    const h = new Harness(testConfig({ groups: [{ ...WEB, priority: 100 }] }));
    harness = h;
    await h.start();
    await h.say('n2', { web: { state: 'MASTER', priority: 150, epoch: 1 } });
    h.network.cut('n1', 'n2');
    await h.advance(1);
    assert.equal(h.state('web'), 'MASTER');
    assert.equal(announcements(h).length, 1, 'one announcement: the takeover');
  });
});

describe('conflict defence: a VRRP group', () => {
  const ADVERT_INTERVAL_MS = 1_000;
  const spec = {
    ...groupSpec(WEB),
    vrrp: {
      vrid: 51,
      advertIntervalMs: ADVERT_INTERVAL_MS,
      version: 3 as const,
      family: 4 as const,
      unicastPeers: [],
    },
  };

  /** ConflictDefence over a real VipHolder (memory addresses, recording announcer). */
  function vrrpMaster() {
    const clock = createManualClock(0);
    const announcer = createRecordingAnnouncer();
    const metrics = new VipdMetrics();
    const holder = new VipHolder({
      addresses: createMemoryAddressManager(),
      announcer,
      metrics,
      logger: silentLogger(),
    });
    assert.ok(holder.hold(spec).ok);
    const defence = new ConflictDefence({
      clock,
      holder,
      metrics,
      log: silentLogger(),
      events: { record: () => undefined },
      config: () => ({ ...testConfig({ peers: [] }), groups: [spec] }),
      groups: () => new Map([[spec.name, spec]]),
      lostPeersOf: () => [],
    });
    const defended = () =>
      announcer.calls.filter((c) => c.kind === 'announce' && c.schedule?.repeat === 1).length;
    return { clock, holder, defence, defended };
  }

  it('waits one advert interval: a router that preempts us says so within it', () => {
    const { clock, defence, defended } = vrrpMaster();
    defence.claim(claim());
    clock.advance(ADVERT_INTERVAL_MS - 1);
    assert.equal(defended(), 0);
    clock.advance(1);
    assert.equal(defended(), 1);
  });

  it('the better router’s advert made us back up meanwhile: no defence', () => {
    const { clock, holder, defence, defended } = vrrpMaster();
    defence.claim(claim());
    clock.advance(ADVERT_INTERVAL_MS / 2);
    holder.withdraw(spec.name, { linger: false });
    clock.advance(ADVERT_INTERVAL_MS);
    assert.equal(defended(), 0);
  });
});
