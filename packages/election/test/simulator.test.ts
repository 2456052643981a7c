// The simulator itself: its random source, queue and network behave as documented, runs
// replay from their seed, and faults look to the elections the way the real mesh shows them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ClusterSimulator, type SimTransition } from '../src/simulator/cluster-simulator.js';
import { EventQueue } from '../src/simulator/event-queue.js';
import { EventQueueRunner } from '../src/simulator/event-queue-runner.js';
import { SimulatedNetwork } from '../src/simulator/network.js';
import { SeededRandom } from '../src/simulator/random.js';
import {
  masterIntervals,
  masterOverlaps,
  mutuallyReliableMs,
  reliableSpans,
} from '../src/simulator/timeline.js';
import type { ElectionConfig, GroupState } from '../src/types.js';

function cluster(priorities: Record<string, number>, quorum = false): ElectionConfig[] {
  const ids = Object.keys(priorities);
  return ids.map((id) => ({
    nodeId: id,
    peers: ids.filter((p) => p !== id),
    heartbeatIntervalMs: 100,
    downMultiplier: 3,
    quorum,
    groups: [{ name: 'web', priority: priorities[id] ?? 100, preempt: true, preemptDelayMs: 0 }],
  }));
}

describe('SeededRandom', () => {
  it('replays from its seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const r = new SeededRandom(seed);
      return Array.from({ length: 20 }, () => r.nextUint32());
    };
    assert.deepEqual(draw(7), draw(7));
    assert.notDeepEqual(draw(7), draw(8));
  });

  it('int stays within bounds and hits both ends; next is in [0, 1)', () => {
    const r = new SeededRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(3, 6);
      assert.ok(v >= 3 && v <= 6);
      seen.add(v);
      const x = r.next();
      assert.ok(x >= 0 && x < 1);
    }
    assert.deepEqual([...seen].sort(), [3, 4, 5, 6]);
  });

  it('is roughly uniform (each of 10 buckets within 20% of its share over 50,000 draws)', () => {
    const r = new SeededRandom(99);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const b = Math.floor(r.next() * 10);
      buckets[b] = (buckets[b] ?? 0) + 1;
    }
    for (const count of buckets) assert.ok(Math.abs(count - 5000) < 1000, `bucket ${count}`);
  });
});

describe('EventQueue', () => {
  it('pops by time, then in insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
        const queue = new EventQueue<number>();
        times.forEach((t, i) => {
          queue.push(t, i);
        });
        const popped: [number, number][] = [];
        for (let e = queue.pop(); e !== undefined; e = queue.pop()) popped.push([e.atMs, e.item]);
        const expected = times
          .map((t, i): [number, number] => [t, i])
          .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        assert.deepEqual(popped, expected);
      }),
    );
  });
});

/** Records what ran when; an echo event schedules `count` more at the same instant. */
class Recorder extends EventQueueRunner<{
  readonly kind: 'note' | 'echo';
  readonly count: number;
}> {
  readonly seen: string[] = [];

  note(atMs: number, count = 0): void {
    this.schedule(atMs, { kind: count > 0 ? 'echo' : 'note', count });
  }

  protected override dispatch(event: { readonly kind: 'note' | 'echo'; readonly count: number }) {
    this.seen.push(`${event.kind}@${this.nowMs}`);
    if (event.kind === 'echo') this.note(this.nowMs, event.count - 1);
  }
}

describe('EventQueueRunner', () => {
  it('runs events and scripts in time order, ties in scheduling order, and ends at untilMs', () => {
    const run = new Recorder();
    run.note(20);
    run.at(10, () => run.seen.push(`script@${run.nowMs}`));
    run.note(10);
    run.note(30);
    run.runUntil(25);
    assert.deepEqual(run.seen, ['script@10', 'note@10', 'note@20']);
    assert.equal(run.nowMs, 25);
    run.runFor(5);
    assert.deepEqual(run.seen.at(-1), 'note@30');
    assert.equal(run.nowMs, 30);
  });

  it('runs what is scheduled in the past now, never moving the clock back', () => {
    const run = new Recorder();
    run.runUntil(100);
    run.note(40);
    run.at(50, () => run.seen.push(`script@${run.nowMs}`));
    run.runUntil(100);
    assert.deepEqual(run.seen, ['note@100', 'script@100']);
  });

  it('reports a livelock (events that never let time pass) with its time', () => {
    const run = new Recorder();
    run.note(7, 200_000);
    assert.throws(() => {
      run.runUntil(10);
    }, /livelock: more than 100000 events at 7ms/);
  });

  it('stops a run that exceeds its event budget', () => {
    const run = new Recorder();
    for (let t = 0; t < 10; t++) run.note(t);
    assert.throws(() => {
      run.runUntil(100, 5);
    }, /exceeded 5 events before 100ms/);
  });
});

