// `vipd check` on the host that will run the node: the interfaces the groups and trackers name
// exist, the listen addresses are this host's, and no VIP is an address the host already has
// for itself. Runs on the document like the rules (config/rules.ts), against a HostView, so
// the same checks are tested on a made-up host and on a namespace.

import { readHostPort } from '@vipd/heartbeat';
import ipaddr from 'ipaddr.js';
import { LISTEN_ADDRESS, parseVip } from '../config/addresses.js';
import { isWildcard } from '../config/ip-ranges.js';
import { suggestKey } from '../config/key-suggestion.js';
import type { DocumentCheck, ProblemList } from '../config/problems.js';
import { list, obj, str, type Unchecked } from '../config/unchecked.js';
import { readHostView, type HostView } from './host-view.js';

export function hostChecks(host: HostView): DocumentCheck {
  return (data, problems) => {
    checkInterfaces(data, problems, host);
    checkListenAddress(
      problems,
      host,
      ['node', 'listen'],
      obj(data['node'])?.['listen'],
      'the heartbeat listener',
    );
    if (obj(data['api'])?.['enabled'] !== false)
      checkListenAddress(
        problems,
        host,
        ['api', 'listen'],
        obj(data['api'])?.['listen'],
        'the API',
      );
    checkVipsAreFree(data, problems, host);
  };
}

/** At most a dozen, so a router with a hundred VLANs still gets a readable line. */
function someOf(names: readonly string[]): string {
  return names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, …`;
}

function missingInterface(name: string, host: HostView): string {
  const suggestion = suggestKey(name, host.interfaces);
  return `interface "${name}" does not exist on this host${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`} (interfaces here: ${someOf(host.interfaces)})`;
}

/** A group's interface must exist; a tracker's may be hot-plugged, so it only warns. */
function checkInterfaces(data: Unchecked, problems: ProblemList, host: HostView): void {
  const known = new Set(host.interfaces);
  list(data['groups']).forEach((group, g) => {
    const name = str(obj(group)?.['interface']);
    if (name !== undefined && !known.has(name))
      problems.error(
        ['groups', g, 'interface'],
        `${missingInterface(name, host)}: the group's VIPs cannot be added`,
        undefined,
        'INTERFACE_MISSING',
      );
  });
  list(data['trackers']).forEach((tracker, t) => {
    const raw = obj(tracker);
    const name = str(raw?.['interface']);
    if (raw?.['type'] === 'interface' && name !== undefined && !known.has(name))
      problems.warn(
        ['trackers', t, 'interface'],
        `${missingInterface(name, host)}: the tracker reports it down, so groups that track it stay in FAULT until it appears`,
        undefined,
        'INTERFACE_MISSING',
      );
  });
}

/** An IP literal this host can bind: one of its addresses, or in lo's 127.0.0.0/8. */
function isLocal(address: string, host: HostView): boolean {
  const ip = ipaddr.parse(address);
  return host.addresses.some((entry) => {
    if (entry.address === address) return true;
    // Linux answers the whole of a loopback prefix, not only the address written on lo.
    const own = ipaddr.parse(entry.address);
    return (
      own.range() === 'loopback' && ip.kind() === own.kind() && ip.match(own, entry.prefixLength)
    );
  });
}

function checkListenAddress(
  problems: ProblemList,
  host: HostView,
  path: readonly string[],
  value: unknown,
  who: string,
): void {
  const endpoint = typeof value === 'string' ? readHostPort(value, LISTEN_ADDRESS) : null;
  if (endpoint === null || isWildcard(endpoint.host)) return;
  const address = parseVip(endpoint.host)?.address;
  if (address === undefined || isLocal(address, host)) return;
  const ownAddresses = host.addresses.filter((a) => !a.addedByVipd).map((a) => a.address);
  problems.error(
    path,
    `${address} is not an address of this host, so ${who} cannot bind it (addresses here: ${someOf(ownAddresses) || 'none'})`,
    undefined,
    'LISTEN_ADDRESS_MISSING',
  );
}

/**
 * A VIP already on the host and not added by vipd is the host's own: vipd never removes what
 * it did not add, so this node would answer for it even as backup.
 */
function checkVipsAreFree(data: Unchecked, problems: ProblemList, host: HostView): void {
  list(data['groups']).forEach((group, g) => {
    list(obj(group)?.['addresses']).forEach((text, a) => {
      const vip = typeof text === 'string' ? parseVip(text) : null;
      const owner = host.addresses.find(
        (entry) => entry.address === vip?.address && !entry.addedByVipd,
      );
      if (vip === null || owner === undefined) return;
      problems.error(
        ['groups', g, 'addresses', a],
        `${vip.address} is already an address of this host (on ${owner.interface}) that vipd did not add: vipd never removes it, so this node would answer for it even as backup`,
        undefined,
        'VIP_IS_NODE_ADDRESS',
      );
    });
  });
}

/**
 * The host checks for `vipd check` on this machine; when its tables cannot be read, none, and
 * `onUnreadable` hears why (the file's own checks still run).
 */
export function checksOnThisHost(onUnreadable: (reason: string) => void): DocumentCheck[] {
  try {
    return [hostChecks(readHostView())];
  } catch (error) {
    onUnreadable(error instanceof Error ? error.message : String(error));
    return [];
  }
}
