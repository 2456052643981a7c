import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '../src/manual-clock.js';
import { systemClock } from '../src/clock.js';

describe('manual clock', () => {
  it('runs timers in due order, ties in the order they were set, at their due time', () => {
    const clock = createManualClock(1000);
    const ran: string[] = [];
    clock.setTimeout(() => ran.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => ran.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => ran.push(`c@${clock.now()}`), 20);
    clock.advance(15);
    assert.deepEqual(ran, ['a@1010']);
    assert.equal(clock.now(), 1015);
    clock.advance(5);
    assert.deepEqual(ran, ['a@1010', 'b@1020', 'c@1020']);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('cancels a timer, and runs one set by a timer within the same advance', () => {
    const clock = createManualClock();
    const ran: number[] = [];
    const cancelled = clock.setTimeout(() => ran.push(-1), 5);
    clock.clearTimeout(cancelled);
    clock.setTimeout(() => {
      ran.push(clock.now());
      clock.setTimeout(() => ran.push(clock.now()), 10);
    }, 10);
    clock.advance(25);
    assert.deepEqual(ran, [10, 20]);
  });

  it('repeats an interval until cleared', () => {
    const clock = createManualClock();
    const ran: number[] = [];
    const handle = clock.setInterval(() => {
      ran.push(clock.now());
      if (ran.length === 3) clock.clearInterval(handle);
    }, 100);
    clock.advance(1000);
    assert.deepEqual(ran, [100, 200, 300]);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('jump() runs nothing; overdue timers then run late, once, and an interval restarts from then', () => {
    const clock = createManualClock();
    const ran: string[] = [];
    clock.setTimeout(() => ran.push(`once@${clock.now()}`), 50);
    clock.setInterval(() => ran.push(`every@${clock.now()}`), 100);
    clock.jump(1000);
    assert.deepEqual(ran, [], 'a frozen process runs nothing');
    assert.equal(clock.now(), 1000);
    clock.advance(0);
    assert.deepEqual(ran, ['once@1000', 'every@1000']);
    clock.advance(100);
    assert.deepEqual(ran, ['once@1000', 'every@1000', 'every@1100']);
  });

  it('runs deferred work before timers, and on flush without moving the clock', () => {
    const clock = createManualClock();
    const ran: string[] = [];
    clock.setTimeout(() => ran.push('timer'), 0);
    clock.defer(() => {
      ran.push('deferred');
      clock.defer(() => ran.push('deferred again'));
    });
    const cancelled = clock.defer(() => ran.push('cancelled'));
    clock.cancelDefer(cancelled);
    clock.flush();
    assert.deepEqual(ran, ['deferred', 'deferred again']);
    clock.advance(0);
    assert.deepEqual(ran, ['deferred', 'deferred again', 'timer']);
    assert.equal(clock.now(), 0);
  });
});

describe('system clock', () => {
  it('is monotonic and fires a timer and a deferred callback', async () => {
    const before = systemClock.now();
    const order: string[] = [];
    await new Promise<void>((resolve) => {
      systemClock.setTimeout(() => {
        order.push('timer');
        resolve();
      }, 5);
      systemClock.defer(() => order.push('deferred'));
    });
    assert.deepEqual(order, ['deferred', 'timer']);
    assert.ok(systemClock.now() - before >= 4);
  });
});
