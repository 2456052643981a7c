import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, describe, it } from 'node:test';
import {
  createMemoryAddressManager,
  createRecordingAnnouncer,
  type MemoryAddressManager,
} from '@vipd/arp/testing';
import { createManualClock } from '@vipd/clock';
import { createLoopbackNetwork, type HeartbeatMesh } from '@vipd/heartbeat';
import { ADDRESS_RETRY_MS, DEFEND_INTERVAL_MS, Driver } from '../../src/driver/driver.js';
import { NotifyRunner } from '../../src/hooks/notify.js';
import { silentLogger } from '../../src/log/logger.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { TrackerSet } from '../../src/trackers/tracker-set.js';
import { tempDir, waitFor } from '../tmpdir.js';
import type { CommandOutcome } from '../../src/api/control.js';
import {
  DOWN_AFTER_MS,
  Harness,
  INTERVAL_MS,
  flush,
  groupSpec,
  notifyHook,
  testConfig,
} from './harness.js';

function codeOf(outcome: CommandOutcome<unknown>): string {
  return outcome.ok ? 'ok' : outcome.code;
}

const WEB = { name: 'web', addresses: ['10.213.0.100/24', 'fd00:213::100/64'], priority: 150 };

let harness: Harness | undefined;
async function started(config = testConfig({ groups: [WEB] })): Promise<Harness> {
  harness = new Harness(config);
  await harness.start();
  return harness;
}
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** n1 becomes master of web: n2 is heard as a lower-priority backup. */
async function asMaster(h: Harness): Promise<void> {
  await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
  await h.advance(1);
  assert.equal(h.state('web'), 'MASTER');
}

describe('Driver: taking over and stepping down', () => {
  it('waits down_multiplier x interval for a master, then adds the VIPs and announces them', async () => {
    const h = await started();
    assert.equal(h.state('web'), 'BACKUP');
    assert.deepEqual(h.present(), []);
    await h.advance(DOWN_AFTER_MS - 1);
    assert.equal(h.state('web'), 'BACKUP', 'not before the master-down time');
    await h.advance(1);
    assert.equal(h.state('web'), 'MASTER');
    assert.deepEqual(h.present(), ['10.213.0.100/24', 'fd00:213::100/64']);
    assert.deepEqual(
      h.announcer.announcing('web')?.map((v) => v.address),
      ['10.213.0.100', 'fd00:213::100'],
    );
    assert.deepEqual(h.transitions('web'), ['INIT->BACKUP:startup', 'BACKUP->MASTER:master-down']);
    const line = h.logs.find((l) => l['to'] === 'MASTER');
    assert.match(
      line?.msg ?? '',
      /^web: BACKUP -> MASTER \(master-down\): .*; VIPs up and announced in [0-9.]+ms$/,
    );
    assert.equal(line?.['epoch'], 1);
    const metrics = await h.metrics.render();
    assert.match(
      metrics,
      /vipd_group_transitions_total\{group="web",from="BACKUP",to="MASTER",reason="master-down"\} 1/,
    );
    assert.match(metrics, /vipd_group_is_master\{group="web"\} 1/);
    assert.match(metrics, /vipd_takeover_duration_seconds_count\{group="web"\} 1/);
    // The conflict watch covers the VIPs and the interface's MAC is watched while master.
    assert.deepEqual(h.conflicts.watched.get('web')?.length, 2);
  });

  it('tells peers its state at once on every change (send-state)', async () => {
    const h = await started();
    // n2 comes online as a witness for web (no web group): n1 needs to wait no longer.
    await h.say('n2', {});
    await h.advance(1);
    await flush();
    assert.equal(h.state('web'), 'MASTER');
    const heard = h.peer('n2').lastHeard('web');
    assert.deepEqual([heard?.state, heard?.priority, heard?.epoch], ['MASTER', 150, 1]);
  });

  it('takes over at once when the only peer is heard as a lower backup', async () => {
    const h = await started();
    await asMaster(h);
    assert.deepEqual(h.transitions('web').at(-1), 'BACKUP->MASTER:master-down');
  });

  it('steps down for a better master and removes the VIPs at once', async () => {
    const h = await started();
    await asMaster(h);
    const epoch = h.driver.group('web')?.epoch ?? 0;
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: epoch + 1 } });
    assert.equal(h.state('web'), 'BACKUP');
    assert.deepEqual(h.present(), []);
    assert.equal(h.announcer.announcing('web'), undefined);
    assert.equal(h.conflicts.watched.has('web'), false);
    assert.equal(h.transitions('web').at(-1), 'MASTER->BACKUP:higher-master-seen');
  });

  it('reclaims from a lower rival master with a new epoch and announces again (the LAN followed the rival)', async () => {
    const h = await started();
    await asMaster(h);
    const announces = () => h.announcer.calls.filter((c) => c.kind === 'announce').length;
    const before = announces();
    const epoch = h.driver.group('web')?.epoch ?? 0;
    // n2 took the group while it could not hear n1 (a partition that has healed).
    await h.say('n2', { web: { state: 'MASTER', priority: 100, epoch: epoch + 1 } });
    const web = h.driver.group('web');
    assert.ok(web);
    assert.equal(web.state, 'MASTER');
    assert.ok(web.epoch > epoch + 1, 'a new epoch above the rival');
    assert.equal(announces(), before + 1);
    assert.ok(
      h.logs.some((l) => /^web: reclaimed at epoch \d+ \(was 1\); announcing again$/.test(l.msg)),
    );
  });

  it('a witness (no groups) runs with no VIPs and no transitions', async () => {
    const h = await started(testConfig({ groups: [] }));
    await h.advance(DOWN_AFTER_MS * 2);
    const status = h.driver.status();
    assert.equal(status.node.witness, true);
    assert.deepEqual(status.groups, []);
    assert.deepEqual(
      h.addresses.calls.filter((c) => c.kind !== 'listManaged'),
      [],
    );
  });
});