describe('SimulatedNetwork', () => {
  it('keeps each link in order (TCP) whatever the random delays', () => {
    const net = new SimulatedNetwork(
      ['a', 'b'],
      { minDelayMs: 0, maxDelayMs: 50, lossRate: 0 },
      new SeededRandom(3),
    );
    let last = 0;
    for (let t = 0; t < 1000; t += 1) {
      const at = net.transmit('a', 'b', t);
      assert.ok(at !== null && at >= last && at >= t);
      last = at;
    }
  });

  it('drops everything on a blocked link and about lossRate of the rest', () => {
    const net = new SimulatedNetwork(
      ['a', 'b'],
      { minDelayMs: 1, maxDelayMs: 1, lossRate: 0.3 },
      new SeededRandom(5),
    );
    net.setBlocked('a', 'b', true, 0);
    assert.equal(net.transmit('a', 'b', 1), null);
    assert.equal(net.transmitControl('a', 'b', 1), null);
    let lost = 0;
    for (let i = 0; i < 10_000; i++) if (net.transmit('b', 'a', i) === null) lost++;
    assert.ok(lost > 2700 && lost < 3300, `lost ${lost}`);
    // Control segments (FIN) are retransmitted by TCP: loss does not drop them.
    assert.notEqual(net.transmitControl('b', 'a', 20_000), null);
  });

  it('logs only changes of reliability', () => {
    const net = new SimulatedNetwork(
      ['a', 'b'],
      { minDelayMs: 1, maxDelayMs: 1, lossRate: 0 },
      new SeededRandom(5),
    );
    net.setBlocked('a', 'b', true, 10);
    net.setBlocked('a', 'b', true, 20);
    net.setProfile('a', 'b', { minDelayMs: 1, maxDelayMs: 1, lossRate: 0.5 }, 30);
    net.setBlocked('a', 'b', false, 40);
    net.setProfile('a', 'b', { minDelayMs: 1, maxDelayMs: 1, lossRate: 0 }, 50);
    assert.deepEqual(
      net.changes.map((c) => [c.atMs, c.reliable]),
      [
        [10, false],
        [50, true],
      ],
    );
  });
});

