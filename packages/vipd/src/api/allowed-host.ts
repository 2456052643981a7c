// DNS rebinding: a web page at evil.example whose name is re-pointed at 127.0.0.1 makes the
// operator's browser send requests to the API that the browser treats as same-origin, and
// hands the page the answers (status, groups, peers, metrics). The browser still sends the
// page's own name in Host, so the API answers only requests whose Host is a name it is known
// by: an IP literal (a page served from an IP cannot rebind), localhost, or a name the
// operator listed in api.allowed_hosts.

import { isIP } from 'node:net';

/** The host part of a Host header, lower-cased, without port or trailing dot. */
export function hostOfHeader(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    return end === -1 ? value : value.slice(1, end);
  }
  const colon = value.lastIndexOf(':');
  // More than one colon: an IPv6 address without brackets, which has no port to strip.
  const hasPort =
    colon !== -1 && colon === value.indexOf(':') && /^\d*$/.test(value.slice(colon + 1));
  const host = hasPort ? value.slice(0, colon) : value;
  return host.endsWith('.') ? host.slice(0, -1) : host;
}

/**
 * Whether a request with this Host header may be answered. No Host at all (HTTP/1.0; Node
 * refuses HTTP/1.1 without one) comes from no browser, so it is allowed.
 */
export function isAllowedHost(
  header: string | undefined,
  allowedNames: readonly string[],
): boolean {
  if (header === undefined) return true;
  const host = hostOfHeader(header);
  if (isIP(host) !== 0 || host === 'localhost') return true;
  return allowedNames.some((name) => hostOfHeader(name) === host);
}
