// The rules of `vrrp:` groups that the schema cannot state: one address family per group
// (RFC 5798 §5.2.9 runs IPv4 and IPv6 virtual routers apart), one owner of each VRID on a
// link, intervals the wire can carry, and sync groups that one decider can keep together.

import { isIPv6 } from 'node:net';
import { parseVip } from './addresses.js';
import { parseDurationMs } from './duration.js';
import type { ProblemList } from './problems.js';
import { list, obj, str, type Unchecked } from './unchecked.js';

/** RFC 5798 §5.2.7: Max Adver Int counts centiseconds. */
export const VRRP_INTERVAL_STEP_MS = 10;
export const VRRP_VERSION = 3;

interface VrrpGroupDoc {
  readonly index: number;
  readonly name: string | undefined;
  readonly raw: Unchecked;
  readonly vrrp: Unchecked | undefined;
}

function groupsOf(data: Unchecked): VrrpGroupDoc[] {
  return list(data['groups']).flatMap((group, index) => {
    const raw = obj(group);
    if (raw === undefined) return [];
    return [{ index, name: str(raw['name']), raw, vrrp: obj(raw['vrrp']) }];
  });
}

/**
 * Whether a node runs the heartbeat mesh at all: not a real server only, and not a node whose
 * groups all use VRRP on the wire while it lists no peers. Such a node needs no node.listen
 * and no cluster key.
 */
export function documentNeedsMesh(data: Unchecked, realServerOnly: boolean): boolean {
  if (realServerOnly) return false;
  const groups = list(data['groups']);
  const peers = list(obj(data['cluster'])?.['peers']);
  const allVrrp = groups.length > 0 && groups.every((g) => obj(obj(g)?.['vrrp']) !== undefined);
  return !(allVrrp && peers.length === 0);
}

export function checkVrrpGroups(data: Unchecked, problems: ProblemList): void {
  const groups = groupsOf(data);
  const vridOwners = new Map<string, number>();
  const linkSettings = new Map<string, { index: number; settings: string }>();
  for (const group of groups) {
    if (group.vrrp === undefined) continue;
    const family = checkOneFamily(group, problems);
    checkVersion(group, problems);
    checkInterval(group, problems);
    if (family !== null) {
      checkVrid(group, family, vridOwners, problems);
      checkAddressFamilies(group, family, problems);
      checkSharedLink(group, family, linkSettings, problems);
    }
  }
  checkSyncGroups(groups, problems);
}

/** Every VIP of one family; returns it, or null when the addresses say nothing (or mix). */
function checkOneFamily(group: VrrpGroupDoc, problems: ProblemList): 4 | 6 | null {
  let first: { readonly family: 4 | 6; readonly index: number } | null = null;
  let mixed = false;
  const addresses = list(group.raw['addresses']);
  for (const [a, address] of addresses.entries()) {
    const vip = typeof address === 'string' ? parseVip(address) : null;
    if (vip === null) continue;
    if (first === null) first = { family: vip.family, index: a };
    if (vip.family === first.family) continue;
    mixed = true;
    problems.error(
      ['groups', group.index, 'addresses', a],
      `a VRRP group's VIPs must all be IPv${first.family} like addresses[${first.index}]: ` +
        'RFC 5798 runs IPv4 and IPv6 virtual routers apart. Put the IPv' +
        `${vip.family} VIPs in a group of their own (it may use the same vrid)`,
    );
  }
  return mixed || first === null ? null : first.family;
}

function checkVersion(group: VrrpGroupDoc, problems: ProblemList): void {
  const version = group.vrrp?.['version'];
  if (typeof version !== 'number' || version === VRRP_VERSION) return;
  problems.error(
    ['groups', group.index, 'vrrp', 'version'],
    `must be ${VRRP_VERSION} (got ${version}): vipd speaks VRRPv3 (RFC 5798) only; VRRPv2 ` +
      'adverts are recognised and refused. keepalived speaks v3 with `vrrp_version 3`',
  );
}

