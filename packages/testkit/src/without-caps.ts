import { execFileSync } from 'node:child_process';

/**
 * Runs `moduleSource` (an ES module) in a Node child inside `netns` with the `capabilities`
 * (setpriv names: "net_raw", "net_admin") dropped from its bounding set and no inherited or
 * ambient ones, and returns what it printed. How the privilege tests see the errors a daemon
 * without CAP_NET_RAW / CAP_NET_ADMIN would get; the namespace keeps the host's interfaces out
 * of reach even if dropping failed. Needs root and setpriv.
 */
export function runModuleWithoutCaps(
  netns: string,
  capabilities: readonly string[],
  moduleSource: string,
): string {
  return execFileSync(
    'ip',
    [
      ...['netns', 'exec', netns, 'setpriv', '--inh-caps=-all', '--ambient-caps=-all'],
      `--bounding-set=${capabilities.map((c) => `-${c}`).join(',')}`,
      ...['--', process.execPath, '--input-type=module', '-e', moduleSource],
    ],
    { encoding: 'utf8' },
  );
}
