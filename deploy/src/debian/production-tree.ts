// The app as it lands in /usr/lib/vipd: `npm ci --omit=dev` against the repository's own
// lockfile (so the exact tested versions ship), for @vipd/vipd and the workspaces it needs,
// native addons built for the Node that runs the build (the target: Depends: nodejs), then
// the packed files of each of those workspaces (what `npm pack` would ship) beside it.
// The npm install is reused while the lockfile, the manifests and the Node version are the
// same; the workspaces' own files are copied fresh every time.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { NPM_QUIET_FLAGS } from '../pack.js';
import { readWorkspaces, runtimeClosure, type Workspace } from '../workspaces.js';

/** What no one needs at run time: types, source maps, docs, tests, shell scripts, and the
 * packages' own VCS and CI files (names matched whole, files and directories alike). */
const PRUNED =
  /^(.*\.d\.[cm]?ts|.*\.map|.*\.md|.*\.markdown|.*\.ts|.*\.sh|.*\.html|\.git.*|\.npmignore|\.husky|\.eslintrc.*|\.prettierrc.*|\.editorconfig|\.travis\.yml|\.taprc|tsconfig.*\.json|test|tests|__tests__|benchmarks?)$/;
const KEPT = /^(license|licence|copying|notice)/i;

function installKey(repoRoot: string, workspaces: readonly Workspace[]): string {
  const hash = createHash('sha256');
  hash.update(process.version).update(process.arch);
  hash.update(readFileSync(join(repoRoot, 'package-lock.json')));
  for (const w of workspaces) hash.update(readFileSync(join(repoRoot, w.dir, 'package.json')));
  return hash.digest('hex');
}

/** Removes what PRUNED names, then directories left empty. */
function prune(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (PRUNED.test(entry.name) && !KEPT.test(entry.name)) rmSync(path, { recursive: true });
    else if (entry.isDirectory()) {
      prune(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    }
  }
}

/** npm ci of the production dependencies in `staging` (skipped when its key still holds). */
function installDependencies(repoRoot: string, staging: string, closure: Workspace[]): void {
  const workspaces = readWorkspaces(repoRoot);
  const key = installKey(repoRoot, workspaces);
  const keyFile = join(staging, '.install-key');
  if (existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  // npm ci needs every workspace's manifest to match the lockfile, even the ones not installed.
  for (const file of ['package.json', 'package-lock.json'])
    cpSync(join(repoRoot, file), join(staging, file));
  for (const w of workspaces) {
    mkdirSync(join(staging, w.dir), { recursive: true });
    cpSync(join(repoRoot, w.dir, 'package.json'), join(staging, w.dir, 'package.json'));
  }
  // node-gyp builds against the headers of the installed Node instead of downloading them.
  const env = existsSync('/usr/include/node/node_version.h')
    ? { ...process.env, npm_config_nodedir: '/usr' }
    : process.env;
  execFileSync(
    'npm',
    ['ci', '--omit=dev', ...NPM_QUIET_FLAGS, ...closure.flatMap((w) => ['-w', w.manifest.name])],
    { cwd: staging, env, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  writeFileSync(keyFile, key);
}

/** The files `npm pack` would put in each workspace's tarball. */
function packedFiles(repoRoot: string, closure: readonly Workspace[]): Map<string, string[]> {
  const output = execFileSync(
    'npm',
    ['pack', '--dry-run', '--json', ...NPM_QUIET_FLAGS, ...closure.flatMap((w) => ['-w', w.dir])],
    { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const packs = JSON.parse(output) as { name: string; files: { path: string }[] }[];
  return new Map(packs.map((pack) => [pack.name, pack.files.map((file) => file.path)]));
}

/** Writes the app into `appDir` (…/usr/lib/vipd): node_modules and packages/<workspace>. */
export function buildProductionTree(repoRoot: string, staging: string, appDir: string): void {
  const closure = runtimeClosure(readWorkspaces(repoRoot), '@vipd/vipd');
  installDependencies(repoRoot, staging, closure);
  rmSync(appDir, { recursive: true, force: true });
  mkdirSync(appDir, { recursive: true });
  cpSync(join(staging, 'node_modules'), join(appDir, 'node_modules'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  const shipped = new Set(closure.map((w) => w.manifest.name));
  for (const entry of readdirSync(join(appDir, 'node_modules', '@vipd')))
    if (!shipped.has(`@vipd/${entry}`)) rmSync(join(appDir, 'node_modules', '@vipd', entry));
  for (const extra of ['.bin', '.package-lock.json'])
    rmSync(join(appDir, 'node_modules', extra), { recursive: true, force: true });
  prune(join(appDir, 'node_modules'));
  const files = packedFiles(repoRoot, closure);
  for (const w of closure) {
    for (const file of files.get(w.manifest.name) ?? []) {
      const target = join(appDir, w.dir, file);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(repoRoot, w.dir, file), target);
    }
  }
}
