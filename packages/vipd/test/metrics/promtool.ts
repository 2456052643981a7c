import { spawnSync } from 'node:child_process';

/** Path of promtool when installed (Debian's `prometheus` package), else null. */
export function findPromtool(): string | null {
  const which = spawnSync('sh', ['-c', 'command -v promtool'], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path !== '' ? path : null;
}

/** Runs `promtool check metrics` on an exposition; returns its complaints ('' = clean). */
export function promtoolCheckMetrics(
  promtool: string,
  exposition: string,
): { ok: boolean; output: string } {
  const result = spawnSync(promtool, ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}