describe('Driver: operator commands', () => {
  it('takeover: forced, new epoch, answers once master with the VIPs announced', async () => {
    const h = await started();
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 3 } });
    await h.advance(1);
    assert.equal(h.state('web'), 'BACKUP');
    const result = await h.driver.takeover('web', 1000);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.value.group.state, 'MASTER');
    assert.equal(result.value.group.announced, true);
    assert.equal(result.value.group.forced, true);
    assert.ok(result.value.group.epoch > 3, 'a forced takeover is a new, higher epoch');
    assert.deepEqual(h.present(), ['10.213.0.100/24', 'fd00:213::100/64']);
    await flush();
    assert.deepEqual(h.peer('n2').lastHeard('web')?.state, 'MASTER');
    assert.equal(h.peer('n2').lastHeard('web')?.epoch, result.value.group.epoch);
  });

  it('takeover is refused with the reason: unknown group, maintenance, fault', async () => {
    const h = await started();
    const unknown = await h.driver.takeover('nope', 100);
    assert.equal(codeOf(unknown), 'UNKNOWN_GROUP');
    const maintenance = await h.driver.setMaintenance(true);
    assert.deepEqual(maintenance, { ok: true, value: { maintenance: true } });
    const refused = await h.driver.takeover('web', 100);
    assert.equal(codeOf(refused), 'NODE_IN_MAINTENANCE');
    await h.driver.setMaintenance(false);
    h.driver.trackerReport({ trackerId: 'uplink', group: 'web', weightDelta: 0, fault: true });
    const fault = await h.driver.takeover('web', 100);
    assert.equal(codeOf(fault), 'GROUP_IN_FAULT');
    assert.match(!fault.ok ? fault.message : '', /uplink/);
  });

  it('release: hands over, keeps the VIPs until the new master is seen, then removes them', async () => {
    const h = await started();
    await asMaster(h);
    const epoch = h.driver.group('web')?.epoch ?? 0;
    const release = h.driver.release('web', 1000);
    await flush();
    assert.equal(h.state('web'), 'BACKUP');
    assert.equal(h.peer('n2').lastHeard('web')?.priority, 0, 'advertises priority 0 to hand over');
    assert.equal(h.announcer.announcing('web'), undefined, 'announcing stops at once');
    assert.deepEqual(
      h.present(),
      ['10.213.0.100/24', 'fd00:213::100/64'],
      'VIPs linger for the hand-over',
    );
    await h.say('n2', { web: { state: 'MASTER', priority: 100, epoch: epoch + 1 } });
    const result = await release;
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(h.present(), []);
    assert.equal(h.transitions('web').at(-1), 'MASTER->BACKUP:released');
  });

  it('release that no node takes over within the wait: RELEASE_TIMEOUT, the VIPs still linger', async () => {
    const h = await started();
    await asMaster(h);
    const release = h.driver.release('web', 100);
    await flush();
    await h.advance(100);
    const result = await release;
    assert.equal(codeOf(result), 'RELEASE_TIMEOUT');
    assert.match(!result.ok ? result.message : '', /still holds its VIPs after 100ms/);
    assert.equal(h.present().length, 2, 'the VIPs stay until down_multiplier x interval');
  });

  it('maintenance on: drains like a release, the VIPs stay until the new master is seen', async () => {
    const h = await started();
    await asMaster(h);
    const epoch = h.driver.group('web')?.epoch ?? 0;
    const drained = await h.driver.setMaintenance(true);
    assert.ok(drained.ok);
    await flush();
    assert.equal(h.state('web'), 'MAINTENANCE');
    assert.equal(h.peer('n2').lastHeard('web')?.priority, 0, 'advertises priority 0 to hand over');
    assert.deepEqual(
      h.present(),
      ['10.213.0.100/24', 'fd00:213::100/64'],
      'VIPs stay until a new master answers for them',
    );
    await h.say('n2', { web: { state: 'MASTER', priority: 100, epoch: epoch + 1 } });
    assert.deepEqual(h.present(), []);
    assert.equal(h.transitions('web').at(-1), 'MASTER->MAINTENANCE:maintenance-on');
  });

  it('maintenance on with nobody to take over removes the VIPs after down_multiplier x interval', async () => {
    const h = await started();
    await asMaster(h);
    await h.driver.setMaintenance(true);
    await flush();
    assert.equal(h.present().length, 2);
    await h.advance(DOWN_AFTER_MS + 50);
    assert.deepEqual(h.present(), []);
  });

  it('release of a group this node does not hold: NOT_MASTER', async () => {
    const h = await started();
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 1 } });
    const result = await h.driver.release('web', 100);
    assert.equal(codeOf(result), 'NOT_MASTER');
  });

  it('release with no other node to take over: NO_CANDIDATE, the VIPs stay', async () => {
    const h = await started();
    await h.advance(DOWN_AFTER_MS);
    assert.equal(h.state('web'), 'MASTER');
    const result = await h.driver.release('web', 100);
    assert.equal(codeOf(result), 'NO_CANDIDATE');
    assert.equal(h.present().length, 2);
  });

  it('resign (SIGTERM): priority 0 at once, VIPs removed when a backup took over', async () => {
    const h = await started();
    await asMaster(h);
    const epoch = h.driver.group('web')?.epoch ?? 0;
    const resigning = h.driver.resign();
    await flush();
    assert.equal(h.peer('n2').lastHeard('web')?.priority, 0);
    assert.equal(h.driver.phase(), 'stopping');
    await h.say('n2', { web: { state: 'MASTER', priority: 100, epoch: epoch + 1 } });
    await resigning;
    assert.deepEqual(h.present(), []);
  });

  it('resign with nobody to take over removes the VIPs after down_multiplier x interval', async () => {
    const h = await started();
    await asMaster(h);
    const resigning = h.driver.resign();
    await flush();
    assert.deepEqual(h.present().length, 2);
    await h.advance(DOWN_AFTER_MS + 50);
    await resigning;
    assert.deepEqual(h.present(), []);
  });
});

