// `vipctl status` as a monitoring check, and `vipctl status --cluster`: every node's view of
// every group side by side, from each node's own API, with disagreements marked. A node does
// not know its peers' API addresses (only their heartbeat addresses), so a peer's API is taken
// as its heartbeat host with this node's API port, unless --peer-api names it.

import { InvalidArgumentError } from 'commander';
import type { StatusView } from '../api/control.js';
import { EXIT } from './exit-codes.js';
import { CliFailure, type NodeTarget } from './node-target.js';
import { call, failIfError, table, type VipctlHooks } from './vipctl.js';

export const STATUS_EXIT_HELP = `
Exit status:
  0   every group has a master and none is in FAULT (a witness, with no groups: 0)
  10  a group is in FAULT or has no master on this node; with --cluster, also when a node
      cannot be reached or the nodes disagree on a group's master
  5-8 as for every vipctl command (refused, unauthorised, not found, API unavailable)
  1   anything else`;

/** What is wrong with the groups as this node sees them; empty when healthy. */
export function statusProblems(status: StatusView, node = status.node.id): string[] {
  return status.groups.flatMap((g) => {
    if (g.state === 'FAULT') return [`${g.name} is in FAULT on ${node}`];
    if (g.master === null) return [`${g.name} has no master (seen from ${node})`];
    return [];
  });
}

export function throwIfUnhealthy(problems: readonly string[]): void {
  if (problems.length === 0) return;
  throw new CliFailure(EXIT.UNHEALTHY, 'UNHEALTHY', problems.join('; '));
}

export function collectPeerApi(
  value: string,
  previous: Record<string, string>,
): Record<string, string> {
  const match = /^([^=\s]+)=(https?:\/\/\S+)$/.exec(value);
  if (match?.[1] === undefined || match[2] === undefined)
    throw new InvalidArgumentError('id=http://host:port');
  return { ...previous, [match[1]]: match[2].replace(/\/+$/, '') };
}

export interface NodeView {
  readonly node: string;
  readonly api: string;
  /** null: the node did not answer; `error` says why. */
  readonly status: StatusView | null;
  readonly error?: string;
}

export async function clusterViews(
  hooks: VipctlHooks,
  target: NodeTarget,
  local: StatusView,
  peerApi: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<NodeView[]> {
  const here = target.url().url;
  const port = new URL(here).port;
  const peers = local.peers.map(async (peer): Promise<NodeView> => {
    const api = peerApi[peer.id] ?? `http://${hostOf(peer.address)}:${port}`;
    try {
      const where = {
        url: () => ({
          url: api,
          source:
            peerApi[peer.id] === undefined
              ? `${peer.id}'s heartbeat host, this API's port; or --peer-api`
              : '--peer-api',
        }),
      };
      const answer = await call(hooks, where, { method: 'GET', path: '/v1/status', timeoutMs });
      failIfError(answer, `status of ${peer.id}`);
      return { node: peer.id, api, status: answer.body as StatusView };
    } catch (error) {
      return { node: peer.id, api, status: null, error: (error as Error).message };
    }
  });
  return [{ node: local.node.id, api: here, status: local }, ...(await Promise.all(peers))];
}

/** "host:port" or "[v6]:port" to a host for a URL (brackets kept for IPv6). */
function hostOf(address: string): string {
  const bracketed = /^(\[[^\]]+\]):\d+$/.exec(address);
  if (bracketed?.[1] !== undefined) return bracketed[1];
  return address.replace(/:\d+$/, '');
}

interface GroupAcrossNodes {
  readonly name: string;
  readonly cells: string[];
  readonly masters: Set<string>;
  readonly claimants: string[];
}

function groupsAcross(views: readonly NodeView[]): GroupAcrossNodes[] {
  const names = [...new Set(views.flatMap((v) => v.status?.groups.map((g) => g.name) ?? []))];
  return names.map((name) => {
    const masters = new Set<string>();
    const claimants: string[] = [];
    const cells = views.map((view) => {
      if (view.status === null) return 'unreachable';
      const group = view.status.groups.find((g) => g.name === name);
      if (group === undefined) return '-';
      if (group.master !== null) masters.add(group.master);
      if (group.state === 'MASTER') claimants.push(view.node);
      return `${group.state}${group.master === null ? '' : ` (${group.master})`}`;
    });
    return { name, cells, masters, claimants };
  });
}

function disagreement(group: GroupAcrossNodes): string | null {
  if (group.claimants.length > 1) return `${group.claimants.join(' and ')} both MASTER`;
  if (group.masters.size > 1) return `masters seen: ${[...group.masters].join(', ')}`;
  if (group.masters.size === 0) return 'no master';
  return null;
}

export function renderClusterStatus(views: readonly NodeView[]): string {
  const groups = groupsAcross(views);
  const rows = [
    ['GROUP', ...views.map((v) => v.node.toUpperCase()), 'AGREE'],
    ...groups.map((g) => [
      g.name,
      ...g.cells,
      disagreement(g) === null ? 'yes' : `NO: ${disagreement(g) ?? ''}`,
    ]),
  ];
  const unreachable = views
    .filter((v) => v.status === null)
    .map((v) => `${v.node} at ${v.api}: ${v.error ?? 'no answer'}`);
  return `${table(rows)}\n${unreachable.length === 0 ? '' : `\nunreachable: ${unreachable.join('; ')}\n`}`;
}

export function clusterProblems(views: readonly NodeView[]): string[] {
  return [
    ...views.filter((v) => v.status === null).map((v) => `${v.node} did not answer (${v.api})`),
    ...groupsAcross(views).flatMap((g) => {
      const why = disagreement(g);
      return why === null ? [] : [`${g.name}: ${why}`];
    }),
    ...views.flatMap((v) =>
      v.status === null ? [] : statusProblems(v.status).filter((p) => p.includes('FAULT')),
    ),
  ];
}
