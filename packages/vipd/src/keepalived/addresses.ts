// virtual_ipaddress lines (`ADDR[/PREFIX] [dev IF] [label L] [brd B] [scope S] …`) as a vipd
// group's `addresses` and `label`. The prefix is always written: keepalived's default is /32
// or /128, which is vipd's too, but spelled out the reader does not have to know that.
//
// An address that cannot come along is a real difference on the wire: VRRPv3 adverts carry
// the address list and keepalived ignores a master whose list differs from its own, so such
// notes say so.

import { parseVip } from '../config/addresses.js';
import type { Directive } from './directive.js';
import type { ConversionNotes } from './notes.js';

const LABEL_MAX_CHARS = 15;
/** Options keepalived takes a value for, and flags without one; vipd has none of them. */
const VALUED_OPTIONS = new Set(['brd', 'scope', 'peer', 'preferred_lft']);
const FLAG_OPTIONS = new Set([
  'home',
  '-nodad',
  'nodad',
  'mngtmpaddr',
  'noprefixroute',
  'autojoin',
  'no_track',
  'use_vmac',
]);

export interface ConvertedAddresses {
  readonly addresses: string[];
  readonly family: 4 | 6 | null;
  readonly label?: string;
}

interface AddressLine {
  readonly address: string;
  readonly family: 4 | 6;
  readonly dev?: string;
  readonly label?: string;
}

const ADVERT_MISMATCH =
  "so vipd's adverts list one address fewer than keepalived's, and keepalived ignores a master whose list differs";

/** One line's address and the options vipd can use; null when the address must stay behind. */
function readAddressLine(entry: Directive, notes: ConversionNotes): AddressLine | null {
  const vip = parseVip(entry.keyword);
  if (vip === null) {
    notes.notConverted(entry, `"${entry.keyword}" is not an IP address with an optional /prefix`);
    return null;
  }
  let dev: string | undefined;
  let label: string | undefined;
  const args = [...entry.args];
  for (let option = args.shift(); option !== undefined; option = args.shift()) {
    if (option === 'dev' || option === 'label') {
      const value = args.shift();
      if (option === 'dev') dev = value;
      else label = value;
    } else if (VALUED_OPTIONS.has(option)) {
      notes.notConverted(
        { ...entry, keyword: `${entry.keyword} ${option} ${args.shift() ?? ''}`.trim() },
        option === 'brd'
          ? 'vipd adds the address with no broadcast address set'
          : `vipd has no "${option}" for its addresses`,
      );
    } else if (FLAG_OPTIONS.has(option)) {
      notes.notConverted(
        { ...entry, keyword: `${entry.keyword} ${option}` },
        `vipd has no "${option}" for its addresses`,
      );
    } else {
      notes.notConverted(
        { ...entry, keyword: `${entry.keyword} ${option}` },
        'unknown address option',
      );
    }
  }
  return {
    address: `${vip.address}/${vip.prefixLength}`,
    family: vip.family,
    ...(dev === undefined ? {} : { dev }),
    ...(label === undefined ? {} : { label }),
  };
}

/** The one label vipd can give the group's IPv4 addresses, with notes where that differs. */
function groupLabel(
  labelled: readonly [Directive, AddressLine][],
  ipv4Count: number,
  groupInterface: string,
  notes: ConversionNotes,
): string | undefined {
  const [first, ...others] = labelled;
  if (first === undefined) return undefined;
  const label = first[1].label ?? '';
  if (
    !label.startsWith(groupInterface) ||
    label.length > LABEL_MAX_CHARS ||
    first[1].family !== 4
  ) {
    notes.notConverted(
      first[0],
      `label ${label}: vipd labels only IPv4 addresses, with a label that starts with the interface name (${groupInterface}) and has at most ${LABEL_MAX_CHARS} characters`,
    );
    return undefined;
  }
  for (const [entry, line] of others)
    if (line.label !== label)
      notes.notConverted(entry, `label ${line.label}: a vipd group has one label, ${label}`);
  if (labelled.length < ipv4Count)
    notes.changed(
      first[0],
      `vipd puts label ${label} on every IPv4 address of the group, not on this one only`,
    );
  return label;
}

export function convertVirtualAddresses(
  block: readonly Directive[],
  groupInterface: string,
  notes: ConversionNotes,
): ConvertedAddresses {
  const kept: [Directive, AddressLine][] = [];
  for (const entry of block) {
    const line = readAddressLine(entry, notes);
    if (line === null) continue;
    const family = kept[0]?.[1].family ?? line.family;
    if (line.dev !== undefined && line.dev !== groupInterface) {
      notes.notConverted(
        entry,
        `dev ${line.dev}: a vipd group holds its addresses on its own interface (${groupInterface}), ${ADVERT_MISMATCH}`,
      );
    } else if (line.family !== family) {
      notes.notConverted(
        entry,
        `IPv${line.family} in an IPv${family} instance: a VRRP group holds one address family (RFC 5798); give it an instance of its own`,
      );
    } else if (kept.some(([, other]) => other.address === line.address)) {
      notes.notConverted(entry, `${line.address} is listed twice`);
    } else {
      kept.push([entry, line]);
    }
  }
  const labelled = kept.filter(([, line]) => line.label !== undefined);
  const ipv4Count = kept.filter(([, line]) => line.family === 4).length;
  const label = groupLabel(labelled, ipv4Count, groupInterface, notes);
  return {
    addresses: kept.map(([, line]) => line.address),
    family: kept[0]?.[1].family ?? null,
    ...(label === undefined ? {} : { label }),
  };
}
