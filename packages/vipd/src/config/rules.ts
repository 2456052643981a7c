// The rules that span keys: unique names and addresses, references that resolve, values the
// schema cannot relate to each other. Pure: they read the document and report, nothing else
// (the file system is files.ts's), so each can be tested on a document alone.

import {
  RealServerError,
  toRealServerConfig,
  type RealServerSection,
} from '../realserver/index.js';
import { parseVip } from './addresses.js';
import { parseDurationMs } from './duration.js';
import { formatPath } from './locate.js';
import type { Path, ProblemList } from './problems.js';
import { list, obj, str, type Unchecked } from './unchecked.js';
import { checkRoutedGroups } from './routed-rules.js';
import { checkVrrpGroups, documentNeedsMesh as needsMesh } from './vrrp-rules.js';

/** @vipd/arp's announcer: a periodic refresh is off (0) or at least this often. */
export const MIN_REFRESH_MS = 100;

/** Every cross-key rule, in the order their problems were always found. */
export function checkRules(data: Unchecked, problems: ProblemList): void {
  checkPeers(data, problems);
  checkListenAddresses(data, problems);
  const trackerNames = checkTrackers(data, problems);
  const trackerUsed = checkGroups(data, problems, trackerNames);
  checkRefresh(data, problems);
  for (const [name, index] of trackerNames) {
    if (!trackerUsed.has(name))
      problems.warn(['trackers', index, 'name'], `tracker "${name}" is not tracked by any group`);
  }
  checkRealServer(data, problems);
  checkVrrpGroups(data, problems);
  checkRoutedGroups(data, problems);
  checkWebhooks(data, problems);
}

/** Webhook names label their metrics, so two with one name would count as one. */
function checkWebhooks(data: Unchecked, problems: ProblemList): void {
  const names = new Map<string, number>();
  list(obj(data['notify'])?.['webhooks']).forEach((webhook, i) => {
    noteUniqueName(
      problems,
      names,
      ['notify', 'webhooks'],
      'webhook',
      str(obj(webhook)?.['name']),
      i,
    );
  });
}

/**
 * A real server behind a director: a realserver section, no groups, no peers. It has nobody
 * to send heartbeats to, so it needs neither a listen address nor a cluster key.
 */
export function isRealServerOnly(node: {
  readonly realserver: unknown;
  readonly groups: readonly unknown[];
  readonly peers: readonly unknown[];
}): boolean {
  return node.realserver !== undefined && node.groups.length === 0 && node.peers.length === 0;
}

/** isRealServerOnly for a document that may not have passed the schema. */
export function documentIsRealServerOnly(data: Unchecked): boolean {
  return isRealServerOnly({
    realserver: data['realserver'],
    groups: list(data['groups']),
    peers: list(obj(data['cluster'])?.['peers']),
  });
}

/** Peers: unique ids and addresses, and never this node itself. */
function checkPeers(data: Unchecked, problems: ProblemList): void {
  const nodeId = str(obj(data['node'])?.['id']);
  const peerIds = new Map<string, number>();
  const peerAddresses = new Map<string, number>();
  list(obj(data['cluster'])?.['peers']).forEach((peer, i) => {
    const id = str(obj(peer)?.['id']);
    const address = str(obj(peer)?.['address']);
    if (id !== undefined) {
      if (id === nodeId)
        problems.error(['cluster', 'peers', i, 'id'], `"${id}" is this node's own id (node.id)`);
      const first = peerIds.get(id);
      if (first !== undefined)
        problems.error(
          ['cluster', 'peers', i, 'id'],
          `duplicate peer id "${id}" (also cluster.peers[${first}])`,
        );
      else peerIds.set(id, i);
    }
    if (address !== undefined) {
      const first = peerAddresses.get(address);
      if (first !== undefined)
        problems.error(
          ['cluster', 'peers', i, 'address'],
          `duplicate peer address ${address} (also cluster.peers[${first}])`,
        );
      else peerAddresses.set(address, i);
    }
  });
}

/** Whether the node runs the heartbeat mesh (needs node.listen and a cluster key). */
export function documentNeedsMesh(data: Unchecked): boolean {
  return needsMesh(data, documentIsRealServerOnly(data));
}

/** node.listen is required unless the node needs no mesh; the API needs its own port. */
function checkListenAddresses(data: Unchecked, problems: ProblemList): void {
  const node = obj(data['node']);
  const api = obj(data['api']);
  const nodeListen = str(node?.['listen']);
  if (node !== undefined && nodeListen === undefined && documentNeedsMesh(data)) {
    problems.error(['node'], 'missing required key "listen"');
  }
  const apiListen = str(api?.['listen']);
  if (
    api?.['enabled'] !== false &&
    nodeListen !== undefined &&
    nodeListen === apiListen &&
    !nodeListen.endsWith(':0')
  ) {
    problems.error(
      ['api', 'listen'],
      `same address as node.listen (${nodeListen}); the API needs its own port`,
    );
  }
}

