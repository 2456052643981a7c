// Which capabilities the process holds, from /proc/self/status, so a daemon without them
// fails at once with one clear sentence instead of at the first takeover.

import { readFileSync } from 'node:fs';

export const CAP_NET_ADMIN = 12;
export const CAP_NET_RAW = 13;

export type NetCapability = 'CAP_NET_ADMIN' | 'CAP_NET_RAW';

const BITS: Record<NetCapability, number> = { CAP_NET_ADMIN, CAP_NET_RAW };

/** The effective capability set, or null where /proc is not readable. */
export function effectiveCapabilities(statusText?: string): bigint | null {
  let text = statusText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return null;
    }
  }
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(text);
  return match?.[1] === undefined ? null : BigInt(`0x${match[1]}`);
}

/** Capabilities from `needed` the process lacks (none when it cannot tell). */
export function missingCapabilities(
  needed: readonly NetCapability[],
  effective = effectiveCapabilities(),
): NetCapability[] {
  if (effective === null) return [];
  return needed.filter((cap) => (effective & (1n << BigInt(BITS[cap]))) === 0n);
}

export function missingCapabilitySentence(missing: readonly NetCapability[], what: string): string {
  return `vipd needs ${missing.join(' and ')} to ${what}: run it as root or grant ${missing.length === 1 ? 'it' : 'them'} (systemd: AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW).`;
}
