// What the npm-pack and Debian package tests both do with an installed vipd.

import type { SpawnSyncReturns } from 'node:child_process';
import { join } from 'node:path';
import { DEPLOY_DIR } from './vipd-cli.js';

/** The example configuration the Debian package installs as /etc/vipd/vipd.yaml. */
export const EXAMPLE_CONFIG = join(DEPLOY_DIR, 'debian', 'vipd.yaml');

/** `check --config FILE`, plus `--offline` where this vipd has it: the example names
 * addresses and an interface of the documentation network, not of the machine running it. */
export function checkArgs(
  vipd: (args: readonly string[]) => SpawnSyncReturns<string>,
  file: string,
): string[] {
  const offline = vipd(['check', '--help']).stdout.includes('--offline');
  return ['check', '--config', file, ...(offline ? ['--offline'] : [])];
}
