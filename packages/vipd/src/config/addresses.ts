// Address syntax used by the config: VIPs with prefix lengths, and which host:port endpoints
// each key takes. The grammars themselves live in the packages that own them: IP text and
// interface names in @vipd/arp, host:port in @vipd/heartbeat.

import { isIPv4, isIPv6 } from 'node:net';
import { normalizeIp } from '@vipd/arp';
import type { HostPortRules } from '@vipd/heartbeat';

/** `node.listen`, `api.listen`: an IP literal to bind; port 0 picks a free port (tests). */
export const LISTEN_ADDRESS: HostPortRules = { allowHostname: false, allowPortZero: true };
/** `cluster.peers[].address`, tcp trackers: somewhere to dial, so a name and a real port. */
export const PEER_ADDRESS: HostPortRules = { allowHostname: true, allowPortZero: false };

export interface ParsedVip {
  /** Canonical text (IPv6 compressed, lower case) so duplicates compare equal. */
  readonly address: string;
  readonly prefixLength: number;
  readonly family: 4 | 6;
}

/** "10.0.0.1/24", "10.0.0.1" (= /32), "fd00::1/64", "fd00::1" (= /128); null if invalid. */
export function parseVip(text: string): ParsedVip | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const prefixText = slash === -1 ? null : text.slice(slash + 1);
  const family = isIPv4(address) ? 4 : isIPv6(address) && !address.includes('%') ? 6 : null;
  if (family === null) return null;
  const maxPrefix = family === 4 ? 32 : 128;
  let prefixLength = maxPrefix;
  if (prefixText !== null) {
    if (!/^[0-9]{1,3}$/.test(prefixText)) return null;
    prefixLength = Number(prefixText);
    if (prefixLength > maxPrefix) return null;
  }
  return { address: normalizeIp(address), prefixLength, family };
}
