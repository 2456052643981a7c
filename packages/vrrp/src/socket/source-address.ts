// Which address the adverts carry (RFC 5798 §5.1.1.1 / §5.1.2.1: the primary IPv4 address of
// the interface; for IPv6 its link-local address), and a configured one checked against the
// interface, since the kernel would happily send a header with an address the node lacks.
import { networkInterfaces } from 'node:os';
import type { IpFamily } from '../codec/types.js';
import { canonicalAddress } from './address-text.js';
import { VrrpError } from '../errors.js';

/**
 * The interface's addresses of `family`, kernel order (the primary IPv4 address first), as
 * canonical text. Reads the calling thread's network namespace (getifaddrs over netlink).
 */
function addressesOf(interfaceName: string, family: IpFamily): string[] {
  const entries = networkInterfaces()[interfaceName] ?? [];
  return entries
    .filter((entry) => entry.family === (family === 4 ? 'IPv4' : 'IPv6'))
    .map((entry) => canonicalAddress(entry.address, family) ?? entry.address);
}

export function chooseSourceAddress(
  interfaceName: string,
  family: IpFamily,
  configured: string | undefined,
): string {
  const present = addressesOf(interfaceName, family);
  if (configured !== undefined) {
    if (present.includes(configured)) return configured;
    throw new VrrpError(
      'VRRP_NO_SOURCE_ADDRESS',
      `source address ${configured} is not on ${interfaceName} ` +
        `(its IPv${family.toString()} addresses: ${present.join(', ') || 'none'})`,
    );
  }
  const chosen = family === 4 ? present[0] : present.find((address) => address.startsWith('fe80:'));
  if (chosen === undefined) {
    throw new VrrpError(
      'VRRP_NO_SOURCE_ADDRESS',
      `${interfaceName} has no ${family === 4 ? 'IPv4 address' : 'IPv6 link-local address'} ` +
        'to send VRRP adverts from',
    );
  }
  return chosen;
}
