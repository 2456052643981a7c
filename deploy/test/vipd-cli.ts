// Where the built vipd CLI is: packages/vipd/package.json's `bin.vipd`, the same file
// `npx vipd` runs. Tests run it as a real process, never an in-process stand-in.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The repository root (this file is deploy/dist/test/vipd-cli.js once built). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DEPLOY_DIR = join(REPO_ROOT, 'deploy');
export const DOCS_DIR = join(REPO_ROOT, 'docs');

const VIPD_PACKAGE_DIR = join(REPO_ROOT, 'packages', 'vipd');

/** Absolute path of the vipd CLI's JavaScript entry; throws if the package declares none. */
export function vipdCliPath(): string {
  const manifest = JSON.parse(readFileSync(join(VIPD_PACKAGE_DIR, 'package.json'), 'utf8')) as {
    bin?: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.['vipd'];
  if (bin === undefined)
    throw new Error('packages/vipd/package.json declares no "bin.vipd": the vipd CLI is missing');
  const path = join(VIPD_PACKAGE_DIR, bin);
  if (!existsSync(path))
    throw new Error(`the vipd CLI ${path} does not exist: run \`npm run build\` first`);
  return path;
}

/** Runs `vipd ARGS…` (bounded in time) and returns its exit status and output. */
export function runVipd(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [vipdCliPath(), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    cwd: options.cwd ?? REPO_ROOT,
    env: options.env ?? withoutVipdSecrets(process.env),
  });
}

/** The environment minus VIPD_CLUSTER_KEY / VIPD_API_TOKEN, so files are what gets tested. */
export function withoutVipdSecrets(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const copy = { ...env };
  delete copy['VIPD_CLUSTER_KEY'];
  delete copy['VIPD_API_TOKEN'];
  return copy;
}

/** `command -v NAME`, or null when the tool is not installed. */
export function findTool(name: string): string | null {
  const which = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = which.stdout.trim();
  return which.status === 0 && path !== '' ? path : null;
}

/** An executable `DIR/vipd` that runs the built CLI: what a unit's /usr/bin/vipd stands for. */
export function builtVipdWrapper(dir: string): string {
  const wrapper = join(dir, 'vipd');
  writeFileSync(wrapper, `#!/bin/sh\nexec '${process.execPath}' '${vipdCliPath()}' "$@"\n`);
  chmodSync(wrapper, 0o755);
  return wrapper;
}