describe('Driver: trackers, addresses, conflicts', () => {
  it('a tracker fault takes a master to FAULT and removes its VIPs; recovery re-elects', async () => {
    const h = await started();
    await asMaster(h);
    h.driver.trackerReport({ trackerId: 'uplink', group: 'web', weightDelta: 0, fault: true });
    assert.equal(h.state('web'), 'FAULT');
    assert.deepEqual(h.present(), []);
    h.driver.trackerReport({ trackerId: 'uplink', group: 'web', weightDelta: 0, fault: false });
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 1 } });
    await h.advance(DOWN_AFTER_MS);
    assert.equal(h.state('web'), 'MASTER');
  });

  it('a tracker weight lowers the advertised priority', async () => {
    const h = await started();
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 1 } });
    h.driver.trackerReport({
      trackerId: 'web-check',
      group: 'web',
      weightDelta: -60,
      fault: false,
    });
    await flush();
    assert.equal(h.driver.group('web')?.effectivePriority, 90);
    assert.equal(h.peer('n2').lastHeard('web')?.priority, 90);
  });

  it('a VIP that cannot be added faults the group, then it retries', async () => {
    const h = await started();
    h.addresses.failNext(Object.assign(new Error('Operation not permitted'), { code: 'EPERM' }));
    await h.advance(DOWN_AFTER_MS);
    assert.equal(h.state('web'), 'FAULT');
    assert.deepEqual(h.present(), []);
    const error = h.logs.find((l) => l.level === 'error');
    assert.match(
      error?.msg ?? '',
      /web: cannot take the VIPs \(10\.213\.0\.100\/24\): Operation not permitted; FAULT, retrying in 5000ms/,
    );
    assert.match(
      await h.metrics.render(),
      /vipd_address_operation_failures_total\{group="web",operation="add"\} 1/,
    );
    await h.advance(ADDRESS_RETRY_MS);
    await h.advance(DOWN_AFTER_MS);
    assert.equal(h.state('web'), 'MASTER');
    assert.deepEqual(h.present(), ['10.213.0.100/24', 'fd00:213::100/64']);
  });

  it('never removes an address it did not add', async () => {
    const h = await started();
    h.addresses.addForeign({ address: '10.213.0.100', prefixLength: 24, interface: 'eth0' });
    await asMaster(h);
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 9 } });
    assert.deepEqual(h.present(), ['10.213.0.100/24']);
    assert.ok(h.logs.some((l) => /already configured by someone else/.test(l.msg)));
  });

  it('a conflict while master is counted and defended with one announcement, at most once per 10 s', async () => {
    const h = await started();
    await asMaster(h);
    const announces = () => h.announcer.calls.filter((c) => c.kind === 'announce');
    const before = announces().length;
    const conflict = {
      vip: '10.213.0.100',
      interface: 'eth0',
      foreignMac: '02:aa:bb:cc:dd:ee',
      kind: 'arp-reply' as const,
    };
    assert.ok(h.conflicts.emit(conflict));
    await h.advance(DOWN_AFTER_MS - 1);
    assert.equal(
      announces().length,
      before,
      'a peer taking over would say so within a down interval',
    );
    await h.advance(1);
    assert.equal(announces().length, before + 1);
    const defence = announces().at(-1);
    assert.equal(
      defence?.kind === 'announce' ? defence.schedule?.repeat : undefined,
      1,
      'one frame per VIP',
    );
    assert.ok(
      h.logs.some(
        (l) =>
          l.level === 'warn' &&
          /02:aa:bb:cc:dd:ee claims 10\.213\.0\.100 .*defending with one announcement in 300ms/.test(
            l.msg,
          ),
      ),
    );
    // Claimed again within DEFEND_INTERVAL of the defence: counted, not answered.
    await h.advance(DEFEND_INTERVAL_MS - 1);
    assert.ok(h.conflicts.emit({ ...conflict, kind: 'gratuitous-arp' }));
    await h.advance(DOWN_AFTER_MS);
    assert.equal(announces().length, before + 1);
    assert.ok(h.conflicts.emit(conflict));
    await h.advance(DOWN_AFTER_MS);
    assert.equal(announces().length, before + 2);
    const metrics = await h.metrics.render();
    assert.match(metrics, /vipd_address_conflicts_total\{group="web",kind="arp-reply"\} 2/);
    assert.match(metrics, /vipd_address_conflicts_total\{group="web",kind="gratuitous-arp"\} 1/);
    assert.match(
      metrics,
      /vipd_address_conflict_defences_total\{group="web",awaits="heartbeat",outcome="defended"\} 2/,
    );
  });

  it('a conflict from a peer taking over is not defended once its claim arrives, even two intervals late', async () => {
    const h = await started();
    await asMaster(h);
    const announces = () => h.announcer.calls.filter((c) => c.kind === 'announce');
    const before = announces().length;
    // n2 preempts: its gratuitous ARP reaches us before its heartbeat saying so, which a
    // loaded machine or TCP may hold back for more than one interval.
    assert.ok(
      h.conflicts.emit({
        vip: '10.213.0.100',
        interface: 'eth0',
        foreignMac: '02:00:00:00:00:02',
        kind: 'gratuitous-arp',
      }),
    );
    await h.advance(2 * INTERVAL_MS);
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 5 } });
    await h.advance(INTERVAL_MS);
    assert.notEqual(h.state('web'), 'MASTER');
    assert.equal(announces().length, before, 'no defence against the new master');
    assert.ok(h.logs.some((l) => /not defended: web is no longer held here/.test(l.msg)));
    assert.match(
      await h.metrics.render(),
      /vipd_address_conflict_defences_total\{group="web",awaits="heartbeat",outcome="stood-down"\} 1/,
    );
  });

  it('a MAC change on the interface triggers a new announcement', async () => {
    const h = await started();
    await asMaster(h);
    const before = h.announcer.calls.filter((c) => c.kind === 'announce').length;
    h.macs.setMac('eth0', '02:00:00:00:00:99');
    assert.equal(h.announcer.calls.filter((c) => c.kind === 'announce').length, before + 1);
    assert.match(
      await h.metrics.render(),
      /vipd_interface_mac_changes_total\{interface="eth0"\} 1/,
    );
  });
});

