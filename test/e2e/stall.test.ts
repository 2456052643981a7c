// A paused master (a VM frozen, SIGSTOP) wakes up next to the master that replaced it. Its
// kernel kept the VIP and answered ARP all along (nothing in user space can help that);
// what vipd owns is the time after the wake: how long the waking node keeps the address
// before it steps down. Measured exactly from n1's own address events (`ip -ts monitor`),
// not from ARP probes, whose 20 ms rounds would be coarser than the figure itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Lab, LabHost } from '../src/lab.js';
import type { LabProcess } from '../src/lab-process.js';
import { bringUp } from '../src/trials.js';
import { e2eSkipReason, runScenario, sleep, vip4Address, wallClockMs } from './support.js';

const skip = e2eSkipReason();
const INTERVAL_MS = 100;
const DOWN_MULTIPLIER = 3;
const DOWN_AFTER_MS = INTERVAL_MS * DOWN_MULTIPLIER;
/** 10 × the down interval, as in issue 17. */
const PAUSE_MS = 10 * DOWN_AFTER_MS;
const TRIALS = 3;
/**
 * The property asserted: the woken master lets go within one heartbeat interval of waking,
 * before it could have acted on its stale view for a whole down interval. The target
 * (≤ 20 ms) is printed, not asserted: on 2 shared cores a scheduling hiccup can exceed it.
 */
const LET_GO_BOUND_MS = INTERVAL_MS;

/** `ip -ts monitor address` in a node's namespace: when the VIP was deleted, in epoch ms. */
class AddressEvents {
  private constructor(private readonly monitor: LabProcess) {}

  static async start(lab: Lab, node: LabHost): Promise<AddressEvents> {
    const monitor = lab.spawn(node, ['ip', '-ts', 'monitor', 'address'], {
      name: `addr-monitor-${node.name}-${String(Date.now())}`,
    });
    // No ready line from ip monitor: give it a moment to subscribe.
    await sleep(200);
    return new AddressEvents(monitor);
  }

  /** Epoch ms of the first deletion of `address` at or after `sinceMs`. */
  deletedAfter(address: string, sinceMs: number): number | undefined {
    const deleted = new RegExp(
      `^\\[([^\\]]+)\\] Deleted .* inet ${address.replace(/\./g, '\\.')}/`,
    );
    for (const line of this.monitor.output('stdout')) {
      const match = deleted.exec(line);
      if (match?.[1] === undefined) continue;
      const atMs = localTimestampMs(match[1]);
      if (atMs >= sinceMs) return atMs;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    await this.monitor.stop(1_000);
  }
}

/** ip's `-ts` stamp: local time with microseconds, "2026-12-07T15:13:25.258525". */
function localTimestampMs(stamp: string): number {
  const [whole, fraction = '0'] = stamp.split('.');
  // A date-time without an offset is local time to Date.parse, as ip printed it.
  return Date.parse(whole ?? '') + Number(`0.${fraction}`) * 1000;
}

async function waitFor<T>(read: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined || Date.now() > deadline) return value;
    await sleep(20);
  }
}

async function pauseTrials(quorum: boolean): Promise<number[]> {
  const heldAfterWakeMs: number[] = [];
  await runScenario(
    {
      nodes: 3,
      cluster: (lab) => ({
        intervalMs: INTERVAL_MS,
        downMultiplier: DOWN_MULTIPLIER,
        quorum,
        groups: [
          {
            name: 'web',
            addresses: [vip4Address(lab)],
            priorities: { n1: 150, n2: 100, n3: 50 },
          },
        ],
      }),
    },
    async (s) => {
      for (let trial = 0; trial < TRIALS; trial += 1) {
        await bringUp(s.ctx, s.n1, [s.n2, s.n3]);
        const events = await AddressEvents.start(s.lab, s.n1);
        const daemon = s.cluster.process(s.n1);
        assert.ok(daemon !== undefined && daemon.signal('SIGSTOP'), 'n1 paused');
        const pausedAtMs = wallClockMs();
        let wokeAtMs = 0;
        try {
          await s.cluster.waitForState(s.n2, 'web', 'master', PAUSE_MS);
          await sleep(Math.max(0, pausedAtMs + PAUSE_MS - wallClockMs()));
        } finally {
          wokeAtMs = wallClockMs();
          daemon.signal('SIGCONT');
        }
        const deletedAtMs = await waitFor(() => events.deletedAfter(s.vip, wokeAtMs), 5_000);
        await events.stop();
        assert.ok(deletedAtMs !== undefined, 'the woken master removed the VIP');
        heldAfterWakeMs.push(deletedAtMs - wokeAtMs);
      }
    },
  );
  return heldAfterWakeMs;
}

function report(label: string, heldMs: readonly number[]): void {
  const figures = heldMs.map((ms) => ms.toFixed(1)).join(', ');
  console.log(
    `# paused master (${label}): VIP held ${figures} ms after waking (worst ${Math.max(...heldMs).toFixed(1)} ms)`,
  );
}

describe('a paused master wakes next to its replacement', { skip }, () => {
  for (const quorum of [true, false]) {
    const label = `3 nodes, ${String(INTERVAL_MS)} ms, quorum ${quorum ? 'on' : 'off'}, SIGSTOP ${String(PAUSE_MS)} ms`;
    it(`${label}: lets the VIP go within one interval of waking`, async () => {
      const heldMs = await pauseTrials(quorum);
      report(label, heldMs);
      for (const ms of heldMs) assert.ok(ms <= LET_GO_BOUND_MS, `held ${ms.toFixed(1)} ms`);
    });
  }
});
