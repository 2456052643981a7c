// Bad config and malformed events get typed errors that name the field; any sequence of
// valid events keeps the router inside the rules (fast-check), and replays identically.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { VrrpError } from '../../src/errors.js';
import type {
  VirtualRouterAction,
  VirtualRouterConfig,
  VirtualRouterEvent,
} from '../../src/router/types.js';
import { VirtualRouter } from '../../src/router/virtual-router.js';
import { advert, LOWER_PEER, routerConfig, startup, timer } from './support.js';

function throwsCode(run: () => unknown, code: string, mentions: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof VrrpError);
    assert.equal(error.code, code);
    assert.match(error.message, mentions);
    return true;
  });
}

describe('config validation', () => {
  const cases: [string, Partial<Record<keyof VirtualRouterConfig, unknown>>, RegExp][] = [
    ['vrid 0', { vrid: 0 }, /vrid: must be 1-255, got 0/],
    ['vrid 256', { vrid: 256 }, /vrid: must be 1-255/],
    ['priority 0 (only ever advertised)', { priority: 0 }, /priority: must be 1-255, got 0/],
    ['priority 1.5', { priority: 1.5 }, /priority: must be an integer/],
    ['interval 0 cs', { advertIntervalCs: 0 }, /advertIntervalCs: must be 1-4095/],
    ['interval 4096 cs', { advertIntervalCs: 4096 }, /advertIntervalCs: must be 1-4095/],
    ['preempt "yes"', { preempt: 'yes' }, /preempt: must be true or false/],
    ['negative preempt delay', { preemptDelayMs: -1 }, /preemptDelayMs: must be 0-3600000/],
    ['family 5', { family: 5 }, /family: must be 4 or 6, got 5/],
    ['an IPv6 address on IPv4', { primaryAddress: 'fd00::1' }, /primaryAddress: must be an IPv4/],
    ['a short IPv4 form', { primaryAddress: '10.1' }, /primaryAddress: must be an IPv4/],
    ['a zone id', { family: 6, primaryAddress: 'fe80::1%eth0' }, /primaryAddress: must be an IPv6/],
  ];
  for (const [name, change, message] of cases)
    it(`refuses ${name}`, () => {
      const config = { ...routerConfig(), ...change } as VirtualRouterConfig;
      throwsCode(() => new VirtualRouter(config), 'VRRP_CONFIG_INVALID', message);
    });

  it('reports every problem at once', () => {
    const config = { ...routerConfig(), vrid: 0, priority: 300 } as VirtualRouterConfig;
    throwsCode(() => new VirtualRouter(config), 'VRRP_CONFIG_INVALID', /vrid: .*; priority: /);
  });
});

describe('malformed events', () => {
  const router = new VirtualRouter(routerConfig());
  router.handle(startup(0));
  const cases: [string, VirtualRouterEvent, RegExp][] = [
    ['a NaN time', timer(Number.NaN), /nowMs NaN is not finite/],
    ['priority 256', advert(1, LOWER_PEER, 256), /priority must be an integer 0-255, got 256/],
    ['interval 0', advert(1, LOWER_PEER, 100, 0), /maxAdvertIntervalCs must be 1-4095, got 0/],
    ['an IPv6 source on IPv4', advert(1, 'fd00::1', 100), /fd00::1 is not an IPv4 address/],
    [
      'set-priority -1',
      { type: 'set-priority', nowMs: 1, priority: -1 },
      /priority must be an integer 0-255/,
    ],
    [
      'an unknown type',
      { type: 'reboot', nowMs: 1 } as unknown as VirtualRouterEvent,
      /invalid reboot event/,
    ],
  ];
  for (const [name, event, message] of cases)
    it(`refuses ${name} and stays as it was`, () => {
      const before = router.status();
      throwsCode(() => router.handle(event), 'VRRP_EVENT_INVALID', message);
      assert.deepEqual(router.status(), before);
    });

  it('takes a stale timestamp as now, and ignores a timer that is not due', () => {
    const r = new VirtualRouter(routerConfig());
    r.handle(startup(1000));
    assert.deepEqual(r.handle(timer(500)), []);
    assert.equal(r.status().state, 'BACKUP');
  });
});