describe('Driver: notify hooks and reload', () => {
  it('runs the notify scripts with the transition in order', async () => {
    const dir = tempDir();
    try {
      const out = `${dir.path}/out`;
      const script = dir.file(
        'n.sh',
        `#!/bin/sh\necho "$VIPD_GROUP $VIPD_OLD_STATE $VIPD_NEW_STATE $VIPD_EPOCH $VIPD_REASON" >> ${out}\n`,
        0o755,
      );
      const h = await started(testConfig({ groups: [{ ...WEB, notify: [notifyHook(script)] }] }));
      await h.advance(DOWN_AFTER_MS);
      await h.notify.idle();
      assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), [
        'web INIT BACKUP 0 startup',
        'web BACKUP MASTER 1 master-down',
      ]);
    } finally {
      dir.remove();
    }
  });

  it('a mesh group runs a keepalived-convention hook with TYPE NAME STATE PRIORITY', async () => {
    const dir = tempDir();
    try {
      const out = `${dir.path}/out`;
      const script = (name: string) =>
        dir.file(
          `${name}.sh`,
          `#!/bin/sh\necho "${name} $* | $VIPD_MASTER $VIPD_INTERFACE $VIPD_ADDRESSES" >> ${out}\n`,
          0o755,
        );
      const notify = [notifyHook(script('ka'), 'keepalived'), notifyHook(script('vipd'))];
      const h = await started(testConfig({ groups: [{ ...WEB, notify }] }));
      await h.advance(DOWN_AFTER_MS);
      await h.notify.idle();
      const facts = 'eth0 10.213.0.100/24 fd00:213::100/64';
      assert.deepEqual(readFileSync(out, 'utf8').trim().split('\n'), [
        `ka INSTANCE web BACKUP 150 |  ${facts}`,
        `vipd INSTANCE web BACKUP |  ${facts}`,
        `ka INSTANCE web MASTER 150 | n1 ${facts}`,
        `vipd INSTANCE web MASTER | n1 ${facts}`,
      ]);
    } finally {
      dir.remove();
    }
  });

  it('reload: an unchanged group keeps its state; a changed VIP list is applied in place', async () => {
    const h = await started(
      testConfig({ groups: [WEB, { name: 'db', addresses: ['10.213.0.200/24'], priority: 150 }] }),
    );
    await h.say('n2', {
      web: { state: 'BACKUP', priority: 100, epoch: 0 },
      db: { state: 'BACKUP', priority: 100, epoch: 0 },
    });
    await h.advance(1);
    assert.equal(h.state('web'), 'MASTER');
    assert.equal(h.state('db'), 'MASTER');
    const transitionsBefore = h.transitions('web').length;
    h.driver.reconfigure(
      testConfig({ groups: [{ ...WEB, addresses: ['10.213.0.100/24', '10.213.0.101/24'] }] }),
    );
    assert.equal(h.state('web'), 'MASTER');
    assert.equal(h.transitions('web').length, transitionsBefore, 'no failover for web');
    assert.deepEqual(
      h.present(),
      ['10.213.0.100/24', '10.213.0.101/24'],
      'fd00 dropped, .101 added, db removed',
    );
    assert.deepEqual(
      h.announcer.announcing('web')?.map((v) => v.address),
      ['10.213.0.100', '10.213.0.101'],
    );
    assert.equal(h.driver.group('db'), null);
  });

  it('status: peers with their advertised groups, groups with master and epoch', async () => {
    const h = await started();
    await asMaster(h);
    const status = h.driver.status();
    assert.equal(status.node.id, 'n1');
    assert.equal(status.node.phase, 'running');
    assert.deepEqual(
      status.peers.map((p) => [p.id, p.up, p.groups['web']?.state]),
      [['n2', true, 'BACKUP']],
    );
    const web = status.groups[0]!;
    assert.equal(web.master, 'n1');
    assert.equal(web.announced, true);
    assert.deepEqual(web.addresses, ['10.213.0.100/24', 'fd00:213::100/64']);
    assert.match(web.lastTransitionAt ?? '', /^2023-11-14T/);
  });
});

