// The options checked before any socket exists, so a typo in the config is reported as what
// it is (a bad address, a wrong family) and not as a kernel error later.
import { isInterfaceName } from '@vipd/arp';
import type { IpFamily } from '../codec/types.js';
import { canonicalAddress } from './address-text.js';
import { VrrpError } from '../errors.js';
import type { VrrpSocketOptions } from './types.js';

export interface CheckedOptions {
  readonly family: IpFamily;
  readonly interfaceName: string;
  readonly netns: string | undefined;
  /** Canonical text, when configured. */
  readonly sourceAddress: string | undefined;
  /** Canonical text; undefined in multicast mode. */
  readonly unicastPeers: ReadonlySet<string> | undefined;
}

export function checkOptions(options: VrrpSocketOptions): CheckedOptions {
  const { family, interfaceName } = options;
  // Checked although typed: the options may come from JavaScript or a parsed config.
  if (![4, 6].includes(family)) {
    throw new VrrpError(
      'VRRP_INVALID_OPTIONS',
      `address family must be 4 or 6, not ${String(family)}`,
    );
  }
  if (!isInterfaceName(interfaceName)) {
    throw new VrrpError('VRRP_INVALID_OPTIONS', `"${interfaceName}" is not a valid interface name`);
  }
  const address = (text: string, role: string): string => {
    const canonical = canonicalAddress(text, family);
    if (canonical !== undefined) return canonical;
    throw new VrrpError(
      'VRRP_INVALID_OPTIONS',
      `${role} "${text}" for ${interfaceName} is not an IPv${family.toString()} address`,
    );
  };
  const sourceAddress =
    options.sourceAddress === undefined
      ? undefined
      : address(options.sourceAddress, 'source address');
  const peers = options.unicastPeers?.map((peer) => address(peer, 'unicast peer'));
  if (peers?.length === 0) {
    throw new VrrpError(
      'VRRP_INVALID_OPTIONS',
      `unicast peers for ${interfaceName} are empty: leave them out for multicast`,
    );
  }
  return {
    family,
    interfaceName,
    netns: options.netns,
    sourceAddress,
    unicastPeers: peers === undefined ? undefined : new Set(peers),
  };
}
