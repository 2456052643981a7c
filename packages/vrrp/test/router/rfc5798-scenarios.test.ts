// One scenario per rule of RFC 5798 §6 (and of the keepalived behaviour vipd keeps where it
// goes beyond the RFC's text), each named after the rule it checks. Timing everywhere:
// Advertisement_Interval 100 cs (1 s), priority 100, so Skew_Time = 609.375 ms and
// Master_Down_Interval = 3609.375 ms unless a line says otherwise.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtualRouter } from '../../src/router/virtual-router.js';
import { masterDownIntervalMs, skewTimeMs } from '../../src/router/timing.js';
import {
  advert,
  DOWN_100_MS,
  fault,
  HIGHER_PEER,
  LOWER_PEER,
  master,
  replay,
  routerConfig,
  setPriority,
  shutdown,
  SKEW_100_MS,
  started,
  startup,
  timer,
} from './support.js';

describe('RFC 5798 §6.1 parameters', () => {
  it('Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256', () => {
    assert.equal(skewTimeMs(100, 100), SKEW_100_MS);
    assert.equal(skewTimeMs(255, 100), 1000 / 256);
    assert.equal(skewTimeMs(1, 4095), (255 * 40950) / 256);
  });

  it('Master_Down_Interval = (3 * Master_Adver_Interval) + Skew_Time', () => {
    assert.equal(masterDownIntervalMs(100, 100), DOWN_100_MS);
    assert.equal(masterDownIntervalMs(200, 10), 300 + (56 * 100) / 256);
  });

  it('a Backup computes them from the Master_Adver_Interval it learnt, not its own interval', () => {
    const router = started();
    // The master advertises every 50 cs: 3 x 500 ms + 156 x 500 / 256 ms.
    const downMs = 1500 + (156 * 500) / 256;
    replay(router, [{ event: advert(100, LOWER_PEER, 150, 50), timerAt: 100 + downMs }]);
    assert.deepEqual(router.status(), {
      state: 'BACKUP',
      priority: 100,
      masterAddress: LOWER_PEER,
      masterAdvertIntervalCs: 50,
      skewTimeMs: (156 * 500) / 256,
      masterDownIntervalMs: downMs,
    });
  });
});

describe('RFC 5798 §6.4.1 Initialize', () => {
  it('If the Priority = 255: send an ADVERTISEMENT, set the Adver_Timer, transition to Master', () => {
    replay(new VirtualRouter(routerConfig({ priority: 255 })), [
      { event: startup(0), sends: [255], transitions: ['INIT->MASTER(owner)'], timerAt: 1000 },
    ]);
  });

  it('Priority 255 becomes Master at start-up even with Preempt_Mode False (§6.1 note)', () => {
    replay(new VirtualRouter(routerConfig({ priority: 255, preempt: false })), [
      { event: startup(0), sends: [255], transitions: ['INIT->MASTER(owner)'], timerAt: 1000 },
    ]);
  });

  it('else: Master_Adver_Interval = Advertisement_Interval, Master_Down_Timer = Master_Down_Interval, transition to Backup', () => {
    replay(new VirtualRouter(routerConfig()), [
      { event: startup(0), transitions: ['INIT->BACKUP(startup)'], timerAt: DOWN_100_MS },
    ]);
  });

  it('events before Startup are not acted on', () => {
    replay(new VirtualRouter(routerConfig()), [
      { event: advert(0, LOWER_PEER, 50) },
      { event: timer(5000) },
      { event: startup(6000), transitions: ['INIT->BACKUP(startup)'], timerAt: 6000 + DOWN_100_MS },
    ]);
  });
});