function checkInterval(group: VrrpGroupDoc, problems: ProblemList): void {
  const text = str(group.vrrp?.['advert_interval']);
  const ms = text === undefined ? null : parseDurationMs(text);
  if (ms === null || ms % VRRP_INTERVAL_STEP_MS === 0) return;
  problems.error(
    ['groups', group.index, 'vrrp', 'advert_interval'],
    `must be a multiple of ${VRRP_INTERVAL_STEP_MS}ms (got ${text}): VRRP carries the ` +
      'interval in centiseconds',
  );
}

/** One virtual router per VRID on a link and family (RFC 5798 §5.2.3). */
function checkVrid(
  group: VrrpGroupDoc,
  family: 4 | 6,
  owners: Map<string, number>,
  problems: ProblemList,
): void {
  const vrid = group.vrrp?.['vrid'];
  const iface = str(group.raw['interface']);
  if (typeof vrid !== 'number' || iface === undefined) return;
  const key = `${iface}|${family}|${vrid}`;
  const first = owners.get(key);
  if (first === undefined) {
    owners.set(key, group.index);
    return;
  }
  problems.error(
    ['groups', group.index, 'vrrp', 'vrid'],
    `vrid ${vrid} is already used on ${iface} for IPv${family} by groups[${first}]: each ` +
      'virtual router on a link needs its own vrid',
  );
}

/**
 * The groups of one link share one socket (one source address, one set of unicast peers),
 * so they must say the same about both.
 */
function checkSharedLink(
  group: VrrpGroupDoc,
  family: 4 | 6,
  seen: Map<string, { index: number; settings: string }>,
  problems: ProblemList,
): void {
  const iface = str(group.raw['interface']);
  if (iface === undefined) return;
  const key = `${iface}|${family}`;
  const settings = JSON.stringify([
    group.vrrp?.['source_address'] ?? null,
    list(group.vrrp?.['unicast_peers']).map(String).sort(),
  ]);
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, { index: group.index, settings });
    return;
  }
  if (first.settings === settings) return;
  problems.error(
    ['groups', group.index, 'vrrp'],
    `source_address and unicast_peers must be the same as groups[${first.index}]'s: the VRRP ` +
      `groups on ${iface} (IPv${family}) share one socket`,
  );
}

/** A pinned source and the unicast peers speak the group's family. */
function checkAddressFamilies(group: VrrpGroupDoc, family: 4 | 6, problems: ProblemList): void {
  const check = (path: (string | number)[], value: unknown) => {
    if (typeof value !== 'string') return;
    if ((isIPv6(value) ? 6 : 4) !== family)
      problems.error(
        ['groups', group.index, 'vrrp', ...path],
        `${value} is not IPv${family} like the group's VIPs`,
      );
  };
  check(['source_address'], group.vrrp?.['source_address']);
  list(group.vrrp?.['unicast_peers']).forEach((peer, i) => {
    check(['unicast_peers', i], peer);
  });
}

/** A sync group is kept together by one decider: the mesh's election, or the VRRP side. */
function checkSyncGroups(groups: readonly VrrpGroupDoc[], problems: ProblemList): void {
  const firstBySync = new Map<string, VrrpGroupDoc>();
  for (const group of groups) {
    const sync = str(group.raw['sync_group']);
    if (sync === undefined) continue;
    const first = firstBySync.get(sync);
    if (first === undefined) {
      firstBySync.set(sync, group);
      continue;
    }
    if ((first.vrrp === undefined) === (group.vrrp === undefined)) continue;
    const mode = (g: VrrpGroupDoc) => (g.vrrp === undefined ? 'the mesh' : 'VRRP');
    problems.error(
      ['groups', group.index, 'sync_group'],
      `sync group "${sync}" mixes ${mode(first)} (groups[${first.index}]` +
        `${first.name === undefined ? '' : ` "${first.name}"`}) and ${mode(group)} (this group): ` +
        'they decide apart and could not fail over together; give every group of the sync ' +
        'group `vrrp:` or none',
    );
  }
}