describe('Driver with real trackers', () => {
  it('a file tracker written by an operator faults a master and clears again', async () => {
    const dir = tempDir();
    const trackers = new TrackerSet((report) => {
      h.driver.trackerReport(report);
    });
    const h = await started();
    try {
      await asMaster(h);
      const spec = {
        name: 'drain',
        type: 'file' as const,
        path: `${dir.path}/drain`,
        intervalMs: 10,
        rise: 1,
        fall: 1,
      };
      trackers.apply([spec], [{ ...groupSpec(WEB), track: [{ tracker: 'drain', weight: 0 }] }]);
      await trackers.firstReadings(2000);
      assert.equal(h.state('web'), 'MASTER', 'a missing file reads as 0: healthy');
      dir.file('drain', '1\n');
      await waitFor(() => h.state('web') === 'FAULT', 3000, 'FAULT');
      assert.deepEqual(h.present(), []);
      assert.match(h.transitions('web').at(-1) ?? '', /MASTER->FAULT:tracker-fault/);
      dir.file('drain', '0\n');
      await waitFor(() => h.state('web') !== 'FAULT', 3000, 'FAULT cleared');
      // Still the best live node: it leaves FAULT and takes the group back at once.
      const [recovered, regained] = h.transitions('web').slice(-2);
      assert.equal(recovered, 'FAULT->BACKUP:tracker-recovered');
      assert.match(regained ?? '', /^BACKUP->MASTER:/);
      assert.deepEqual(h.present(), ['10.213.0.100/24', 'fd00:213::100/64']);
    } finally {
      await trackers.stop();
      dir.remove();
    }
  });
});