describe('RFC 5798 §6.4.2 Backup', () => {
  it('If the Master_Down_Timer fires: send an ADVERTISEMENT, set the Adver_Timer, transition to Master', () => {
    replay(new VirtualRouter(routerConfig()), [
      { event: startup(0), transitions: ['INIT->BACKUP(startup)'] },
      { event: timer(DOWN_100_MS - 1) }, // early: not yet
      {
        event: timer(DOWN_100_MS),
        sends: [100],
        transitions: ['BACKUP->MASTER(master-down)'],
        timerAt: DOWN_100_MS + 1000,
      },
    ]);
  });

  it('If the Priority in the ADVERTISEMENT is zero: set the Master_Down_Timer to Skew_Time', () => {
    replay(started(), [
      { event: advert(500, LOWER_PEER, 150), timerAt: 500 + DOWN_100_MS },
      {
        event: advert(1500, LOWER_PEER, 0),
        timerAt: 1500 + SKEW_100_MS,
        then: (router) => {
          assert.equal(router.status().masterAddress, null);
        },
      },
      {
        event: timer(1500 + SKEW_100_MS),
        sends: [100],
        transitions: ['BACKUP->MASTER(priority-zero)'],
      },
    ]);
  });

  it('If Preempt_Mode is False: accept any ADVERTISEMENT and reset the Master_Down_Timer', () => {
    replay(started({ preempt: false }), [
      {
        event: advert(500, LOWER_PEER, 50),
        timerAt: 500 + DOWN_100_MS,
        then: (router) => {
          assert.equal(router.status().masterAddress, LOWER_PEER);
        },
      },
      { event: advert(1500, LOWER_PEER, 50), timerAt: 1500 + DOWN_100_MS },
    ]);
  });

  it('If the Priority in the ADVERTISEMENT is greater than or equal to the local Priority: reset the Master_Down_Timer (an equal priority does not preempt, whatever the addresses)', () => {
    replay(started(), [
      { event: advert(500, LOWER_PEER, 100), timerAt: 500 + DOWN_100_MS },
      { event: advert(1500, LOWER_PEER, 101), timerAt: 1500 + DOWN_100_MS },
    ]);
  });

  it('Preempt_Mode True and a lower Priority: take over at once (keepalived; the RFC discards and waits for the Master_Down_Timer)', () => {
    replay(started(), [
      {
        event: advert(500, LOWER_PEER, 50),
        sends: [100],
        transitions: ['BACKUP->MASTER(preempt)'],
        timerAt: 1500,
      },
    ]);
  });

  it('preempt_delay (keepalived): after start-up a Backup follows a lower Master until the delay has passed', () => {
    replay(started({ preemptDelayMs: 5000 }), [
      { event: advert(1000, LOWER_PEER, 50), timerAt: 1000 + DOWN_100_MS },
      { event: advert(4999, LOWER_PEER, 50), timerAt: 4999 + DOWN_100_MS },
      {
        event: advert(5000, LOWER_PEER, 50),
        sends: [100],
        transitions: ['BACKUP->MASTER(preempt)'],
      },
    ]);
  });

  it('preempt_delay does not delay taking over from a Master that went silent', () => {
    replay(started({ preemptDelayMs: 60_000 }), [
      { event: advert(1000, LOWER_PEER, 50), timerAt: 1000 + DOWN_100_MS },
      {
        event: timer(1000 + DOWN_100_MS),
        sends: [100],
        transitions: ['BACKUP->MASTER(master-down)'],
      },
    ]);
  });

  it('If a Shutdown event is received: cancel the Master_Down_Timer, transition to Initialize', () => {
    replay(started(), [
      { event: shutdown(100), transitions: ['BACKUP->INIT(shutdown)'], timerAt: null },
      { event: timer(DOWN_100_MS) },
      { event: startup(5000), transitions: ['INIT->BACKUP(startup)'], timerAt: 5000 + DOWN_100_MS },
    ]);
  });
});

