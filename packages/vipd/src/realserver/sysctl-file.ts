// The optional /etc/sysctl.d snippet: the values in force after apply, for a real server run
// by `vipd realserver apply` alone. Only that command writes it; the daemon, whose unit keeps
// /etc read-only, sets the sysctls itself at every start before it adds a VIP.

import type { SysctlKey } from './types.js';

/** First line of every snippet vipd writes; a file without it is never touched. */
export const SYSCTL_FILE_MARKER = '# Written by vipd (realserver role).';

/** sysctl.d accepts dotted keys, but an interface like eth0.100 needs the slash form. */
function sysctlDKey(key: SysctlKey): string {
  const iface = key.split('/')[3] ?? '';
  return iface.includes('.') ? key : key.replaceAll('/', '.');
}

export function renderSysctlFile(values: readonly { key: SysctlKey; value: string }[]): string {
  const lines = [
    SYSCTL_FILE_MARKER,
    '# Hidden VIPs for direct routing: never answer ARP for a VIP on lo (arp_ignore), never',
    '# send one as the sender of an ARP request (arp_announce). `vipd realserver remove`',
    '# deletes this file. The kernel uses max(all, interface) for each of these.',
    ...values.map(({ key, value }) => `${sysctlDKey(key)} = ${value}`),
  ];
  return `${lines.join('\n')}\n`;
}
