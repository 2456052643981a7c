// What every attacker program shares: flags from argv, JSON lines on stdout for the harness
// (the last one is {"t":"result",…}), and a hard deadline after which the program exits
// whatever it is doing, so no attack can outlive its bound even if the harness dies.

export type AttackLine = { readonly t: string } & Record<string, unknown>;

export function report(line: AttackLine): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** `--name value` pairs from argv; every flag is required unless a fallback is given. */
export class AttackFlags {
  private readonly values = new Map<string, string>();

  constructor(argv: readonly string[] = process.argv.slice(2)) {
    for (let i = 0; i < argv.length; i += 2) {
      const name = argv[i];
      const value = argv[i + 1];
      if (name?.startsWith('--') !== true || value === undefined) usage(`bad argument "${name}"`);
      this.values.set(name.slice(2), value);
    }
  }

  text(name: string, fallback?: string): string {
    const value = this.values.get(name) ?? fallback;
    if (value === undefined) usage(`--${name} is required`);
    return value;
  }

  /** A positive number, bounded above so a typo cannot turn a test into a real flood. */
  count(name: string, max: number, fallback?: number): number {
    const value = Number(this.text(name, fallback === undefined ? undefined : String(fallback)));
    if (!Number.isFinite(value) || value <= 0 || value > max) {
      usage(`--${name} must be a number in (0, ${max}], got ${String(this.values.get(name))}`);
    }
    return value;
  }
}

function usage(problem: string): never {
  process.stderr.write(`${process.argv[1] ?? 'attack'}: ${problem}\n`);
  process.exit(2);
}

/** Exits (code 3) `ms` after start no matter what: the outer bound of every attack. */
export function hardDeadline(ms: number): void {
  setTimeout(() => {
    report({ t: 'deadline', ms });
    process.exit(3);
  }, ms).unref();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lifetimes (ms) summarised for a report line: count, median, 99th percentile, max. */
export function summarise(valuesMs: readonly number[]): {
  n: number;
  medianMs: number | null;
  p99Ms: number | null;
  maxMs: number | null;
} {
  if (valuesMs.length === 0) return { n: 0, medianMs: null, p99Ms: null, maxMs: null };
  const sorted = [...valuesMs].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return {
    n: sorted.length,
    medianMs: Math.round(at(0.5)),
    p99Ms: Math.round(at(0.99)),
    maxMs: Math.round(sorted[sorted.length - 1]!),
  };
}