describe('RFC 5798 §6.4.3 Master', () => {
  it('If the Adver_Timer fires: send an ADVERTISEMENT, reset the Adver_Timer', () => {
    replay(new VirtualRouter(routerConfig({ priority: 255 })), [
      { event: startup(0), sends: [255], transitions: ['INIT->MASTER(owner)'] },
      { event: timer(999) },
      { event: timer(1000), sends: [255], timerAt: 2000 },
      { event: timer(2000), sends: [255], timerAt: 3000 },
    ]);
  });

  it('If a Shutdown event is received: cancel the Adver_Timer, send an ADVERTISEMENT with Priority = 0, transition to Initialize', () => {
    replay(master(), [
      { event: shutdown(5000), sends: [0], transitions: ['MASTER->INIT(shutdown)'], timerAt: null },
    ]);
  });

  it('If the Priority in the ADVERTISEMENT is zero: send an ADVERTISEMENT, reset the Adver_Timer', () => {
    replay(master(), [{ event: advert(4000, HIGHER_PEER, 0), sends: [100], timerAt: 5000 }]);
  });

  it('If the Priority in the ADVERTISEMENT is greater than the local Priority: transition to Backup, with the sender as Master and its interval', () => {
    replay(master(), [
      {
        event: advert(4000, LOWER_PEER, 101, 200),
        transitions: ['MASTER->BACKUP(higher-priority)'],
        timerAt: 4000 + masterDownIntervalMs(100, 200),
        then: (router) => {
          assert.equal(router.status().masterAddress, LOWER_PEER);
          assert.equal(router.status().masterAdvertIntervalCs, 200);
        },
      },
    ]);
  });

  it('equal Priority and the sender’s primary IP address greater than the local one: transition to Backup (compared as addresses: 10.0.0.10 > 10.0.0.9)', () => {
    replay(master({ primaryAddress: '10.0.0.9' }), [
      { event: advert(4000, '10.0.0.10', 100), transitions: ['MASTER->BACKUP(higher-priority)'] },
    ]);
  });

  it('equal Priority and a greater IPv6 address: transition to Backup (fe80::10 > FE80::9)', () => {
    replay(master({ family: 6, primaryAddress: 'FE80::9' }), [
      { event: advert(4000, 'fe80::10', 100), transitions: ['MASTER->BACKUP(higher-priority)'] },
    ]);
  });

  it('equal Priority and a lower address: stay Master, and answer at once', () => {
    replay(master({ family: 6, primaryAddress: 'fe80::10' }), [
      { event: advert(4000, 'fe80::9', 100), sends: [100], timerAt: 5000 },
    ]);
  });

  it('a lower Priority: stay Master and send an ADVERTISEMENT at once, so the other stops claiming (keepalived)', () => {
    replay(master(), [{ event: advert(4000, HIGHER_PEER, 99), sends: [100], timerAt: 5000 }]);
  });

  it('an ADVERTISEMENT from our own primary address (a loop, or a conflict) changes nothing', () => {
    replay(master({ family: 6, primaryAddress: 'fd00::a' }), [
      { event: advert(4000, 'FD00:0::A', 200) },
    ]);
  });
});

