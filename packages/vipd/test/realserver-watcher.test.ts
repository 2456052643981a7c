import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { createManualClock, type ManualClock } from '@vipd/clock';
import { Registry } from 'prom-client';
import type { AppliedChange } from '../src/realserver/apply.js';
import { ipv4ConfKey } from '../src/realserver/kernel.js';
import type { RealServerMetricsSink } from '../src/realserver/metrics.js';
import { createRealServerPromMetrics } from '../src/realserver/metrics.js';
import type { RealServerReport } from '../src/realserver/types.js';
import { RealServerWatcher } from '../src/realserver/watcher.js';
import { config, fakeHost, VIP4 } from './realserver-fixtures.js';

/** Moves the manual clock and waits for the check it started: no sleeping, no flakiness. */
async function advance(clock: ManualClock, watcher: RealServerWatcher, ms: number): Promise<void> {
  clock.advance(ms);
  await watcher.whenIdle();
}

class RecordingSink implements RealServerMetricsSink {
  readonly reports: RealServerReport[] = [];
  readonly repairs: (readonly AppliedChange[])[] = [];
  readonly errors: unknown[] = [];
  observeReport(report: RealServerReport): void {
    this.reports.push(report);
  }
  observeRepair(changes: readonly AppliedChange[]): void {
    this.repairs.push(changes);
  }
  observeCheckError(error: unknown): void {
    this.errors.push(error);
  }
}

class RecordingLog {
  readonly lines: string[] = [];
  info(_obj: object, msg: string): void {
    this.lines.push(`info ${msg}`);
  }
  warn(_obj: object, msg: string): void {
    this.lines.push(`warn ${msg}`);
  }
  error(_obj: object, msg: string): void {
    this.lines.push(`error ${msg}`);
  }
}

describe('RealServerWatcher', () => {
  it('checks at once, then every check_interval, and reports drift without repairing', async () => {
    const host = fakeHost();
    const clock = createManualClock();
    const sink = new RecordingSink();
    const log = new RecordingLog();
    const cfg = config({ vips: [VIP4], check_interval: '2s' });
    const watcher = new RealServerWatcher({ config: cfg, deps: host.deps, sink, log, clock });
    watcher.start();
    await advance(clock, watcher, 0);
    assert.equal(sink.reports.length, 1, 'the first check runs at once');
    assert.equal(sink.reports.at(-1)?.ok, false, 'nothing applied yet');
    assert.equal(clock.pendingTimers(), 1, 'the next check is scheduled');
    await advance(clock, watcher, 1999);
    assert.equal(sink.reports.length, 1, 'not before check_interval');
    await advance(clock, watcher, 1);
    assert.equal(sink.reports.length, 2, 'after exactly check_interval');
    assert.deepEqual(log.lines, ['warn realserver: VIPs not correctly hidden'], 'logged once');
    assert.deepEqual(host.ops.changes, [], 'repair is off');
    await watcher.stop();
    assert.equal(clock.pendingTimers(), 0);
  });

  it('repairs drift when told to and reports the repaired state', async () => {
    const host = fakeHost();
    const clock = createManualClock();
    const sink = new RecordingSink();
    const log = new RecordingLog();
    const cfg = config({ vips: [VIP4], repair: true });
    const watcher = new RealServerWatcher({ config: cfg, deps: host.deps, sink, log, clock });
    watcher.start();
    await advance(clock, watcher, 0);
    assert.equal(sink.reports.at(-1)?.ok, true);
    assert.equal(sink.repairs[0]?.length, 3);

    host.ops.sysctls.set(ipv4ConfKey('eth0', 'arp_ignore'), '0'); // someone reset it
    await advance(clock, watcher, cfg.checkIntervalMs);
    assert.deepEqual(
      sink.repairs[1]?.map((c) => c.target),
      ['net/ipv4/conf/eth0/arp_ignore'],
    );
    assert.equal(watcher.lastReport?.ok, true);
    await advance(clock, watcher, cfg.checkIntervalMs);
    assert.equal(sink.reports.length, 3);
    assert.equal(sink.repairs.length, 2, 'nothing to repair the third time');
    assert.deepEqual(log.lines, [
      'warn realserver: repaired drift',
      'info realserver: all VIPs hidden',
      'warn realserver: repaired drift',
    ]);
    await watcher.stop();
  });

  it('a failing check is counted and the loop goes on', async () => {
    const host = fakeHost();
    const clock = createManualClock();
    const sink = new RecordingSink();
    const log = new RecordingLog();
    const cfg = config({ vips: [VIP4] });
    const watcher = new RealServerWatcher({ config: cfg, deps: host.deps, sink, log, clock });
    host.ops.failNext('listAddresses', new Error('ip: command not found'));
    watcher.start();
    await advance(clock, watcher, 0);
    assert.equal(sink.errors.length, 1);
    assert.deepEqual(log.lines, ['error realserver: check failed']);
    assert.equal(clock.pendingTimers(), 1, 'the next check is scheduled');
    await advance(clock, watcher, cfg.checkIntervalMs);
    assert.equal(sink.reports.length, 1);
    await watcher.stop();
  });

  it('feeds prom-client gauges: hidden per VIP, one problem series per reason', async () => {
    const host = fakeHost();
    const registry = new Registry();
    const sink = createRealServerPromMetrics(registry);
    const clock = createManualClock();
    const cfg = config({ vips: [VIP4] });
    const watcher = new RealServerWatcher({ config: cfg, deps: host.deps, sink, clock });
    watcher.start();
    await advance(clock, watcher, 0);
    let text = await registry.metrics();
    assert.match(text, /^vipd_realserver_hidden\{vip="10\.213\.0\.100"\} 0$/m);
    assert.match(
      text,
      /^vipd_realserver_problem\{vip="10\.213\.0\.100",reason="address_missing"\} 1$/m,
    );
    assert.match(
      text,
      /^vipd_realserver_problem\{vip="10\.213\.0\.100",reason="wrong_scope"\} 0$/m,
    );
    assert.match(text, /^vipd_realserver_checks_total\{result="problem"\} 1$/m);
    await watcher.stop();

    const repairing = new RealServerWatcher({
      config: config({ vips: [VIP4], repair: true }),
      deps: host.deps,
      sink,
      clock,
    });
    repairing.start();
    await advance(clock, repairing, 0);
    text = await registry.metrics();
    assert.match(text, /^vipd_realserver_hidden\{vip="10\.213\.0\.100"\} 1$/m);
    assert.doesNotMatch(text, /^vipd_realserver_problem\{.*\} 1$/m);
    assert.match(text, /^vipd_realserver_repair_changes_total 3$/m);
    assert.match(text, /^vipd_realserver_checks_total\{result="ok"\} 1$/m);
    await repairing.stop();

    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error === undefined) {
      assert.equal(promtool.status, 0, `promtool: ${promtool.stdout}${promtool.stderr}`);
    }
  });
});