/**
 * A driver for n1 alone, on a clock the test controls, with one configured peer (n2) that
 * it never hears: a loopback mesh whose own pacing stays out of the way.
 */
function loneDriver(
  clock: ConstructorParameters<typeof Driver>[0]['clock'],
  onFatal?: (error: Error) => void,
  addresses: MemoryAddressManager = createMemoryAddressManager(),
): { driver: Driver; mesh: HeartbeatMesh } {
  const mesh = createLoopbackNetwork().createMesh({
    clusterName: 'test',
    nodeId: 'n1',
    listen: '127.0.0.1:0',
    peers: [{ id: 'n2', address: 'n2:1' }],
    key: new Uint8Array(32),
    intervalMs: 3_600_000,
    downMultiplier: 3,
  });
  const driver = new Driver({
    config: testConfig({ groups: [WEB] }),
    clock,
    mesh,
    addresses,
    announcer: createRecordingAnnouncer(),
    notify: new NotifyRunner({ nodeId: 'n1', timeoutMs: 1000, logger: silentLogger() }),
    metrics: new VipdMetrics(),
    logger: silentLogger(),
    ...(onFatal === undefined ? {} : { onFatal }),
  });
  return { driver, mesh };
}

describe('Driver: timers that fire early', () => {
  it('keeps its deadline when the clock says a timer fired before it, so a lone node still takes over', async () => {
    // libuv measures timers from a cached loop time; after a busy stretch they fire early.
    // This clock fires every timer longer than 40 ms that much before its deadline.
    const EARLY_MS = 40;
    const manual = createManualClock(1000);
    const { driver, mesh } = loneDriver({
      ...manual,
      setTimeout: (callback, delayMs) =>
        manual.setTimeout(callback, delayMs > EARLY_MS ? delayMs - EARLY_MS : delayMs),
    });
    try {
      driver.start();
      // The tick the timer defers runs inside advance(): nothing to wait for.
      for (let stepMs = 0; stepMs < DOWN_AFTER_MS * 3; stepMs += 10) manual.advance(10);
      const web = driver.electionStatus()?.groups.find((g) => g.name === 'web');
      assert.equal(web?.state, 'MASTER', 'n2 is never heard: n1 must take over');
    } finally {
      driver.stop();
      await mesh.stop();
    }
  });
});

