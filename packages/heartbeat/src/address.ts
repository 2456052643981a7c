// "host:port" and "[v6]:port" as written in the config, split for listen() and ws URLs.

import { HeartbeatConfigError } from './errors.js';

export interface HostPort {
  /** Without brackets, also for IPv6. */
  readonly host: string;
  readonly port: number;
}

const BRACKETED_V6 = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]:(\d{1,5})$/;
const NAME_OR_V4 = /^([^\s:[\]/]+):(\d{1,5})$/;

export function parseHostPort(text: string, what: string): HostPort {
  const match = BRACKETED_V6.exec(text) ?? NAME_OR_V4.exec(text);
  const port = Number(match?.[2]);
  if (!match?.[1] || !(port >= 0 && port <= 65535)) {
    throw new HeartbeatConfigError(
      'INVALID_ADDRESS',
      `${what} "${text}" is not host:port or [ipv6]:port with a port 0-65535`,
    );
  }
  return { host: match[1], port };
}

export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
