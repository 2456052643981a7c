import { run } from './command.js';

/**
 * The addresses on `device` in namespace `netns` as `ip` shows them ("10.0.0.1/24"), sorted,
 * link-local IPv6 left out: what a test compares after vipd added or removed its VIPs.
 */
export function addressesOn(netns: string, device: string): string[] {
  const links = JSON.parse(run(['ip', '-n', netns, '-j', 'addr', 'show', 'dev', device])) as {
    addr_info?: { local: string; prefixlen: number }[];
  }[];
  return (links[0]?.addr_info ?? [])
    .map((a) => `${a.local}/${a.prefixlen.toString()}`)
    .filter((a) => !a.startsWith('fe80:'))
    .sort();
}