describe('Driver: a failing election', () => {
  it('stops deciding and reports the failure instead of carrying on with a broken state', async () => {
    const manual = createManualClock(1000);
    let broken = false;
    const errors: Error[] = [];
    const { driver, mesh } = loneDriver(
      // A clock that starts returning NaN: the election refuses such an event by throwing.
      { ...manual, now: () => (broken ? Number.NaN : manual.now()) },
      (error) => errors.push(error),
    );
    driver.start();
    broken = true;
    driver.trackerReport({ trackerId: 't', group: 'web', weightDelta: -10, fault: false });
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof RangeError);
    assert.equal(driver.phase(), 'stopping');
    assert.equal(driver.electionStatus(), null);
    await mesh.stop();
  });
});

describe('Driver: a failing election while master', () => {
  it('takes the VIPs off before reporting the failure: a node that stopped deciding must not hold them', async () => {
    const manual = createManualClock(1000);
    let broken = false;
    const errors: Error[] = [];
    const addresses = createMemoryAddressManager();
    const { driver, mesh } = loneDriver(
      { ...manual, now: () => (broken ? Number.NaN : manual.now()) },
      (error) => {
        // By the time the daemon hears of it, the VIPs are gone already.
        assert.deepEqual(addresses.present(), []);
        errors.push(error);
      },
      addresses,
    );
    try {
      driver.start();
      // The tick the timer defers runs inside advance(): nothing to wait for.
      for (let stepMs = 0; stepMs < DOWN_AFTER_MS * 3; stepMs += 10) manual.advance(10);
      assert.equal(driver.group('web')?.state, 'MASTER');
      assert.ok(addresses.present().length > 0, 'the master holds its VIPs');
      broken = true;
      driver.trackerReport({ trackerId: 't', group: 'web', weightDelta: -10, fault: false });
      assert.equal(errors.length, 1);
      assert.deepEqual(addresses.present(), []);
    } finally {
      driver.stop();
      await mesh.stop();
    }
  });
});

describe('Driver: a reload the election fails on', () => {
  it('stops deciding, takes the VIPs off and reports it, as a failing step does', async () => {
    const manual = createManualClock(1000);
    const errors: Error[] = [];
    const addresses = createMemoryAddressManager();
    const { driver, mesh } = loneDriver(manual, (error) => errors.push(error), addresses);
    driver.start();
    for (let stepMs = 0; stepMs < DOWN_AFTER_MS * 3; stepMs += 10) manual.advance(10);
    assert.equal(driver.group('web')?.state, 'MASTER');
    assert.ok(addresses.present().length > 0, 'the master holds its VIPs');
    // The daemon refuses a node id change before it reaches the driver; the election
    // refusing it here stands for any reload the election throws on.
    driver.reconfigure(testConfig({ nodeId: 'n9', groups: [WEB] }));
    assert.equal(errors.length, 1);
    assert.deepEqual(addresses.present(), []);
    assert.equal(driver.phase(), 'stopping');
    assert.equal(driver.electionStatus(), null);
    await mesh.stop();
  });
});
