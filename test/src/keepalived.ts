import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';

/** One VRRP instance as the lab runs it on every node. */
export interface KeepalivedGroup {
  readonly name: string;
  readonly virtualRouterId: number;
  /** advert_int; VRRPv3 carries it in centiseconds, so 10 ms is the floor. */
  readonly intervalMs: number;
  /** Priority per node name; a node not listed does not run this instance. */
  readonly priorities: Readonly<Record<string, number>>;
  /** VIPs with prefix length, e.g. "10.213.5.100/24". */
  readonly addresses: readonly string[];
  readonly preempt: boolean;
  /** Unicast adverts to the other nodes instead of multicast 224.0.0.18. */
  readonly unicast: boolean;
}

export function formatAdvertInterval(intervalMs: number): string {
  // keepalived parses a decimal number of seconds.
  return String(intervalMs / 1000);
}

/**
 * keepalived.conf for one node. VRRPv3 is required for sub-second advert_int; every node
 * starts in BACKUP, as keepalived recommends, so the election alone picks the master.
 */
export function keepalivedConfig(
  lab: Lab,
  node: LabHost,
  groups: readonly KeepalivedGroup[],
): string {
  const lines = [
    'global_defs {',
    `  router_id ${node.name}`,
    '  vrrp_version 3',
    '  enable_script_security',
    '  script_user root',
    '}',
  ];
  for (const group of groups) {
    const priority = group.priorities[node.name];
    if (priority === undefined) continue;
    const peers = lab.nodes.filter((n) => n !== node && group.priorities[n.name] !== undefined);
    lines.push(
      `vrrp_instance ${group.name} {`,
      '  state BACKUP',
      `  interface ${node.interface}`,
      `  virtual_router_id ${group.virtualRouterId}`,
      `  priority ${priority}`,
      `  advert_int ${formatAdvertInterval(group.intervalMs)}`,
      ...(group.preempt ? [] : ['  nopreempt']),
      ...(group.unicast
        ? [
            `  unicast_src_ip ${node.ipv4}`,
            '  unicast_peer {',
            ...peers.map((p) => `    ${p.ipv4}`),
            '  }',
          ]
        : []),
      '  virtual_ipaddress {',
      ...group.addresses.map((address) => `    ${address} dev ${node.interface}`),
      '  }',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Starts keepalived (VRRP only, foreground, logging to the console) in a node namespace,
 * with its config and pid files in the run directory so parallel runs never share one.
 */
export function startKeepalived(
  lab: Lab,
  node: LabHost,
  groups: readonly KeepalivedGroup[],
  tag = '',
): LabProcess {
  const base = join(lab.runDir, `keepalived-${node.name}${tag}`);
  const configPath = `${base}.conf`;
  writeFileSync(configPath, keepalivedConfig(lab, node, groups));
  return lab.spawn(
    node,
    [
      'keepalived',
      '--dont-fork',
      '--log-console',
      '--log-detail',
      '--vrrp',
      '--use-file',
      configPath,
      '--pid',
      `${base}.pid`,
      '--vrrp_pid',
      `${base}.vrrp.pid`,
      '--checkers_pid',
      `${base}.checkers.pid`,
    ],
    { name: `keepalived-${node.name}${tag}` },
  );
}

/** keepalived's log line for a state change: "(web) Entering MASTER STATE". */
export function keepalivedStatePattern(
  group: string,
  state: 'MASTER' | 'BACKUP' | 'FAULT',
): RegExp {
  return new RegExp(`\\(${group}\\) Entering ${state} STATE`);
}
