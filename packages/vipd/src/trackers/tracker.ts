// Runs one check on an interval with rise/fall hysteresis and reports state changes. Checks
// never overlap: the next one is scheduled when the previous one finished.

import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';
import type { Check, CheckResult } from './check.js';

export interface TrackerReading {
  /** null until the first check finished. */
  readonly up: boolean | null;
  /** File trackers: the number read; 0 otherwise. */
  readonly value: number;
  readonly detail: string | null;
}

export interface TrackerOptions {
  readonly name: string;
  readonly type: string;
  readonly intervalMs: number;
  /** Consecutive successes before a down tracker is up again. */
  readonly rise: number;
  /** Consecutive failures before an up tracker is down. */
  readonly fall: number;
}

export class Tracker {
  readonly name: string;
  readonly type: string;
  readonly #check: Check;
  readonly #options: TrackerOptions;
  readonly #onChange: (reading: TrackerReading) => void;
  readonly #clock: Clock;
  #reading: TrackerReading = { up: null, value: 0, detail: null };
  #successes = 0;
  #failures = 0;
  /** The next interval's check, while one is due. */
  #timer: TimerHandle | null = null;
  #abort = new AbortController();
  #running: Promise<void> | undefined;
  /** A check is in progress. */
  #checking = false;
  /** checkNow() came during a check: run another as soon as it finishes. */
  #checkAgain = false;
  #stopped = false;
  #firstReading: Promise<void>;
  #resolveFirst!: () => void;

  constructor(
    options: TrackerOptions,
    check: Check,
    onChange: (reading: TrackerReading) => void,
    clock: Clock = systemClock,
  ) {
    this.name = options.name;
    this.type = options.type;
    this.#options = options;
    this.#check = check;
    this.#onChange = onChange;
    this.#clock = clock;
    this.#firstReading = new Promise((resolve) => {
      this.#resolveFirst = resolve;
    });
  }

  reading(): TrackerReading {
    return this.#reading;
  }

  /** Resolves after the first check finished (or the tracker stopped). */
  firstReading(): Promise<void> {
    return this.#firstReading;
  }

  /** First check at once, then every intervalMs after the previous one finished. */
  start(): void {
    this.#runOnce();
  }

  /**
   * Check at once instead of at the next interval: something said the tracked thing changed
   * (a link notification for an interface tracker). The interval restarts from this check.
   */
  checkNow(): void {
    if (this.#stopped) return;
    if (this.#checking) {
      this.#checkAgain = true;
      return;
    }
    this.#cancelTimer();
    this.#runOnce();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer();
    this.#abort.abort();
    this.#resolveFirst();
    await this.#running;
  }

  #runOnce(): void {
    if (this.#stopped) return;
    this.#checking = true;
    this.#running = this.#check(this.#abort.signal).then((result) => {
      this.#checking = false;
      if (this.#stopped) return;
      this.#record(result);
      this.#resolveFirst();
      if (this.#checkAgain) {
        this.#checkAgain = false;
        this.#runOnce();
        return;
      }
      this.#timer = this.#clock.setTimeout(() => {
        this.#timer = null;
        this.#runOnce();
      }, this.#options.intervalMs);
    });
  }

  #cancelTimer(): void {
    if (this.#timer === null) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
  }

  #record(result: CheckResult): void {
    const before = this.#reading;
    if (result.ok) {
      this.#successes += 1;
      this.#failures = 0;
    } else {
      this.#failures += 1;
      this.#successes = 0;
    }
    // The first result counts at once; later flips need `rise` / `fall` in a row.
    let up = before.up;
    if (up === null) up = result.ok;
    else if (!up && this.#successes >= this.#options.rise) up = true;
    else if (up && this.#failures >= this.#options.fall) up = false;
    const value = result.value ?? before.value;
    this.#reading = { up, value, detail: result.detail };
    if (up !== before.up || value !== before.value) this.#onChange(this.#reading);
  }
}
