import { LabError } from './errors.js';

export const ROUTED_PREFIX_LENGTH4 = 29;
export const ROUTED_PREFIX_LENGTH6 = 64;

/** One host's link to the router in a routed lab: a subnet of its own. */
export interface RoutedLink {
  readonly host4: string;
  readonly host6: string;
  readonly router: { readonly ipv4: string; readonly ipv6: string };
}

/**
 * Host `host` (1..9 for nodes, 200 for the client) of a routed lab sits on a /29 of
 * 10.214.S.0/24 of its own (router .8k+1, host .8k+2) and on fd00:214:S:k::/64 (router ::1,
 * host ::2), k = host for nodes and 30 for the client. The VIPs stay in 10.213.S.0/24,
 * a prefix no link has: they reach the client only as routes announced through BGP.
 */
export function routedLink(subnet: number, host: number): RoutedLink {
  const k = host === 200 ? 30 : host;
  if (!Number.isInteger(k) || k < 1 || k > 30) {
    throw new LabError('LAB_BAD_ARGUMENT', `routed lab hosts are nodes 1..29 or 200, got ${host}`);
  }
  return {
    host4: `10.214.${subnet}.${8 * k + 2}`,
    host6: `fd00:214:${subnet}:${k}::2`,
    router: { ipv4: `10.214.${subnet}.${8 * k + 1}`, ipv6: `fd00:214:${subnet}:${k}::1` },
  };
}
