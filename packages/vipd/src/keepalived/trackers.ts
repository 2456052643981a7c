// keepalived's tracking (track_interface, track_script + vrrp_script, track_file) as vipd
// trackers. The weight rules are the same in both: 0 means FAULT while down, a negative
// weight is added while down, a positive one while up (and a file's value times the weight).
// keepalived's `reverse` flips that; vipd has no such flag, so a reversed weight is noted.

import { isDeepStrictEqual } from 'node:util';
import type { Directive } from './directive.js';
import { convertCommandLine, type CommandResolver } from './command-line.js';
import type { ConversionNotes } from './notes.js';
import { toVipdName, type TrackRefOut, type TrackerOut } from './output.js';
import { integerArg, secondsArg } from './values.js';

const TRACK_WEIGHT_LIMIT = 254;
const SCRIPT_WEIGHT_LIMIT = 253;
const TRACKER_INTERVAL = { minMs: 10, maxMs: 3_600_000, stepMs: 1 } as const;
const TRACKER_TIMEOUT = { minMs: 1, maxMs: 600_000, stepMs: 1 } as const;

type ScriptTracker = Extract<TrackerOut, { type: 'script' }>;

/** The weight of a tracking line (`NAME [weight N [reverse|noreverse]]`); null: not convertible. */
function entryWeight(
  entry: Directive,
  notes: ConversionNotes,
  limit: number,
): number | undefined | null {
  const [keyword, value, flag, ...rest] = entry.args;
  if (keyword === undefined) return undefined;
  if (keyword !== 'weight' || rest.length > 0) {
    notes.notConverted(
      entry,
      `expects "${entry.keyword} [weight N]", got "${entry.args.join(' ')}"`,
    );
    return null;
  }
  if (flag === 'reverse') {
    notes.notConverted(
      entry,
      'vipd has no reversed weights: the tracker counts the other way round',
    );
    return null;
  }
  if (flag !== undefined && flag !== 'noreverse' && flag !== 'no_reverse') {
    notes.notConverted(entry, `unknown weight flag "${flag}"`);
    return null;
  }
  return integerArg({ ...entry, args: [value ?? ''] }, notes, -limit, limit) ?? null;
}

function trackRef(tracker: string, weight: number | undefined): TrackRefOut {
  return weight === undefined || weight === 0 ? { tracker } : { tracker, weight };
}

export class TrackerRegistry {
  readonly #trackers = new Map<string, TrackerOut>();
  readonly #definitions = new Map<string, Directive>();
  /** Definition name → the vipd tracker made from it and its default weight (null: failed). */
  readonly #converted = new Map<string, { tracker: string; weight: number } | null>();
  readonly #notes: ConversionNotes;
  readonly #resolveCommand: CommandResolver;

  constructor(notes: ConversionNotes, resolveCommand: CommandResolver) {
    this.#notes = notes;
    this.#resolveCommand = resolveCommand;
  }

  /** A top-level vrrp_script or track_file block, converted when an instance uses it. */
  define(definition: Directive): void {
    const name = definition.args[0];
    if (name === undefined || definition.block === undefined) {
      this.#notes.notConverted(definition, 'expects a name and a { } block');
      return;
    }
    this.#definitions.set(`${definition.keyword}:${name}`, definition);
  }

