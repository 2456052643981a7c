import { LabError } from './errors.js';

/**
 * Addresses of one lab. Namespaces already isolate runs, but deriving the subnet from the
 * run id keeps the captures and logs of parallel runs distinguishable. All of it is
 * private: 10.213.S.0/24, fd00:213:S::/64 and locally administered MACs 02:13:S:00:00:H.
 * IPv6 groups reuse the decimal digits (host 100 is ::100, subnet 95 is fd00:213:95::) so
 * the two families read alike in captures; every such group is valid hex and unique.
 */
export interface LabAddressing {
  readonly subnet: number;
  readonly ipv4Prefix: string;
  readonly ipv6Prefix: string;
  readonly prefixLength4: 24;
  readonly prefixLength6: 64;
  /** Host number `host` (1..254) in the lab subnet. */
  ipv4(host: number): string;
  ipv6(host: number): string;
  mac(host: number): string;
}

export const CLIENT_HOST = 200;
/** Hosts 100..199 are reserved for VIPs (a group may hold 64 or more); nodes are 1..99. */
export const FIRST_VIP_HOST = 100;

function hex2(value: number): string {
  return value.toString(16).padStart(2, '0');
}

export function labAddressing(runId: string): LabAddressing {
  if (!/^[0-9a-f]{6}$/.test(runId)) {
    throw new LabError('LAB_BAD_ARGUMENT', `run id must be 6 hex characters, got "${runId}"`);
  }
  const subnet = Number.parseInt(runId.slice(0, 2), 16);
  const checkHost = (host: number): void => {
    if (!Number.isInteger(host) || host < 1 || host > 254) {
      throw new LabError('LAB_BAD_ARGUMENT', `host number must be 1..254, got ${host}`);
    }
  };
  return {
    subnet,
    ipv4Prefix: `10.213.${subnet}.0`,
    ipv6Prefix: `fd00:213:${subnet}::`,
    prefixLength4: 24,
    prefixLength6: 64,
    ipv4(host) {
      checkHost(host);
      return `10.213.${subnet}.${host}`;
    },
    ipv6(host) {
      checkHost(host);
      return `fd00:213:${subnet}::${host}`;
    },
    mac(host) {
      checkHost(host);
      return `02:13:${hex2(subnet)}:00:00:${hex2(host)}`;
    },
  };
}
