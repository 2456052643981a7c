// An ARP flood with random sender MACs must cost the conflict watch O(1) per frame and
// bounded memory, and must not hide a genuine conflict.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from '../src/codec/frame.js';
import { CONFLICT_DEDUPE_KEYS, createConflictWatch } from '../src/conflict-watch.js';
import { createManualClock } from '@vipd/clock';
import type { ConflictEvent } from '../src/types.js';
import { fakeReceivers } from './helpers/fake-receiver.js';

const OURS = '52:54:00:00:00:01';
const GENUINE = '52:54:00:00:00:66';
const VIP4 = '10.213.0.100';
const FLOOD_FRAMES = 200_000;

/** Deterministic xorshift32, so a failure replays with the same frames. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
}

const hex = (byte: number) => (byte & 0xff).toString(16).padStart(2, '0');

/** A locally administered unicast MAC (02:…), never ours. */
function randomMac(next: () => number): string {
  const a = next();
  const b = next();
  return ['02', hex(a), hex(a >>> 8), hex(a >>> 16), hex(b), hex(b >>> 8)].join(':');
}

function randomIp(next: () => number): string {
  const a = next();
  return `10.${String((a >>> 8) & 0xff)}.${String((a >>> 16) & 0xff)}.${String(a & 0xff)}`;
}

function arpReply(mac: string, ip: string): Buffer {
  return encode({
    destination: OURS,
    source: mac,
    packet: {
      kind: 'arp',
      operation: 'reply',
      senderMac: mac,
      senderIp: ip,
      targetMac: OURS,
      targetIp: '0.0.0.0',
    },
  });
}

function setup() {
  const clock = createManualClock();
  const receivers = fakeReceivers(OURS);
  const events: ConflictEvent[] = [];
  const watch = createConflictWatch({
    clock,
    openReceiver: receivers.open,
    onConflict: (event) => events.push(event),
  });
  watch.watch('web', [{ address: VIP4, prefixLength: 24, interface: 'eth0' }]);
  const deliver = (frame: Buffer) => receivers.opened.get('eth0')?.deliver(frame);
  return { clock, watch, events, deliver };
}

describe('conflict watch under an ARP flood', () => {
  it(`keeps at most ${CONFLICT_DEDUPE_KEYS} keys through ${FLOOD_FRAMES} random-MAC frames and still reports a genuine conflict`, () => {
    const { clock, watch, events, deliver } = setup();
    const next = random(13);
    let largest = 0;
    for (let i = 0; i < FLOOD_FRAMES; i++) {
      // Half claim the VIP (each a new key), half claim random addresses (ignored).
      const ip = i % 2 === 0 ? VIP4 : randomIp(next);
      deliver(arpReply(randomMac(next), ip));
      const keys = watch.stats().dedupeKeys;
      if (keys > largest) largest = keys;
      assert.ok(keys <= CONFLICT_DEDUPE_KEYS, `${keys} keys after frame ${i}`);
      // Time moves on during the flood, but never past the repeat window of the newest keys.
      if (i % 1000 === 999) clock.advance(10);
    }
    assert.equal(largest, CONFLICT_DEDUPE_KEYS);
    assert.equal(watch.stats().framesSeen, FLOOD_FRAMES);

    const before = events.length;
    deliver(arpReply(GENUINE, VIP4));
    assert.deepEqual(events.slice(before), [
      { vip: VIP4, interface: 'eth0', foreignMac: GENUINE, kind: 'arp-reply' },
    ]);
  });

  it('does at most one eviction per frame: the work per frame does not grow with the table', () => {
    const { watch, deliver } = setup();
    const next = random(7);
    const frames = 4 * CONFLICT_DEDUPE_KEYS;
    let previousVisited = 0;
    for (let i = 0; i < frames; i++) {
      deliver(arpReply(randomMac(next), VIP4));
      const { dedupeEntriesVisited } = watch.stats();
      assert.ok(
        dedupeEntriesVisited - previousVisited <= 1,
        `frame ${i} visited ${dedupeEntriesVisited - previousVisited} entries`,
      );
      previousVisited = dedupeEntriesVisited;
    }
    // Every key beyond the bound evicted exactly one older key, and nothing else was visited.
    assert.equal(watch.stats().dedupeEntriesVisited, frames - CONFLICT_DEDUPE_KEYS);
    assert.equal(watch.stats().conflicts, frames);
  });

  it('a key reported again after its window is the newest: the flood evicts older keys first', () => {
    const { clock, watch, events, deliver } = setup();
    const next = random(99);
    deliver(arpReply(GENUINE, VIP4));
    for (let i = 1; i < CONFLICT_DEDUPE_KEYS; i++) deliver(arpReply(randomMac(next), VIP4));
    clock.advance(1000);
    // Reported again: moves to the end of the table.
    deliver(arpReply(GENUINE, VIP4));
    // Enough new keys to evict everything that was older than that report.
    for (let i = 1; i < CONFLICT_DEDUPE_KEYS; i++) deliver(arpReply(randomMac(next), VIP4));
    const reported = events.filter((e) => e.foreignMac === GENUINE).length;
    // Still remembered, so the repeat inside the window stays quiet.
    deliver(arpReply(GENUINE, VIP4));
    assert.equal(events.filter((e) => e.foreignMac === GENUINE).length, reported);
    assert.equal(reported, 2);
    assert.equal(watch.stats().dedupeKeys, CONFLICT_DEDUPE_KEYS);
  });
});