describe('priority changes (trackers, operator takeover, maintenance)', () => {
  it('a Backup whose priority rises above its Master’s preempts', () => {
    replay(started(), [
      { event: advert(500, LOWER_PEER, 150) },
      { event: setPriority(600, 150) }, // equal: no
      { event: setPriority(700, 151), sends: [151], transitions: ['BACKUP->MASTER(preempt)'] },
    ]);
  });

  it('with Preempt_Mode False a rise does not preempt, but an operator takeover (254, forcePreempt) does', () => {
    replay(started({ preempt: false }), [
      { event: advert(500, LOWER_PEER, 150) },
      { event: setPriority(600, 200) },
      {
        event: setPriority(700, 254, true),
        sends: [254],
        transitions: ['BACKUP->MASTER(preempt)'],
      },
      // Held: the old master's next advert (lower) is answered, not followed.
      { event: advert(1500, LOWER_PEER, 150), sends: [254] },
    ]);
  });

  it('forcePreempt also overrides preempt_delay', () => {
    replay(started({ preemptDelayMs: 60_000 }), [
      { event: advert(500, LOWER_PEER, 150) },
      {
        event: setPriority(600, 254, true),
        sends: [254],
        transitions: ['BACKUP->MASTER(preempt)'],
      },
    ]);
  });

  it('maintenance (priority 0): a Master sends priority 0 and steps down to Backup', () => {
    replay(master(), [
      {
        event: setPriority(4000, 0),
        sends: [0],
        transitions: ['MASTER->BACKUP(resigned)'],
        then: (router) => {
          assert.equal(router.status().priority, 0);
        },
      },
    ]);
  });

  it('a Backup at priority 0 follows Masters but never becomes one', () => {
    replay(started(), [
      { event: setPriority(100, 0) },
      { event: advert(500, LOWER_PEER, 50), timerAt: 500 + masterDownIntervalMs(0, 100) },
      { event: advert(600, LOWER_PEER, 0) },
      {
        event: timer(600 + skewTimeMs(0, 100)),
        timerAt: null,
        then: (router) => {
          assert.equal(router.status().masterAddress, null);
        },
      },
      // Back from maintenance with no master heard: listen a Master_Down_Interval first.
      { event: setPriority(5000, 100), timerAt: 5000 + DOWN_100_MS },
      {
        event: timer(5000 + DOWN_100_MS),
        sends: [100],
        transitions: ['BACKUP->MASTER(master-down)'],
      },
    ]);
  });

  it('a Master whose priority changes advertises it at once', () => {
    replay(master(), [
      { event: setPriority(4000, 80), sends: [80], timerAt: 5000 },
      { event: setPriority(4100, 80) },
    ]);
  });

  it('priority 255 makes a Backup the owner: Master at once', () => {
    replay(started({ preempt: false }), [
      { event: advert(500, LOWER_PEER, 200) },
      { event: setPriority(600, 255), sends: [255], transitions: ['BACKUP->MASTER(owner)'] },
    ]);
  });
});

describe('fault (keepalived FAULT state)', () => {
  it('a Master in fault sends priority 0 once, then nothing', () => {
    replay(master(), [
      {
        event: fault(4000, true),
        sends: [0],
        transitions: ['MASTER->FAULT(fault)'],
        timerAt: null,
      },
      { event: timer(5000) },
      { event: advert(5100, LOWER_PEER, 50) },
      { event: setPriority(5200, 120) },
    ]);
  });

  it('fault cleared: Backup, listening a Master_Down_Interval (preempt_delay starts again)', () => {
    replay(started({ preemptDelayMs: 2000 }), [
      { event: fault(100, true), transitions: ['BACKUP->FAULT(fault)'], timerAt: null },
      {
        event: fault(200, false),
        transitions: ['FAULT->BACKUP(fault-cleared)'],
        timerAt: 200 + DOWN_100_MS,
      },
      { event: advert(300, LOWER_PEER, 50) }, // within the delay: followed
      {
        event: advert(2200, LOWER_PEER, 50),
        sends: [100],
        transitions: ['BACKUP->MASTER(preempt)'],
      },
    ]);
  });

  it('fault cleared on the owner: Master at once', () => {
    replay(new VirtualRouter(routerConfig({ priority: 255 })), [
      { event: fault(0, true) },
      { event: startup(0), transitions: ['INIT->FAULT(fault)'] },
      { event: fault(100, false), sends: [255], transitions: ['FAULT->MASTER(fault-cleared)'] },
    ]);
  });

  it('Shutdown from FAULT goes to Initialize, and a restart while still faulted is FAULT again', () => {
    replay(started(), [
      { event: fault(100, true), transitions: ['BACKUP->FAULT(fault)'] },
      { event: shutdown(200), transitions: ['FAULT->INIT(shutdown)'] },
      { event: startup(300), transitions: ['INIT->FAULT(fault)'] },
    ]);
  });
});
