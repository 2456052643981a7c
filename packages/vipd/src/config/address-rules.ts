// Addresses the config names that cannot work as written, whatever host reads the file: a VIP
// that is a network, broadcast, multicast or loopback address or some node's own heartbeat
// address, and an API that answers unauthenticated reads beyond loopback. The checks that
// need this host's interfaces are check/host.ts's.

import { normalizeIp } from '@vipd/arp';
import { readHostPort } from '@vipd/heartbeat';
import { LISTEN_ADDRESS, PEER_ADDRESS, parseVip } from './addresses.js';
import { isPublicUnicast, isWildcard, vipVerdict } from './ip-ranges.js';
import type { ProblemList } from './problems.js';
import { list, obj, str, type Unchecked } from './unchecked.js';
import { isIP } from 'node:net';

export function checkAddresses(data: Unchecked, problems: ProblemList): void {
  const owners = nodeAddresses(data);
  list(data['groups']).forEach((group, g) => {
    // RFC 5798 §5.2.9: a VRRPv3 IPv6 group's first address is link-local by design.
    const linkLocalV6Expected = obj(group)?.['vrrp'] !== undefined;
    list(obj(group)?.['addresses']).forEach((text, a) => {
      const vip = typeof text === 'string' ? parseVip(text) : null;
      if (vip === null) return;
      const path = ['groups', g, 'addresses', a];
      const verdict = vipVerdict(vip, linkLocalV6Expected);
      if (verdict !== undefined)
        problems.report(verdict.severity, path, verdict.reason, 'VIP_UNUSABLE');
      const owner = owners.get(vip.address);
      if (owner !== undefined)
        problems.error(
          path,
          `${vip.address} is ${owner}; a VIP must be an address no node owns`,
          undefined,
          'VIP_IS_NODE_ADDRESS',
        );
    });
  });
  checkApiExposure(data, problems);
}

/** IP → whose heartbeat address it is, from node.listen and the peers' IP literals. */
function nodeAddresses(data: Unchecked): Map<string, string> {
  const owners = new Map<string, string>();
  const listen = str(obj(data['node'])?.['listen']);
  const own = listen === undefined ? null : readHostPort(listen, LISTEN_ADDRESS);
  if (own !== null && !isWildcard(own.host))
    owners.set(normalizeIp(own.host), "this node's own heartbeat address (node.listen)");
  list(obj(data['cluster'])?.['peers']).forEach((peer, i) => {
    const address = str(obj(peer)?.['address']);
    const endpoint = address === undefined ? null : readHostPort(address, PEER_ADDRESS);
    if (endpoint === null || isIP(endpoint.host) === 0) return;
    const id = str(obj(peer)?.['id']) ?? `#${i}`;
    owners.set(normalizeIp(endpoint.host), `peer ${id}'s heartbeat address (cluster.peers[${i}])`);
  });
  return owners;
}

/**
 * Reads (status, events, metrics) need no token, so who can reach the API can read it. A
 * private address is the documented management network and passes; a wildcard or a public
 * address is worth a warning.
 */
function checkApiExposure(data: Unchecked, problems: ProblemList): void {
  const api = obj(data['api']);
  const listen = str(api?.['listen']);
  const endpoint = listen === undefined ? null : readHostPort(listen, LISTEN_ADDRESS);
  if (api?.['enabled'] === false || endpoint === null) return;
  const where = isWildcard(endpoint.host)
    ? 'listens on every address of this host'
    : isPublicUnicast(endpoint.host)
      ? `listens on ${endpoint.host}, a public address`
      : undefined;
  if (where === undefined) return;
  problems.warn(
    ['api', 'listen'],
    `${where}: reads (status, events, metrics) need no token, so anyone who can reach it can read them; keep it on 127.0.0.1 or a management network only operators reach (docs/security.md)`,
    undefined,
    'API_EXPOSED',
  );
}