  /** A line of track_interface: the instance's own interface is tracked by the group itself. */
  interfaceRef(entry: Directive): TrackRefOut | null {
    const weight = entryWeight(entry, this.#notes, TRACK_WEIGHT_LIMIT);
    if (weight === null) return null;
    const name = this.#claim({
      name: `link-${entry.keyword}`,
      type: 'interface',
      interface: entry.keyword,
    });
    return trackRef(name, weight);
  }

  /** A line of track_script (`chk_haproxy [weight N]`). */
  scriptRef(entry: Directive): TrackRefOut | null {
    return this.#definedRef(entry, 'vrrp_script', SCRIPT_WEIGHT_LIMIT);
  }

  /** A line of track_file. */
  fileRef(entry: Directive): TrackRefOut | null {
    return this.#definedRef(entry, 'track_file', TRACK_WEIGHT_LIMIT);
  }

  list(): TrackerOut[] {
    return [...this.#trackers.values()];
  }

  /** Definitions no instance uses: keepalived runs them for nothing, vipd does not. */
  noteUnused(): void {
    for (const [key, definition] of this.#definitions)
      if (!this.#converted.has(key))
        this.#notes.notConverted(definition, 'no converted vrrp_instance tracks it');
  }

  #definedRef(
    entry: Directive,
    kind: 'vrrp_script' | 'track_file',
    limit: number,
  ): TrackRefOut | null {
    const override = entryWeight(entry, this.#notes, limit);
    if (override === null) return null;
    const key = `${kind}:${entry.keyword}`;
    const alias = kind === 'track_file' ? `vrrp_track_file:${entry.keyword}` : key;
    const definition = this.#definitions.get(key) ?? this.#definitions.get(alias);
    if (definition === undefined) {
      this.#notes.notConverted(entry, `no ${kind} named "${entry.keyword}" is defined`);
      return null;
    }
    const definitionKey = `${definition.keyword}:${entry.keyword}`;
    if (!this.#converted.has(definitionKey))
      this.#converted.set(
        definitionKey,
        kind === 'vrrp_script' ? this.#convertScript(definition) : this.#convertFile(definition),
      );
    const converted = this.#converted.get(definitionKey);
    if (converted === null || converted === undefined) return null;
    return trackRef(converted.tracker, override ?? converted.weight);
  }

  #convertScript(definition: Directive): { tracker: string; weight: number } | null {
    const tracker: ScriptTracker = {
      name: toVipdName(definition.args[0] ?? ''),
      type: 'script',
      path: '',
    };
    let weight = 0;
    let weightOk = true;
    for (const field of definition.block ?? []) {
      switch (field.keyword) {
        case 'script': {
          const command = convertCommandLine(
            field.args.join(' '),
            field,
            this.#notes,
            this.#resolveCommand,
          );
          if (command === null) return null;
          tracker.path = command.path;
          if (command.args.length > 0) tracker.args = command.args;
          break;
        }
        case 'interval':
          tracker.interval = secondsArg(field, this.#notes, TRACKER_INTERVAL) ?? tracker.interval;
          break;
        case 'timeout':
          tracker.timeout = secondsArg(field, this.#notes, TRACKER_TIMEOUT) ?? tracker.timeout;
          break;
        case 'rise':
        case 'fall':
          tracker[field.keyword] = integerArg(field, this.#notes, 1, 100) ?? tracker[field.keyword];
          break;
        case 'weight': {
          const value = entryWeight(
            { ...field, args: ['weight', ...field.args] },
            this.#notes,
            SCRIPT_WEIGHT_LIMIT,
          );
          weightOk = value !== null;
          weight = value ?? 0;
          break;
        }
        case 'user':
          this.#notes.notConverted(
            field,
            'vipd runs trackers as its own user (root under the systemd unit); drop privileges inside the script, e.g. with setpriv',
          );
          break;
        case 'init_fail':
          this.#notes.notConverted(
            field,
            'vipd has no initial state for a tracker: it counts from the first result',
          );
          break;
        default:
          this.#notes.notConverted(field, 'vipd script trackers have no such setting');
      }
    }
    if (tracker.path === '') {
      this.#notes.notConverted(definition, 'it has no script line');
      return null;
    }
    if (!weightOk) return null;
    // keepalived's timeout defaults to the interval, vipd's to 1s: keep keepalived's.
    if (tracker.timeout === undefined && tracker.interval !== undefined)
      tracker.timeout = tracker.interval;
    return { tracker: this.#claim(tracker), weight };
  }

  #convertFile(definition: Directive): { tracker: string; weight: number } | null {
    let path: string | undefined;
    let weight = 1;
    for (const field of definition.block ?? []) {
      if (field.keyword === 'file' && field.args[0] !== undefined) {
        path = field.args[0];
      } else if (field.keyword === 'weight') {
        const value = entryWeight(
          { ...field, args: ['weight', ...field.args] },
          this.#notes,
          TRACK_WEIGHT_LIMIT,
        );
        if (value === null) return null;
        weight = value ?? 1;
      } else {
        this.#notes.notConverted(field, 'vipd file trackers have no such setting');
      }
    }
    if (path === undefined) {
      this.#notes.notConverted(definition, 'it has no file line');
      return null;
    }
    const name = this.#claim({ name: toVipdName(definition.args[0] ?? ''), type: 'file', path });
    return { tracker: name, weight };
  }

  /** Adds the tracker under its name, or a suffixed one if that name holds another tracker. */
  #claim(tracker: TrackerOut): string {
    for (let n = 1; ; n++) {
      const name = n === 1 ? toVipdName(tracker.name) : `${toVipdName(tracker.name)}-${n}`;
      const existing = this.#trackers.get(name);
      const candidate = { ...tracker, name };
      if (existing === undefined) {
        this.#trackers.set(name, candidate);
        return name;
      }
      if (isDeepStrictEqual(existing, candidate)) return name;
    }
  }
}
