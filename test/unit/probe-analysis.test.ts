import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  firstReplyFrom,
  longestGap,
  longestOutage,
  longestSendStall,
  median,
  responderSegments,
  type ProbeReply,
} from '../src/probe-analysis.js';

/** Replies to probes sent every `everyMs` from t=0, except the sequence numbers in `lost`. */
function replies(
  count: number,
  everyMs: number,
  lost: ReadonlySet<number>,
  nodeAt: (seq: number) => string,
): ProbeReply[] {
  const out: ProbeReply[] = [];
  for (let seq = 0; seq < count; seq += 1) {
    if (lost.has(seq)) continue;
    out.push({
      seq,
      sentAtMs: seq * everyMs,
      receivedAtMs: seq * everyMs + 0.1,
      node: nodeAt(seq),
    });
  }
  return out;
}

const range = (from: number, to: number): Set<number> =>
  new Set(Array.from({ length: to - from }, (_, i) => from + i));

describe('longestOutage', () => {
  it('spans the send times around a run of lost probes', () => {
    const record = replies(100, 1, range(40, 60), (seq) => (seq < 50 ? 'n1' : 'n2'));
    const outage = longestOutage(record, 0, 100);
    assert.ok(outage);
    assert.equal(outage.gapMs, 21); // last answered seq 39, next answered seq 60
    assert.equal(outage.nodeBefore, 'n1');
    assert.equal(outage.nodeAfter, 'n2');
  });

  it('ignores a pause of the prober itself (nothing lost)', () => {
    const record: ProbeReply[] = [
      { seq: 0, sentAtMs: 0, receivedAtMs: 0.1, node: 'n1' },
      { seq: 1, sentAtMs: 80, receivedAtMs: 80.1, node: 'n1' },
      { seq: 2, sentAtMs: 81, receivedAtMs: 81.1, node: 'n1' },
      { seq: 4, sentAtMs: 83, receivedAtMs: 83.1, node: 'n1' },
    ];
    assert.equal(longestOutage(record, 0, 90)?.gapMs, 2);
    assert.equal(longestGap(record, 0, 90)?.gapMs, 80);
  });

  it('counts across a 16-bit sequence wrap (ping)', () => {
    const record: ProbeReply[] = [
      { seq: 65534, sentAtMs: 0, receivedAtMs: 0.1, node: '' },
      { seq: 65535, sentAtMs: 5, receivedAtMs: 5.1, node: '' },
      { seq: 0, sentAtMs: 10, receivedAtMs: 10.1, node: '' },
      { seq: 3, sentAtMs: 25, receivedAtMs: 25.1, node: '' },
    ];
    assert.equal(longestOutage(record, 0, 30, 2 ** 16)?.gapMs, 15);
  });

  it('runs to the end of the window when the VIP never came back', () => {
    const record = replies(50, 1, new Set(), () => 'n1');
    const outage = longestOutage(record, 0, 5_000);
    assert.ok(outage);
    assert.equal(outage.nodeAfter, '');
    assert.equal(outage.toMs, 5_000);
  });

  it('only reports outages that overlap the window', () => {
    const record = replies(200, 1, new Set([...range(10, 30), ...range(150, 155)]), () => 'n1');
    assert.equal(longestOutage(record, 100, 199)?.gapMs, 6);
  });

  it('equals the lost span for any single run of losses (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 500 }),
        (start, length) => {
          const record = replies(1_000, 1, range(start, start + length), () => 'n1');
          const outage = longestOutage(record, 0, 1_000);
          assert.equal(outage?.gapMs, length + 1);
        },
      ),
    );
  });
});

describe('responderSegments and firstReplyFrom', () => {
  const record = replies(30, 1, range(10, 15), (seq) => (seq < 20 ? 'n1' : 'n2'));

  it('splits the replies by node in order', () => {
    assert.deepEqual(
      responderSegments(record).map((s) => [s.node, s.replies]),
      [
        ['n1', 15],
        ['n2', 10],
      ],
    );
  });

  it("orders by sending, so the old master's late answer to an earlier probe is no bounce", () => {
    // Probe 1 went to n1 just before the move and n1 answered it after n2 answered probe 2.
    const inFlight = [
      { seq: 0, sentAtMs: 0, receivedAtMs: 0.5, node: 'n1' },
      { seq: 1, sentAtMs: 1, receivedAtMs: 5.2, node: 'n1' },
      { seq: 2, sentAtMs: 2, receivedAtMs: 2.1, node: 'n2' },
      { seq: 3, sentAtMs: 3, receivedAtMs: 3.1, node: 'n2' },
    ];
    assert.deepEqual(
      responderSegments(inFlight).map((s) => [s.node, s.replies]),
      [
        ['n1', 2],
        ['n2', 2],
      ],
    );
    // A real move back is still seen.
    const back = [...inFlight, { seq: 4, sentAtMs: 4, receivedAtMs: 4.1, node: 'n1' }];
    assert.deepEqual(
      responderSegments(back).map((s) => s.node),
      ['n1', 'n2', 'n1'],
    );
  });

  it('finds the first reply from a node after an instant', () => {
    assert.equal(firstReplyFrom(record, 'n2', 0)?.seq, 20);
    assert.equal(firstReplyFrom(record, 'n1', 15)?.seq, 15);
    assert.equal(firstReplyFrom(record, 'n3', 0), undefined);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the middle two', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });
});

describe('longestSendStall', () => {
  it('finds a prober that sent nothing for a while, which longestOutage cannot see', () => {
    const before = replies(100, 1, new Set(), () => 'n1');
    // The prober sleeps 5 s after seq 99: seq 100 onwards are sent late, every one answered.
    const after = replies(100, 1, new Set(), () => 'n2').map((r) => ({
      ...r,
      seq: r.seq + 100,
      sentAtMs: r.sentAtMs + 5_099,
      receivedAtMs: r.receivedAtMs + 5_099,
    }));
    const all = [...before, ...after];
    assert.equal(longestOutage(all, 50, 6_000), undefined, 'no lost probe, no outage');
    assert.equal(longestSendStall(all, 50, 6_000), 5_000);
    assert.equal(longestSendStall(all, 5_150, 6_000), 1, 'the window starts after the stall');
  });

  it('ignores lost probes: a gap in sequence numbers is an outage, not a stall', () => {
    const lossy = replies(
      300,
      1,
      new Set(Array.from({ length: 100 }, (_, i) => 100 + i)),
      () => 'n1',
    );
    assert.equal(longestSendStall(lossy, 0, 300), 1);
  });
});
