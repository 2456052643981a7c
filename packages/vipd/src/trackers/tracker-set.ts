// Every tracker of the node, and what each one currently means for each group. Reports go to
// the driver as election `tracker` events; a reload keeps unchanged trackers (and their
// readings) running and withdraws the effect of trackers a group no longer lists.

import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';
import type { GroupSpec, TrackerSpec } from '../config/types.js';
import type { Check } from './check.js';
import { fileCheck } from './file-check.js';
import { httpCheck } from './http-check.js';
import { interfaceCheck } from './interface-check.js';
import { scriptCheck } from './script-check.js';
import { tcpCheck } from './tcp-check.js';
import { birdCheck } from './bird-check.js';
import { trackEffect, type TrackEffect } from './effect.js';
import { Tracker, type TrackerReading } from './tracker.js';

/**
 * What one tracker's reading currently does to one group (the tracker's result, named by
 * tracker and group). The driver turns it into an election `tracker` event; the election
 * keeps only the weight and the fault, per tracker, as its own input.
 */
export interface TrackerEffectOnGroup extends TrackEffect {
  readonly trackerId: string;
  readonly group: string;
}

export interface TrackerState {
  readonly name: string;
  readonly type: string;
  readonly reading: TrackerReading;
}

/**
 * How often a group's own interface is checked (track_interface) when nothing says it
 * changed. The daemon re-checks at once on every link notification (linkChanged), and on
 * all of them when the kernel reports notifications lost, so this is only a net for a bug
 * on either side, and a faster poll is a large share of an idle node's wakeups
 * (docs/benchmarks.md, "Idle wakeups").
 */
export const INTERFACE_TRACK_INTERVAL_MS = 5000;

/** Builds the probe of a tracker; its timeouts run on the clock it is given. */
export type CheckFactory = (spec: TrackerSpec, clock: Clock) => Check;

export function createCheck(spec: TrackerSpec, clock: Clock = systemClock): Check {
  switch (spec.type) {
    case 'interface':
      return interfaceCheck(spec.interface);
    case 'http':
      return httpCheck(spec, clock);
    case 'tcp':
      return tcpCheck(spec.endpoint, spec.timeoutMs, clock);
    case 'bird':
      return birdCheck(spec, clock);
    case 'script':
      return scriptCheck(spec.path, spec.args, spec.timeoutMs, clock);
    case 'file':
      return fileCheck(spec.path);
  }
}

export interface TrackerSetOptions {
  /** How each tracker's probe is built (tests pass scripted probes). */
  readonly createCheck?: CheckFactory;
  /** Times the intervals, the probes' timeouts and firstReadings' wait. */
  readonly clock?: Clock;
}

/** The implicit tracker of a group's own interface. */
export function interfaceTrackerName(iface: string): string {
  return `interface:${iface}`;
}

interface Link {
  readonly group: string;
  readonly tracker: string;
  readonly weight: number;
}

export class TrackerSet {
  readonly #report: (report: TrackerEffectOnGroup) => void;
  readonly #createCheck: CheckFactory;
  readonly #clock: Clock;
  readonly #trackers = new Map<string, { spec: TrackerSpec; tracker: Tracker }>();
  #links: Link[] = [];
  /** (group, tracker) pairs whose last report was not neutral, to withdraw on reload. */
  readonly #reported = new Map<string, TrackerEffectOnGroup>();

  constructor(report: (report: TrackerEffectOnGroup) => void, options: TrackerSetOptions = {}) {
    this.#report = report;
    this.#createCheck = options.createCheck ?? createCheck;
    this.#clock = options.clock ?? systemClock;
  }