// ---- random event sequences ----

const ADDRESSES = ['192.0.2.1', '192.0.2.9', '192.0.2.10', '192.0.2.11', '192.0.2.200'];

const eventKind: fc.Arbitrary<(nowMs: number) => VirtualRouterEvent> = fc.oneof(
  fc.constant((nowMs: number) => ({ type: 'startup', nowMs }) as const),
  fc.constant((nowMs: number) => ({ type: 'shutdown', nowMs }) as const),
  fc.constant((nowMs: number) => ({ type: 'timer', nowMs }) as const),
  fc
    .record({
      from: fc.constantFrom(...ADDRESSES),
      priority: fc.constantFrom(0, 1, 50, 100, 150, 254, 255),
      intervalCs: fc.constantFrom(1, 10, 100, 4095),
    })
    .map((a) => (nowMs: number) => advert(nowMs, a.from, a.priority, a.intervalCs)),
  fc
    .record({ priority: fc.constantFrom(0, 1, 99, 100, 101, 254, 255), force: fc.boolean() })
    .map(
      (p) => (nowMs: number) =>
        ({ type: 'set-priority', nowMs, priority: p.priority, forcePreempt: p.force }) as const,
    ),
  fc.boolean().map((faulted) => (nowMs: number) => ({ type: 'fault', nowMs, faulted }) as const),
);

const script = fc.array(fc.tuple(fc.integer({ min: 0, max: 5000 }), eventKind), {
  maxLength: 60,
});

const configArbitrary = fc.record({
  priority: fc.constantFrom(1, 100, 254, 255),
  preempt: fc.boolean(),
  preemptDelayMs: fc.constantFrom(0, 2000),
  advertIntervalCs: fc.constantFrom(1, 100),
});

function play(
  config: VirtualRouterConfig,
  steps: readonly [number, (nowMs: number) => VirtualRouterEvent][],
): VirtualRouterAction[][] {
  const router = new VirtualRouter(config);
  let nowMs = 0;
  return steps.map(([gap, make]) => {
    nowMs += gap;
    const before = router.status();
    const actions = router.handle(make(nowMs));
    checkStep(before.state, actions, router);
    return actions;
  });
}

/** The rules that hold after every single event. */
function checkStep(
  before: string,
  actions: readonly VirtualRouterAction[],
  router: VirtualRouter,
): void {
  const status = router.status();
  const transitions = actions.filter((a) => a.type === 'transition');
  const timers = actions.filter((a) => a.type === 'arm-timer' || a.type === 'cancel-timer');
  assert.ok(timers.length <= 1, 'at most one timer action per event');
  assert.equal(transitions.at(-1)?.to ?? before, status.state, 'transitions end in the state');
  if (status.state === 'MASTER') {
    assert.ok(status.priority > 0, 'never master at priority 0');
    assert.equal(status.masterAddress, router.config.primaryAddress);
  }
  for (const a of actions)
    if (a.type === 'send-advert' && a.priority !== 0)
      assert.equal(status.state, 'MASTER', 'only a master advertises a priority above 0');
  if (status.state === 'INIT' || status.state === 'FAULT')
    assert.ok(!actions.some((a) => a.type === 'arm-timer'), 'no timer in INIT or FAULT');
}

describe('any sequence of valid events', () => {
  it('keeps the rules: one timer action, no master at priority 0, only a master advertises', () => {
    fc.assert(
      fc.property(configArbitrary, script, (extra, steps) => {
        play(routerConfig(extra), steps);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same actions for the same events (deterministic)', () => {
    fc.assert(
      fc.property(configArbitrary, script, (extra, steps) => {
        assert.deepEqual(play(routerConfig(extra), steps), play(routerConfig(extra), steps));
      }),
      { numRuns: 200 },
    );
  });
});
