// The rules of `routed:` groups that the schema cannot state. A routed group is announced by
// a route per VIP that BIRD exports over BGP, so each VIP is one host address (a /32 or /128
// route; a wider prefix would draw a whole subnet to this node), it lives on lo (so no
// `interface`, and no label naming another one), and no VRRP decides it (VRRP is an L2
// protocol). Every other group still needs its interface.

import { parseVip } from './addresses.js';
import type { ProblemList } from './problems.js';
import { RESERVED_ROUTE_TABLES } from './schema.js';
import { list, obj, type Unchecked } from './unchecked.js';

/** Where a routed group's VIPs go: Linux never answers ARP or NA for an address on lo. */
export const ROUTED_INTERFACE = 'lo';

export function checkRoutedGroups(data: Unchecked, problems: ProblemList): void {
  list(data['groups']).forEach((group, index) => {
    const raw = obj(group);
    if (raw === undefined) return;
    const path = ['groups', index];
    const routed = obj(raw['routed']);
    if (routed === undefined) {
      if (raw['interface'] === undefined) problems.error(path, 'missing required key "interface"');
      return;
    }
    if (raw['interface'] !== undefined)
      problems.error(
        [...path, 'interface'],
        'a routed group has no interface: its VIPs go on lo and are announced by route; remove the key',
      );
    if (raw['label'] !== undefined)
      problems.error(
        [...path, 'label'],
        'a routed group puts its VIPs on lo without a label; remove the key',
      );
    if (raw['vrrp'] !== undefined)
      problems.error(
        [...path, 'vrrp'],
        'a group is either decided by VRRP on a LAN or announced by route, not both; remove `vrrp` or `routed`',
      );
    const table = routed['table'];
    if (typeof table === 'number' && (RESERVED_ROUTE_TABLES as readonly number[]).includes(table))
      problems.error(
        [...path, 'routed', 'table'],
        `table ${table} is the kernel's own (253 default, 254 main, 255 local); pick a spare table no routing rule uses, e.g. 250`,
      );
    checkHostAddresses(raw, index, problems);
  });
}

function checkHostAddresses(raw: Unchecked, index: number, problems: ProblemList): void {
  list(raw['addresses']).forEach((text, a) => {
    const vip = typeof text === 'string' ? parseVip(text) : null;
    const hostLength = vip?.family === 4 ? 32 : 128;
    if (vip === null || vip.prefixLength === hostLength) return;
    problems.error(
      ['groups', index, 'addresses', a],
      `a routed group's VIP is one host address (/${hostLength}): ${String(text)} would route a ` +
        `whole /${vip.prefixLength} to this node; write ${vip.address}/${hostLength} or ${vip.address}`,
    );
  });
}
