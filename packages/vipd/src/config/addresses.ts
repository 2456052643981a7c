// Address syntax used by the config: VIPs with prefix lengths and host:port endpoints.

import { SocketAddress, isIPv4, isIPv6 } from 'node:net';

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
  return { address: canonicalIp(address, family), prefixLength, family };
}

export function canonicalIp(address: string, family: 4 | 6): string {
  return new SocketAddress({ address, family: family === 4 ? 'ipv4' : 'ipv6' }).address;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const HOSTNAME_RE =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A DNS name (not an IP address), without port or scheme: "node2.example". */
export function isHostName(text: string): boolean {
  return HOSTNAME_RE.test(text) && !/^[0-9.]+$/.test(text);
}

/**
 * "10.0.0.1:7410", "[fd00::1]:7410", and with `allowHostname` "node2.example:7410".
 * Port 0 is accepted only with `allowPortZero` (tests bind a free port).
 */
export function parseHostPort(
  text: string,
  options: { allowHostname: boolean; allowPortZero?: boolean },
): HostPort | null {
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']:');
    if (close === -1) return null;
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (!isIPv6(host) || host.includes('%')) return null;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) return null;
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    const isIp = isIPv4(host);
    if (!isIp && !(options.allowHostname && HOSTNAME_RE.test(host) && !/^[0-9.]+$/.test(host))) {
      return null;
    }
  }
  if (!/^[0-9]{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  const minPort = options.allowPortZero === true ? 0 : 1;
  if (port < minPort || port > 65535) return null;
  return { host, port };
}

/** Linux interface names: 1-15 bytes, no '/', ':' or whitespace, not "." or "..". */
export function isInterfaceName(text: string): boolean {
  return /^[^\s/:]{1,15}$/.test(text) && text !== '.' && text !== '..';
}
