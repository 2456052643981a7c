// "host:port" and "[v6]:port": the one grammar for every endpoint vipd reads (the mesh's
// listen address and peers, vipd's config, the tcp tracker), split for listen() and ws URLs.
// It lives here, the lowest package that needs it; vipd imports it.

import { isIPv4, isIPv6 } from 'node:net';
import { HeartbeatConfigError } from './errors.js';

export interface HostPort {
  /** Without brackets, also for IPv6. */
  readonly host: string;
  readonly port: number;
}

/** Which endpoints a caller takes; the grammar itself is the same for all. */
export interface HostPortRules {
  /** Accept a DNS name as the host, not only an IP literal (peers, trackers: yes; listen: no). */
  readonly allowHostname: boolean;
  /** Accept port 0, "any free port" (listening in tests). */
  readonly allowPortZero: boolean;
}

/** What the mesh takes: names and port 0 are for the caller to refuse if it must. */
const MESH_RULES: HostPortRules = { allowHostname: true, allowPortZero: true };

const HOSTNAME_RE =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** A DNS name (not an IP address), without port or scheme: "node2.example". */
export function isHostName(text: string): boolean {
  return HOSTNAME_RE.test(text) && !/^[0-9.]+$/.test(text);
}

/**
 * "10.0.0.1:7410", "[fd00::1]:7410", and with `allowHostname` "node2.example:7410"; null for
 * anything else. IPv6 needs brackets and takes no zone id; ports are decimal, 1-65535 (0 too
 * with `allowPortZero`).
 */
export function readHostPort(text: string, rules: HostPortRules): HostPort | null {
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
    if (!isIPv4(host) && !(rules.allowHostname && isHostName(host))) return null;
  }
  if (!/^[0-9]{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  const minPort = rules.allowPortZero ? 0 : 1;
  if (port < minPort || port > 65535) return null;
  return { host, port };
}

/** readHostPort for the mesh's options: throws INVALID_ADDRESS naming the option `what`. */
export function parseHostPort(
  text: string,
  what: string,
  rules: HostPortRules = MESH_RULES,
): HostPort {
  const parsed = readHostPort(text, rules);
  if (parsed === null) {
    throw new HeartbeatConfigError(
      'INVALID_ADDRESS',
      `${what} "${text}" is not host:port or [ipv6]:port with a port ${rules.allowPortZero ? 0 : 1}-65535`,
    );
  }
  return parsed;
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