  /** Start, keep, restart or stop trackers to match the config; re-report every effect. */
  apply(trackers: readonly TrackerSpec[], groups: readonly GroupSpec[]): void {
    const wanted = new Map<string, TrackerSpec>(trackers.map((t) => [t.name, t]));
    for (const group of groups) {
      if (!group.trackInterface) continue;
      const name = interfaceTrackerName(group.interface);
      wanted.set(name, {
        name,
        type: 'interface',
        interface: group.interface,
        intervalMs: INTERFACE_TRACK_INTERVAL_MS,
        rise: 1,
        fall: 1,
      });
    }
    for (const [name, entry] of this.#trackers) {
      const spec = wanted.get(name);
      if (spec === undefined || JSON.stringify(spec) !== JSON.stringify(entry.spec)) {
        this.#trackers.delete(name);
        void entry.tracker.stop();
      }
    }
    this.#links = groups.flatMap((group) => [
      ...group.track.map((ref) => ({
        group: group.name,
        tracker: ref.tracker,
        weight: ref.weight,
      })),
      ...(group.trackInterface
        ? [{ group: group.name, tracker: interfaceTrackerName(group.interface), weight: 0 }]
        : []),
    ]);
    for (const [name, spec] of wanted) {
      if (this.#trackers.has(name)) continue;
      const tracker = new Tracker(
        spec,
        this.#createCheck(spec, this.#clock),
        () => {
          this.#reportTracker(name);
        },
        this.#clock,
      );
      this.#trackers.set(name, { spec, tracker });
      tracker.start();
    }
    // Withdraw effects of links that no longer exist, then re-report the current ones.
    for (const [key, report] of this.#reported) {
      if (!this.#links.some((l) => l.group === report.group && l.tracker === report.trackerId)) {
        this.#reported.delete(key);
        this.#report({ ...report, weightDelta: 0, fault: false });
      }
    }
    for (const name of this.#trackers.keys()) this.#reportTracker(name);
  }

  #reportTracker(name: string): void {
    const entry = this.#trackers.get(name);
    if (entry === undefined) return;
    const reading = entry.tracker.reading();
    // Until its first result a (re)started tracker keeps whatever effect was last reported.
    if (reading.up === null) return;
    for (const link of this.#links) {
      if (link.tracker !== name) continue;
      const effect = trackEffect(reading, link.weight, entry.spec.type === 'file');
      const report = { trackerId: name, group: link.group, ...effect };
      const key = `${link.group}\u0000${name}`;
      const previous = this.#reported.get(key);
      if (previous?.weightDelta === report.weightDelta && previous.fault === report.fault) continue;
      if (previous === undefined && report.weightDelta === 0 && !report.fault) continue;
      this.#reported.set(key, report);
      this.#report(report);
    }
  }

  /**
   * The kernel reported a change to a link (`null`: notifications were lost, any link may
   * have changed): re-check the interface trackers concerned now, not at their next poll.
   */
  linkChanged(interfaceName: string | null): void {
    for (const { spec, tracker } of this.#trackers.values()) {
      if (spec.type !== 'interface') continue;
      if (interfaceName === null || spec.interface === interfaceName) tracker.checkNow();
    }
  }

  /** Resolves when every tracker has a first result, or after timeoutMs. */
  async firstReadings(timeoutMs: number): Promise<void> {
    let timer: TimerHandle | undefined;
    await Promise.race([
      Promise.all([...this.#trackers.values()].map((t) => t.tracker.firstReading())),
      new Promise<void>((resolve) => {
        timer = this.#clock.setTimeout(resolve, timeoutMs);
      }),
    ]);
    if (timer !== undefined) this.#clock.clearTimeout(timer);
  }

  states(): TrackerState[] {
    return [...this.#trackers.values()].map(({ tracker }) => ({
      name: tracker.name,
      type: tracker.type,
      reading: tracker.reading(),
    }));
  }

  /** The trackers a group lists (its own interface included) with their weights and state. */
  linksOf(group: string): { tracker: string; weight: number; up: boolean | null }[] {
    return this.#links
      .filter((l) => l.group === group)
      .map((l) => ({
        tracker: l.tracker,
        weight: l.weight,
        up: this.#trackers.get(l.tracker)?.tracker.reading().up ?? null,
      }));
  }

  async stop(): Promise<void> {
    const all = [...this.#trackers.values()];
    this.#trackers.clear();
    await Promise.all(all.map((t) => t.tracker.stop()));
  }
}
