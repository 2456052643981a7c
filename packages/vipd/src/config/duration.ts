// Durations in the config are strings with a unit, so `100` can never be misread as seconds
// when milliseconds were meant: "100ms", "1.5s", "2m", "1h".

export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION_RE = new RegExp(DURATION_PATTERN);

/** Milliseconds (rounded), or null when the text is not a duration. */
export function parseDurationMs(text: string): number | null {
  const match = DURATION_RE.exec(text);
  if (!match) return null;
  const unit = match[2] as keyof typeof UNIT_MS;
  const value = Number.parseFloat(text.slice(0, text.length - unit.length));
  return Math.round(value * UNIT_MS[unit]);
}

/** The shortest exact spelling: 1500 → "1500ms", 2000 → "2s", 120000 → "2m". */
export function formatDuration(ms: number): string {
  if (ms !== 0 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms !== 0 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms !== 0 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/**
 * For a bare number where a duration belongs (`heartbeat_interval: 100`): the two readings an
 * operator most likely meant, since vipd will not guess between them.
 */
export function durationUnitHint(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text.trim())) return undefined;
  return `durations need a unit: ${text.trim()}ms or ${text.trim()}s?`;
}
