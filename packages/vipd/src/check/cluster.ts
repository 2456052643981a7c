// `vipd check --cluster a.yaml b.yaml …`: the node files of one cluster agree with each other.
// Each file has passed on its own; this compares them: unique node ids, the same cluster name,
// timing and TLS, keys every node accepts, peers that dial each other's node.listen, the same
// VIPs per group, and a clear top priority per group. Pure: loaded configs in, problems out.

import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { normalizeIp } from '@vipd/arp';
import { formatDuration } from '../config/duration.js';
import { isWildcard } from '../config/ip-ranges.js';
import { formatPath } from '../config/locate.js';
import type { Locator, Path, Severity } from '../config/problems.js';
import type { Secret } from '../config/secret.js';
import type { ConfigProblem, VipdConfig } from '../config/types.js';
import { vipText } from '../driver/vip-holder.js';

export interface ClusterNode {
  readonly file: string;
  readonly config: VipdConfig;
  readonly locate: Locator;
}

export interface ClusterProblem extends ConfigProblem {
  readonly file: string;
  readonly severity: Severity;
}

/** `sha256:` and the first 16 hex digits of the key's hash: names a key, reveals nothing. */
export function keyFingerprint(key: Secret): string {
  return `sha256:${createHash('sha256').update(key.reveal()).digest('hex').slice(0, 16)}`;
}

class Findings {
  readonly problems: ClusterProblem[] = [];

  add(node: ClusterNode, severity: Severity, path: Path, message: string): void {
    const position = node.locate(path);
    this.problems.push({
      file: node.file,
      severity,
      path: formatPath(path),
      ...(position === undefined ? {} : { line: position.line, column: position.column }),
      message,
      code: 'CLUSTER_MISMATCH',
    });
  }
}