/** Trackers: unique names, and a ca_file only where it is used. Returns name → index. */
function checkTrackers(data: Unchecked, problems: ProblemList): Map<string, number> {
  const trackerNames = new Map<string, number>();
  list(data['trackers']).forEach((tracker, i) => {
    const t = obj(tracker);
    noteUniqueName(problems, trackerNames, 'trackers', 'tracker', str(t?.['name']), i);
    if (t?.['type'] === 'http' && str(t['ca_file']) !== undefined) {
      const url = str(t['url']) ?? '';
      if (!url.startsWith('https://') || t['tls_verify'] === false) {
        problems.warn(
          ['trackers', i, 'ca_file'],
          'ca_file is only used for an https:// URL with tls_verify on; it is ignored here',
        );
      }
    }
  });
  return trackerNames;
}

/**
 * Groups: unique names, every VIP in one place only, labels the kernel accepts, trackers that
 * exist and are listed once. Returns the names of the trackers some group tracks.
 */
function checkGroups(
  data: Unchecked,
  problems: ProblemList,
  trackerNames: ReadonlyMap<string, number>,
): Set<string> {
  const groupNames = new Map<string, number>();
  const vipOwners = new Map<string, string>();
  const trackerUsed = new Set<string>();
  list(data['groups']).forEach((group, g) => {
    const raw = obj(group);
    const name = str(raw?.['name']);
    noteUniqueName(problems, groupNames, 'groups', 'group', name, g);
    list(raw?.['addresses']).forEach((address, a) => {
      if (typeof address !== 'string') return;
      const vip = parseVip(address);
      if (vip === null) return;
      const where = formatPath(['groups', g, 'addresses', a]);
      const first = vipOwners.get(vip.address);
      if (first !== undefined)
        problems.error(
          ['groups', g, 'addresses', a],
          `duplicate VIP ${vip.address} (also ${first})`,
        );
      else vipOwners.set(vip.address, `${where}${name === undefined ? '' : ` in group "${name}"`}`);
    });
    const label = str(raw?.['label']);
    const iface = str(raw?.['interface']);
    if (label !== undefined && iface !== undefined && !label.startsWith(iface)) {
      problems.error(
        ['groups', g, 'label'],
        `must start with the interface name "${iface}", e.g. "${iface}:vip"`,
      );
    }
    const tracked = new Set<string>();
    list(raw?.['track']).forEach((ref, r) => {
      const tracker = str(obj(ref)?.['tracker']);
      if (tracker === undefined) return;
      trackerUsed.add(tracker);
      if (!trackerNames.has(tracker)) {
        const known = [...trackerNames.keys()];
        problems.error(
          ['groups', g, 'track', r, 'tracker'],
          `unknown tracker "${tracker}"; ${known.length === 0 ? 'no trackers are defined under "trackers"' : `defined: ${known.join(', ')}`}`,
        );
      }
      if (tracked.has(tracker))
        problems.error(
          ['groups', g, 'track', r, 'tracker'],
          `tracker "${tracker}" is listed twice`,
        );
      tracked.add(tracker);
    });
  });
  return trackerUsed;
}

/**
 * The announcer refuses a refresh faster than 100ms (a flood, not a refresh); say so now,
 * not at the first takeover.
 */
function checkRefresh(data: Unchecked, problems: ProblemList): void {
  const check = (path: Path, value: unknown) => {
    const ms = typeof value === 'string' ? parseDurationMs(value) : null;
    if (ms !== null && ms > 0 && ms < MIN_REFRESH_MS) {
      problems.error(
        path,
        `must be 0s (off) or at least ${MIN_REFRESH_MS}ms (got ${String(value)})`,
      );
    }
  };
  check(['announce', 'refresh'], obj(data['announce'])?.['refresh']);
  list(data['groups']).forEach((group, g) => {
    check(['groups', g, 'announce', 'refresh'], obj(obj(group)?.['announce'])?.['refresh']);
  });
}

/** The real-server role's own cross-key rules (duplicate VIPs in other spellings, …). */
function checkRealServer(data: Unchecked, problems: ProblemList): void {
  const section = obj(data['realserver']);
  if (section === undefined) return;
  try {
    toRealServerConfig(section as unknown as RealServerSection);
  } catch (error) {
    // Shape errors are the schema's to report; only report the role's own rules when the
    // section is otherwise well formed.
    if (error instanceof RealServerError) problems.error(['realserver'], error.message);
  }
}

/**
 * Records `name` at `section[index]`, or reports it as a duplicate of the first entry that
 * used it: the same rule for trackers and groups, which are referred to by name.
 */
function noteUniqueName(
  problems: ProblemList,
  seen: Map<string, number>,
  section: 'trackers' | 'groups' | readonly ['notify', 'webhooks'],
  kind: string,
  name: string | undefined,
  index: number,
): void {
  if (name === undefined) return;
  const first = seen.get(name);
  if (first === undefined) {
    seen.set(name, index);
    return;
  }
  const sectionPath = typeof section === 'string' ? [section] : section;
  problems.error(
    [...sectionPath, index, 'name'],
    `duplicate ${kind} name "${name}" (also ${formatPath([...sectionPath, first])})`,
  );
}