describe('ClusterSimulator', () => {
  function scripted(seed: number): ClusterSimulator {
    const sim = new ClusterSimulator({
      seed,
      nodes: cluster({ a: 200, b: 150, c: 100 }),
      link: { minDelayMs: 1, maxDelayMs: 20 },
    });
    sim.at(1000, () => {
      sim.crash('a', 'host');
    });
    sim.at(2000, () => {
      sim.restart('a');
    });
    sim.at(3000, () => {
      sim.partition([['a'], ['b', 'c']]);
    });
    sim.at(4000, () => {
      sim.heal();
    });
    sim.runUntil(5000);
    return sim;
  }

  it('replays a run exactly from its seed', () => {
    assert.deepEqual(scripted(11).transitions, scripted(11).transitions);
    assert.notDeepEqual(
      scripted(11).transitions.map((t) => t.atMs),
      scripted(12).transitions.map((t) => t.atMs),
    );
  });

  it('a crashed process is seen as a closed connection: the best backup takes over at once', () => {
    const sim = new ClusterSimulator({
      seed: 1,
      nodes: cluster({ a: 200, b: 150, c: 100 }),
      link: { minDelayMs: 1, maxDelayMs: 2 },
    });
    sim.runUntil(1000);
    assert.deepEqual(sim.masters('web'), ['a']);
    sim.crash('a', 'process');
    sim.runUntil(1010);
    assert.deepEqual(sim.masters('web'), ['b']);
    assert.equal(sim.transitions.at(-1)?.reason, 'peer-connection-closed');
  });

  it('a host that dies silently is replaced after downMultiplier x interval', () => {
    const sim = new ClusterSimulator({
      seed: 1,
      nodes: cluster({ a: 200, b: 150, c: 100 }),
      link: { minDelayMs: 1, maxDelayMs: 2 },
    });
    sim.runUntil(1000);
    sim.crash('a', 'host');
    sim.runUntil(1000 + 200);
    assert.deepEqual(sim.masters('web'), []);
    sim.runUntil(1000 + 320);
    assert.deepEqual(sim.masters('web'), ['b']);
    assert.equal(sim.transitions.at(-1)?.reason, 'master-down');
  });

  it('a reset TCP connection between master and one backup moves nothing while a third node hears both', () => {
    const sim = new ClusterSimulator({
      seed: 1,
      nodes: cluster({ a: 200, b: 150, c: 100 }),
      link: { minDelayMs: 1, maxDelayMs: 2 },
    });
    sim.runUntil(1000);
    const before = sim.transitions.length;
    sim.cutConnection('a', 'b');
    sim.runUntil(3000);
    assert.equal(sim.transitions.length, before);
    assert.deepEqual(sim.masters('web'), ['a']);
  });

  it('a restarted node is a new incarnation that starts from INIT', () => {
    const sim = new ClusterSimulator({
      seed: 1,
      nodes: cluster({ a: 200, b: 150 }),
      link: { minDelayMs: 1, maxDelayMs: 2 },
    });
    sim.runUntil(500);
    sim.crash('b');
    assert.equal(sim.election('b'), null);
    assert.equal(sim.state('b', 'web'), 'DOWN');
    sim.restart('b');
    assert.equal(sim.transitions.at(-1)?.from, 'INIT');
    assert.deepEqual(
      sim.lifecycle.map((l) => l.kind),
      ['start', 'start', 'crash', 'restart'],
    );
  });

  it('commands and trackers reach the node and their results are recorded', () => {
    const sim = new ClusterSimulator({
      seed: 1,
      nodes: cluster({ a: 200, b: 150 }),
      link: { minDelayMs: 1, maxDelayMs: 2 },
    });
    sim.runUntil(500);
    assert.equal(sim.command('b', { command: 'takeover', group: 'nope' })?.code, 'UNKNOWN_GROUP');
    sim.tracker('a', 'link', 'web', 0, true);
    sim.runUntil(510);
    assert.equal(sim.state('a', 'web'), 'FAULT');
    assert.deepEqual(sim.masters('web'), ['b']);
  });

  it('rejects a cluster whose peers name unknown nodes', () => {
    const [a] = cluster({ a: 1 });
    assert.throws(
      () => new ClusterSimulator({ seed: 1, nodes: [{ ...a!, peers: ['ghost'] }] }),
      /unknown peer ghost/,
    );
  });
});

describe('timeline', () => {
  const t = (
    atMs: number,
    node: string,
    from: GroupState,
    to: GroupState,
    epoch = 1,
  ): SimTransition => ({
    atMs,
    order: atMs,
    node,
    group: 'web',
    from,
    to,
    epoch,
    reason: 'master-down',
    detail: '',
  });

  it('masterships end at a step-down, a crash or the run end; overlaps are found pairwise', () => {
    const transitions = [
      t(10, 'a', 'BACKUP', 'MASTER'),
      t(50, 'b', 'BACKUP', 'MASTER', 2),
      t(60, 'a', 'MASTER', 'BACKUP', 2),
      t(80, 'c', 'BACKUP', 'MASTER', 3),
    ];
    const lifecycle = [{ atMs: 90, order: 90, node: 'b', kind: 'crash' as const }];
    const intervals = masterIntervals(transitions, lifecycle, 200);
    assert.deepEqual(
      intervals.map((i) => [i.node, i.fromMs, i.toMs]),
      [
        ['a', 10, 60],
        ['b', 50, 90],
        ['c', 80, 200],
      ],
    );
    assert.deepEqual(
      masterOverlaps(intervals).map((o) => [o.a.node, o.b.node, o.fromMs, o.toMs]),
      [
        ['a', 'b', 50, 60],
        ['b', 'c', 80, 90],
      ],
    );
  });

  it('reliable spans follow the link log', () => {
    const changes = [
      { atMs: 10, from: 'a', to: 'b', reliable: false },
      { atMs: 30, from: 'a', to: 'b', reliable: true },
      { atMs: 20, from: 'b', to: 'a', reliable: false },
      { atMs: 25, from: 'b', to: 'a', reliable: true },
    ];
    assert.deepEqual(reliableSpans(changes, 'a', 'b', 0, 50), [
      [0, 10],
      [30, 50],
    ]);
    assert.equal(mutuallyReliableMs(changes, 'a', 'b', 0, 50), 10 + 20);
  });
});
