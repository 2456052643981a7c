// `npm pack` of @vipd/vipd and the workspaces it needs at run time, and `npm install` of the
// tarballs into a directory of their own: the path a user without the monorepo takes, and the
// proof that every package declares what it needs.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { readWorkspaces, runtimeClosure } from './workspaces.js';

/** Flags that let npm answer from its cache first; the registry only fills the gaps. */
export const NPM_QUIET_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/** Packs `@vipd/vipd` and its runtime workspace dependencies (built dist/src must exist)
 * into `destination`; returns the tarballs' absolute paths. */
export function packVipd(repoRoot: string, destination: string): string[] {
  const closure = runtimeClosure(readWorkspaces(repoRoot), '@vipd/vipd');
  const output = execFileSync(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      destination,
      ...closure.flatMap((w) => ['-w', w.dir]),
      ...NPM_QUIET_FLAGS,
    ],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const packed = JSON.parse(output) as { filename: string }[];
  return packed.map((entry) => join(destination, entry.filename));
}

/** `npm install --omit=dev TARBALLS…` in `directory` (made a package of its own first). */
export function installTarballs(directory: string, tarballs: readonly string[]): void {
  execFileSync('npm', ['init', '-y', ...NPM_QUIET_FLAGS], { cwd: directory, stdio: 'ignore' });
  execFileSync('npm', ['install', '--omit=dev', ...NPM_QUIET_FLAGS, ...tarballs], {
    cwd: directory,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
