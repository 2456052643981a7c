// `npm run bench:vrrp`: how many events per second the VRRP state machine handles.
// - "simulated link": N VirtualRouters on the VrrpLinkSimulator end to end (adverts, timers,
//   the simulator's queue and links included), the master crashing every 10 s of virtual time
//   and coming back 5 s later.
// - "replay": the events one router received in that run, replayed into fresh VirtualRouters
//   with every advert a freshly built object, as the daemon gets them from the decoder.
//   This is VirtualRouter.handle alone.
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { VirtualRouter } from '../src/router/virtual-router.js';
import type { VirtualRouterConfig, VirtualRouterEvent } from '../src/router/types.js';
import { VrrpLinkSimulator } from '../src/simulator/link-simulator.js';

const { values } = parseArgs({ options: { 'budget-ms': { type: 'string', default: '1500' } } });
/** Wall-clock time each measurement runs for: enough to leave JIT warm-up behind. */
const BUDGET_MS = Math.max(100, Number(values['budget-ms']));
const CHUNK_MS = 10_000;

function configs(routers: number): VirtualRouterConfig[] {
  return Array.from({ length: routers }, (_, i) => ({
    vrid: 51,
    priority: 100 + i * 10,
    advertIntervalCs: 10,
    preempt: true,
    preemptDelayMs: 0,
    family: 4,
    primaryAddress: `192.0.2.${i + 1}`,
  }));
}

function simulate(
  routers: number,
  record?: VirtualRouterEvent[],
): { events: number; seconds: number } {
  const all = configs(routers);
  const watched = all[0]?.primaryAddress;
  const sim = new VrrpLinkSimulator({
    seed: 42,
    routers: all,
    link: { minDelayMs: 0.2, maxDelayMs: 2 },
    ...(record === undefined
      ? {}
      : {
          onHandle: (id: string, event: VirtualRouterEvent) => id === watched && record.push(event),
        }),
  });
  const started = performance.now();
  while (performance.now() - started < BUDGET_MS) {
    const fromMs = sim.nowMs;
    const master = sim.masters()[0];
    if (master !== undefined) {
      sim.at(fromMs + 1, () => {
        sim.crash(master);
      });
      sim.at(fromMs + CHUNK_MS / 2, () => {
        sim.restart(master);
      });
    }
    sim.runUntil(fromMs + CHUNK_MS);
    // Keep memory flat on long runs: the logs are for tests, not for the benchmark.
    sim.transitions.length = 0;
    sim.adverts.length = 0;
    sim.lifecycle.length = 0;
  }
  return { events: sim.eventsHandled, seconds: (performance.now() - started) / 1000 };
}

function replay(
  config: VirtualRouterConfig,
  events: readonly VirtualRouterEvent[],
): { events: number; seconds: number } {
  let handled = 0;
  const started = performance.now();
  while (performance.now() - started < BUDGET_MS) {
    const router = new VirtualRouter(config);
    for (const event of events) {
      router.handle(event.type === 'advert' ? { ...event } : event);
      handled++;
    }
  }
  return { events: handled, seconds: (performance.now() - started) / 1000 };
}

const rows: string[][] = [];
for (const routers of [2, 5, 10]) {
  const recorded: VirtualRouterEvent[] = [];
  const sim = simulate(routers, routers === 2 ? undefined : recorded);
  rows.push([
    `simulated link, ${routers} routers`,
    String(sim.events),
    (sim.events / sim.seconds).toFixed(0),
  ]);
  const config = configs(routers)[0];
  if (config !== undefined && recorded.length > 0) {
    const r = replay(config, recorded.slice(0, 200_000));
    rows.push([
      `replay, 1 router of ${routers}`,
      String(r.events),
      (r.events / r.seconds).toFixed(0),
    ]);
  }
}
console.log('| measure | events | events/s |');
console.log('| --- | ---: | ---: |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