export function checkCluster(nodes: readonly ClusterNode[]): ClusterProblem[] {
  const findings = new Findings();
  checkNodeIds(nodes, findings);
  checkShared(nodes, findings);
  checkKeys(nodes, findings);
  checkPeers(nodes, findings);
  checkGroups(nodes, findings);
  // File by file, each top to bottom, as an operator fixes them.
  const order = (p: ClusterProblem) => nodes.findIndex((node) => node.file === p.file);
  return findings.problems.sort(
    (a, b) =>
      order(a) - order(b) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

function checkNodeIds(nodes: readonly ClusterNode[], findings: Findings): void {
  const first = new Map<string, ClusterNode>();
  for (const node of nodes) {
    const other = first.get(node.config.node.id);
    if (other === undefined) first.set(node.config.node.id, node);
    else
      findings.add(
        node,
        'error',
        ['node', 'id'],
        `node id "${node.config.node.id}" is also ${other.file}'s; every node needs its own`,
      );
  }
}

interface Shared {
  readonly path: Path;
  readonly what: string;
  readonly severity: Severity;
  readonly value: (config: VipdConfig) => string;
}

const SHARED: readonly Shared[] = [
  {
    path: ['cluster', 'name'],
    what: 'cluster name',
    severity: 'error',
    value: (c) => c.cluster.name,
  },
  {
    path: ['cluster', 'heartbeat_interval'],
    what: 'heartbeat interval',
    severity: 'error',
    value: (c) => formatDuration(c.cluster.heartbeatIntervalMs),
  },
  {
    path: ['cluster', 'down_multiplier'],
    what: 'down multiplier',
    severity: 'error',
    value: (c) => String(c.cluster.downMultiplier),
  },
  {
    path: ['cluster', 'tls'],
    what: 'TLS',
    severity: 'error',
    value: (c) => (c.cluster.tls === undefined ? 'off' : 'on'),
  },
  {
    // A node without them still works; it only loses (and costs its peers) the one-way-cut
    // protection, so a warning.
    path: ['cluster', 'heartbeat_datagram'],
    what: 'heartbeat_datagram',
    severity: 'warning',
    value: (c) => (c.cluster.heartbeatDatagram ? 'on' : 'off'),
  },
  {
    path: ['cluster', 'quorum'],
    what: 'quorum guard',
    severity: 'warning',
    value: (c) => (c.cluster.quorum ? 'on' : 'off'),
  },
];

/** What most files say; ties go to the earliest file, so the first file sets the tone. */
function majority(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = values[0] ?? '';
  for (const [value, count] of counts) if (count > (counts.get(best) ?? 0)) best = value;
  return best;
}

/** Settings every node must share; the odd ones out are reported against the majority. */
function checkShared(nodes: readonly ClusterNode[], findings: Findings): void {
  for (const rule of SHARED) {
    const values = nodes.map((node) => rule.value(node.config));
    const common = majority(values);
    const holders = nodes.filter((_, i) => values[i] === common).map((n) => n.file);
    nodes.forEach((node, i) => {
      if (values[i] !== common)
        findings.add(
          node,
          rule.severity,
          rule.path,
          `${rule.what} is ${values[i]} here but ${common} in ${holders.join(', ')}`,
        );
    });
  }
}

/** Every node must accept every other node's signing key (its key_file or accept_key_files). */
function checkKeys(nodes: readonly ClusterNode[], findings: Findings): void {
  const signing = nodes.map((node) => keyFingerprint(node.config.cluster.key));
  let refused = 0;
  nodes.forEach((node, i) => {
    const accepted = new Set([signing[i], ...node.config.cluster.acceptKeys.map(keyFingerprint)]);
    // One line per key refused, naming every file that signs with it.
    const refusedFiles = new Map<string, string[]>();
    nodes.forEach((other, j) => {
      const key = signing[j] ?? '';
      if (!accepted.has(key)) refusedFiles.set(key, [...(refusedFiles.get(key) ?? []), other.file]);
    });
    for (const [key, files] of refusedFiles) {
      refused++;
      findings.add(
        node,
        'error',
        ['cluster', 'key_file'],
        `does not accept the key ${files.join(', ')} sign${files.length === 1 ? 's' : ''} with (${key}; this node's is ${signing[i]}): heartbeats between them are refused`,
      );
    }
  });
  if (refused === 0) noteRotation(nodes, signing, findings);
}

/** Different signing keys that every node accepts: a rotation under way, to be finished. */
function noteRotation(
  nodes: readonly ClusterNode[],
  signing: readonly string[],
  findings: Findings,
): void {
  const common = majority(signing);
  nodes.forEach((node, i) => {
    if (signing[i] !== common)
      findings.add(
        node,
        'warning',
        ['cluster', 'key_file'],
        `signs with ${signing[i]}, most nodes with ${common}: fine during a key rotation; finish it (docs/security.md)`,
      );
  });
}

/** Each node lists every other node as a peer, at the address that node listens on. */
function checkPeers(nodes: readonly ClusterNode[], findings: Findings): void {
  const byId = new Map(nodes.map((node) => [node.config.node.id, node]));
  for (const node of nodes) {
    for (const other of nodes) {
      if (other === node || other.config.node.id === node.config.node.id) continue;
      const index = node.config.cluster.peers.findIndex((p) => p.id === other.config.node.id);
      if (index === -1)
        findings.add(
          node,
          'error',
          ['cluster', 'peers'],
          `lists no peer "${other.config.node.id}" (node.id in ${other.file}); every node must list every other`,
        );
      else checkPeerAddress(node, index, other, findings);
    }
    node.config.cluster.peers.forEach((peer, p) => {
      if (!byId.has(peer.id))
        findings.add(
          node,
          'warning',
          ['cluster', 'peers', p, 'id'],
          `peer "${peer.id}" is not the node.id of any file checked`,
        );
    });
  }
}

function checkPeerAddress(
  node: ClusterNode,
  index: number,
  other: ClusterNode,
  findings: Findings,
): void {
  const peer = node.config.cluster.peers[index];
  if (peer === undefined) return;
  const listen = other.config.node.listenEndpoint;
  // A name or a wildcard listener cannot be compared without DNS or the other host: the port can.
  const hostsComparable = isIP(peer.endpoint.host) !== 0 && !isWildcard(listen.host);
  const sameHost = !hostsComparable || normalizeIp(peer.endpoint.host) === normalizeIp(listen.host);
  if (sameHost && peer.endpoint.port === listen.port) return;
  findings.add(
    node,
    'error',
    ['cluster', 'peers', index, 'address'],
    `dials ${peer.address}, but ${other.config.node.id} listens on ${other.config.node.listen} (node.listen in ${other.file})`,
  );
}

interface Holder {
  readonly node: ClusterNode;
  readonly index: number;
  readonly vips: string;
  readonly priority: number;
}

/** Group name → the nodes that hold it, in file order. */
function holdersByGroup(nodes: readonly ClusterNode[]): Map<string, Holder[]> {
  const groups = new Map<string, Holder[]>();
  for (const node of nodes) {
    node.config.groups.forEach((group, index) => {
      const vips = group.vips.map(vipText).sort().join(', ');
      const holder = { node, index, vips, priority: group.priority };
      groups.set(group.name, [...(groups.get(group.name) ?? []), holder]);
    });
  }
  return groups;
}

function checkGroups(nodes: readonly ClusterNode[], findings: Findings): void {
  const withGroups = nodes.filter((node) => node.config.groups.length > 0);
  for (const [name, holders] of holdersByGroup(nodes)) {
    checkGroupVips(name, holders, findings);
    checkGroupHolders(name, holders, withGroups, findings);
    checkTopPriority(name, holders, findings);
  }
}

function checkGroupVips(name: string, holders: readonly Holder[], findings: Findings): void {
  const common = majority(holders.map((h) => h.vips));
  const agreeing = holders.filter((h) => h.vips === common).map((h) => h.node.file);
  for (const h of holders)
    if (h.vips !== common)
      findings.add(
        h.node,
        'error',
        ['groups', h.index, 'addresses'],
        `group "${name}" has VIPs ${h.vips} here but ${common} in ${agreeing.join(', ')}`,
      );
}

/** A group every node with groups has is the rule; one held by a single node cannot move. */
function checkGroupHolders(
  name: string,
  holders: readonly Holder[],
  withGroups: readonly ClusterNode[],
  findings: Findings,
): void {
  const only = holders[0];
  if (holders.length === 1 && only !== undefined) {
    findings.add(
      only.node,
      'warning',
      ['groups', only.index, 'name'],
      `only this node has group "${name}": nothing can fail over to another node`,
    );
    return;
  }
  for (const node of withGroups) {
    if (!holders.some((h) => h.node === node))
      findings.add(
        node,
        'warning',
        ['groups'],
        `has no group "${name}" (${holders.map((h) => h.node.file).join(', ')} have it)`,
      );
  }
}

/** Ties at the top are broken by the greater node id: a clear order says who is meant. */
function checkTopPriority(name: string, holders: readonly Holder[], findings: Findings): void {
  const top = Math.max(...holders.map((h) => h.priority));
  const tied = holders.filter((h) => h.priority === top);
  if (tied.length < 2) return;
  const ids = tied.map((h) => h.node.config.node.id);
  const winner = [...ids].sort().at(-1);
  for (const h of tied)
    findings.add(
      h.node,
      'warning',
      ['groups', h.index, 'priority'],
      `priority ${top} ties for the top of group "${name}" with ${ids.filter((id) => id !== h.node.config.node.id).join(', ')}: the greater node id (${winner}) becomes master, not a choice written down`,
    );
}
