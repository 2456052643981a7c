// keepalived's argument types, read with a note for every value that does not fit, so a bad
// value is reported at its line instead of turning silently into a default.

import { formatDuration } from '../config/duration.js';
import type { Directive } from './directive.js';
import type { ConversionNotes } from './notes.js';

export function integerArg(
  directive: Directive,
  notes: ConversionNotes,
  min: number,
  max: number,
): number | undefined {
  const text = directive.args[0];
  const value = text !== undefined && /^[+-]?[0-9]+$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  notes.notConverted(
    directive,
    `expects an integer from ${min} to ${max}, got ${text === undefined ? 'nothing' : `"${text}"`}`,
  );
  return undefined;
}

export interface SecondsRange {
  readonly minMs: number;
  readonly maxMs: number;
  /** vipd's resolution for this value; keepalived's finer values are rounded to it. */
  readonly stepMs: number;
}

/** keepalived's TIMER (seconds, fractions allowed) as a vipd duration string. */
export function secondsArg(
  directive: Directive,
  notes: ConversionNotes,
  range: SecondsRange,
): string | undefined {
  const text = directive.args[0];
  const seconds = text !== undefined && /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) : NaN;
  const exactMs = seconds * 1000;
  const ms = Math.round(exactMs / range.stepMs) * range.stepMs;
  if (!Number.isFinite(ms) || ms < range.minMs || ms > range.maxMs) {
    notes.notConverted(
      directive,
      `expects seconds from ${range.minMs / 1000} to ${range.maxMs / 1000}, got ${text === undefined ? 'nothing' : `"${text}"`}`,
    );
    return undefined;
  }
  if (Math.abs(ms - exactMs) > 1e-6)
    notes.changed(directive, `${text}s rounded to ${formatDuration(ms)} (vipd's resolution)`);
  return formatDuration(ms);
}

/** Whether the directive carries words vipd has no place for, noted once. */
export function noteExtraArgs(directive: Directive, notes: ConversionNotes, used: number): void {
  const extra = directive.args.slice(used);
  if (extra.length > 0)
    notes.notConverted(
      { ...directive, keyword: `${directive.keyword} … ${extra.join(' ')}` },
      'vipd has no equivalent for these options',
    );
}
