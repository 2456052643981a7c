// A small reader for systemd unit files: sections of `Key=value` lines, where a key may
// repeat (ExecStartPre=, Environment=) and an empty assignment resets the list, as systemd
// does. Enough to assert what the vipd unit says; systemd-analyze checks the rest.

export type UnitFile = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

export function parseUnitFile(text: string): UnitFile {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  // A trailing backslash continues the line.
  const lines = text.replace(/\\\n/g, ' ').split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header?.[1] !== undefined) {
      current = sections.get(header[1]) ?? new Map<string, string[]>();
      sections.set(header[1], current);
      continue;
    }
    const eq = line.indexOf('=');
    if (current === null || eq <= 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    if (value === '') current.set(key, []);
    else current.set(key, [...(current.get(key) ?? []), value]);
  }
  return sections;
}

/** Every value of `key` in `section`, in order ([] when absent). */
export function unitValues(unit: UnitFile, section: string, key: string): readonly string[] {
  return unit.get(section)?.get(key) ?? [];
}

/** The single value of `key`; throws when it is absent or set more than once. */
export function unitValue(unit: UnitFile, section: string, key: string): string {
  const values = unitValues(unit, section, key);
  if (values.length !== 1 || values[0] === undefined)
    throw new Error(`[${section}] ${key}= is set ${values.length} times, expected once`);
  return values[0];
}

/** Space-separated list values of `key`, all assignments together, as a set. */
export function unitWords(unit: UnitFile, section: string, key: string): ReadonlySet<string> {
  return new Set(unitValues(unit, section, key).flatMap((v) => v.split(/\s+/)));
}

const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
};

/** A systemd time span ("25s", "1min 30s", "90" = seconds) in milliseconds. */
export function parseTimeSpanMs(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)\s*([a-z]+)\s*/g, (_, value: string, unit: string) => {
    const factor = TIME_UNITS_MS[unit];
    if (factor === undefined) throw new Error(`unknown time unit in ${text}`);
    total += Number(value) * factor;
    return '';
  });
  if (rest !== '' || total === 0) throw new Error(`not a time span: ${text}`);
  return total;
}
