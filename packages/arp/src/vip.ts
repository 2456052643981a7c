// Checks a Vip before it reaches the kernel, so a bad config value fails with a message that
// names the field instead of an EINVAL from netlink.
import { ipFamily, normalizeIp } from './codec/address-text.js';
import { ArpError } from './errors.js';
import { INTERFACE_NAME_RULE, isInterfaceName } from './interface-name.js';
import type { Vip, VipScope } from './types.js';

const SCOPES: readonly VipScope[] = ['global', 'site', 'link', 'host'];

export interface CheckedVip {
  readonly family: 4 | 6;
  /** Normalized text (RFC 5952 for IPv6). */
  readonly address: string;
  readonly prefixLength: number;
  readonly interface: string;
  readonly label: string | undefined;
  readonly scope: VipScope;
}

export function checkVip(vip: Vip): CheckedVip {
  const where = `VIP ${vip.address}/${vip.prefixLength} on ${vip.interface}`;
  const family = ipFamily(vip.address);
  const maxPrefix = family === 4 ? 32 : 128;
  if (!Number.isInteger(vip.prefixLength) || vip.prefixLength < 1 || vip.prefixLength > maxPrefix) {
    throw new ArpError('INVALID_VIP', `${where}: prefix length must be an integer 1..${maxPrefix}`);
  }
  if (!isInterfaceName(vip.interface)) {
    throw new ArpError(
      'INVALID_VIP',
      `${where}: "${vip.interface}" is not an interface name (${INTERFACE_NAME_RULE})`,
    );
  }
  const scope = vip.scope ?? 'global';
  if (!SCOPES.includes(scope)) {
    throw new ArpError(
      'INVALID_VIP',
      `${where}: scope "${scope as string}" is not one of ${SCOPES.join(', ')}`,
    );
  }
  let label: string | undefined;
  if (family === 4 && vip.label !== undefined && vip.label !== vip.interface) {
    // The iproute2 / ifconfig alias convention; the kernel stores at most 15 bytes.
    if (!vip.label.startsWith(`${vip.interface}:`) || Buffer.byteLength(vip.label) > 15) {
      throw new ArpError(
        'INVALID_VIP',
        `${where}: label "${vip.label}" must be "${vip.interface}:NAME" and at most 15 bytes`,
      );
    }
    label = vip.label;
  }
  return {
    family,
    address: normalizeIp(vip.address),
    prefixLength: vip.prefixLength,
    interface: vip.interface,
    label,
    scope,
  };
}
