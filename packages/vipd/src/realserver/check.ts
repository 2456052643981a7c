// checkRealServer: reads the host and says, per VIP and per interface, whether the VIP is
// hidden (on lo, never answered by ARP/NS, never used as an ARP sender) and whether the
// forwarded traffic will be accepted, and if not, why.

import { hostPrefixLength, ipFamily } from './addresses.js';
import {
  arpAnnounceHidesVip,
  arpIgnoreVerdict,
  effectiveSysctl,
  ipv4ConfKey,
  ipv6ConfKey,
  rpFilterMode,
} from './kernel.js';
import type {
  EffectiveSysctl,
  HostAddress,
  InterfaceReport,
  Problem,
  ProblemReason,
  RealServerConfig,
  RealServerDeps,
  RealServerReport,
  SystemOps,
  VipReport,
} from './types.js';

/** Problems that mean the VIP is not hidden (or not there to receive anything). */
const NOT_HIDDEN: ReadonlySet<ProblemReason> = new Set<ProblemReason>([
  'address_missing',
  'wrong_scope',
  'wrong_prefix',
  'vip_on_lan_interface',
  'arp_ignore_too_low',
  'arp_announce_too_low',
  'ipv6_proxy_ndp',
]);

export const IPV6_NOTE =
  'IPv6: Linux answers a neighbour solicitation only for an address on the receiving ' +
  'interface, and never takes an lo address as the source of its own solicitations, so a ' +
  '/128 on lo is hidden with no sysctl (IPv6 has no arp_ignore and needs none); ' +
  'rp_filter does not apply to IPv6.';

async function readNumber(ops: SystemOps, key: string): Promise<number | null> {
  const text = await ops.readSysctl(key);
  if (text === null) return null;
  const value = Number.parseInt(text, 10);
  return Number.isNaN(value) ? null : value;
}

async function readEffective(ops: SystemOps, iface: string, name: string) {
  const [all, own] = await Promise.all([
    readNumber(ops, ipv4ConfKey('all', name)),
    readNumber(ops, ipv4ConfKey(iface, name)),
  ]);
  return effectiveSysctl(all, own);
}

async function inspectInterface(
  ops: SystemOps,
  name: string,
  exists: boolean,
): Promise<InterfaceReport> {
  const missing = effectiveSysctl(null, null);
  if (!exists) {
    return {
      name,
      exists,
      arpIgnore: missing,
      arpAnnounce: missing,
      rpFilter: missing,
      proxyNdp: false,
      ipv6Forwarding: false,
    };
  }
  const [arpIgnore, arpAnnounce, rpFilter, proxyAll, proxyOwn, forwarding] = await Promise.all([
    readEffective(ops, name, 'arp_ignore'),
    readEffective(ops, name, 'arp_announce'),
    readEffective(ops, name, 'rp_filter'),
    readNumber(ops, ipv6ConfKey('all', 'proxy_ndp')),
    readNumber(ops, ipv6ConfKey(name, 'proxy_ndp')),
    readNumber(ops, ipv6ConfKey(name, 'forwarding')),
  ]);
  // ndisc_recv_ns: proxy_ndp is on when either all or the interface says so.
  const proxyNdp = (proxyAll ?? 0) > 0 || (proxyOwn ?? 0) > 0;
  const ipv6Forwarding = (forwarding ?? 0) > 0;
  return { name, exists, arpIgnore, arpAnnounce, rpFilter, proxyNdp, ipv6Forwarding };
}

function describe(value: EffectiveSysctl, iface: string): string {
  return `${String(value.effective)} (all ${String(value.all)}, ${iface} ${String(value.iface)})`;
}

interface Host {
  readonly addresses: readonly HostAddress[];
  readonly interfaces: readonly InterfaceReport[];
  readonly defaultRoutes4: readonly string[];
  readonly proxies: readonly { address: string; interface: string }[];
}

async function inspectVip(
  cfg: RealServerConfig,
  ops: SystemOps,
  host: Host,
  vip: string,
): Promise<VipReport> {
  const family = ipFamily(vip) ?? 4;
  const problems: Problem[] = [];
  const notes: string[] = [];
  const problem = (
    reason: ProblemReason,
    message: string,
    repairable: boolean,
    iface?: string,
  ): void => {
    problems.push({ reason, vip, message, repairable, ...(iface ? { interface: iface } : {}) });
  };

  const onLo = host.addresses.find((a) => a.interface === 'lo' && a.address === vip);
  const hostPrefix = hostPrefixLength(family);
  if (onLo === undefined) {
    problem('address_missing', `${vip} is not on lo, so forwarded packets are dropped`, true);
  } else {
    if (onLo.prefixLength !== hostPrefix) {
      problem(
        'wrong_prefix',
        `${vip}/${String(onLo.prefixLength)} on lo makes the whole prefix local; use /${String(hostPrefix)}`,
        false,
      );
    }
    if (family === 4 && onLo.scope !== 'host') {
      problem(
        'wrong_scope',
        `${vip} on lo has scope ${onLo.scope}: arp_ignore 3 answers ARP for it and the kernel may pick it as a source; use scope host`,
        false,
      );
    }
  }
  for (const elsewhere of host.addresses) {
    if (elsewhere.address !== vip || elsewhere.interface === 'lo') continue;
    problem(
      'vip_on_lan_interface',
      `${vip} is also on ${elsewhere.interface}, which answers ${family === 4 ? 'ARP' : 'neighbour solicitations'} for it`,
      false,
      elsewhere.interface,
    );
  }

  // A VIP vipd has yet to add will get scope host; judge arp_ignore 3 by that.
  const scopeIsHost = onLo === undefined || onLo.scope === 'host';
  for (const iface of host.interfaces) {
    if (!iface.exists) {
      problem('interface_missing', `interface ${iface.name} does not exist`, false, iface.name);
      continue;
    }
    if (family === 6) {
      const proxied = host.proxies.some((p) => p.address === vip && p.interface === iface.name);
      // ndisc_recv_ns answers for a proxy entry only on an interface that forwards.
      if (proxied && iface.proxyNdp && iface.ipv6Forwarding) {
        problem(
          'ipv6_proxy_ndp',
          `${iface.name} forwards IPv6, has proxy_ndp on and a proxy entry for ${vip}, so it answers solicitations for it`,
          false,
          iface.name,
        );
      }
      continue;
    }
    const arpIgnore = iface.arpIgnore.effective ?? 0;
    const verdict = arpIgnoreVerdict(arpIgnore, scopeIsHost);
    if (verdict === 'answers' && (scopeIsHost || arpIgnore !== 3)) {
      problem(
        'arp_ignore_too_low',
        `arp_ignore on ${iface.name} is ${describe(iface.arpIgnore, iface.name)}: it answers ARP for ${vip}; need ${String(cfg.arpIgnore)}`,
        true,
        iface.name,
      );
    } else if (verdict === 'answers_nothing') {
      problem(
        'arp_ignore_blocks_all',
        `arp_ignore on ${iface.name} is 8: it answers no ARP at all, not even for its own address`,
        true,
        iface.name,
      );
    }
    if (!arpAnnounceHidesVip(iface.arpAnnounce.effective ?? 0)) {
      problem(
        'arp_announce_too_low',
        `arp_announce on ${iface.name} is ${describe(iface.arpAnnounce, iface.name)}: ARP requests may carry ${vip} as sender and steer clients here; need 2`,
        true,
        iface.name,
      );
    }
    await inspectReversePath(cfg, ops, host, vip, iface, onLo !== undefined, problem, notes);
  }
  if (family === 6) notes.push(IPV6_NOTE);

  const hidden = onLo !== undefined && !problems.some((p) => NOT_HIDDEN.has(p.reason));
  return {
    vip,
    family,
    hidden,
    onLoopback: onLo === undefined ? null : { prefixLength: onLo.prefixLength, scope: onLo.scope },
    problems,
    notes,
  };
}

async function inspectReversePath(
  cfg: RealServerConfig,
  ops: SystemOps,
  host: Host,
  vip: string,
  iface: InterfaceReport,
  vipIsLocal: boolean,
  problem: (reason: ProblemReason, message: string, repairable: boolean, iface?: string) => void,
  notes: string[],
): Promise<void> {
  const mode = rpFilterMode(iface.rpFilter.effective ?? 0);
  if (mode === 'off') return;
  const loosenable = mode === 'strict' && cfg.rpFilter === 'loose';
  const probes = cfg.clientProbes.filter((probe) => ipFamily(probe) === 4);
  if (probes.length > 0 && vipIsLocal) {
    // The kernel's own verdict on a packet from each probe client arriving on this interface.
    for (const source of probes) {
      const accepted = await ops.acceptsInput({
        destination: vip,
        source,
        inputInterface: iface.name,
      });
      if (!accepted) {
        problem(
          'rp_filter_drops',
          `rp_filter ${describe(iface.rpFilter, iface.name)} drops packets from ${source} to ${vip} arriving on ${iface.name}`,
          loosenable,
          iface.name,
        );
      }
    }
    return;
  }
  if (mode !== 'strict') return;
  const leavesElsewhere =
    host.defaultRoutes4.length > 0 && !host.defaultRoutes4.includes(iface.name);
  if (leavesElsewhere) {
    problem(
      'rp_filter_strict',
      `rp_filter on ${iface.name} is strict (${describe(iface.rpFilter, iface.name)}) and the default route leaves through ${host.defaultRoutes4.join(', ')}: requests from clients behind it are dropped; set rp_filter 2`,
      loosenable,
      iface.name,
    );
  } else {
    notes.push(
      `rp_filter on ${iface.name} is strict: only clients whose route back leaves through ${iface.name} get through; list client_probes to have the kernel check real clients`,
    );
  }
}

export async function checkRealServer(
  cfg: RealServerConfig,
  deps: RealServerDeps,
): Promise<RealServerReport> {
  const { ops } = deps;
  const [names, addresses, defaultRoutes4, proxies] = await Promise.all([
    ops.listInterfaces(),
    ops.listAddresses(),
    ops.defaultRouteInterfaces(4),
    ops.listProxyNeighbours(),
  ]);
  const interfaces = await Promise.all(
    cfg.interfaces.map((name) => inspectInterface(ops, name, names.includes(name))),
  );
  const host: Host = { addresses, interfaces, defaultRoutes4, proxies };
  const vips: VipReport[] = [];
  for (const vip of cfg.vips) vips.push(await inspectVip(cfg, ops, host, vip));
  return {
    ok: vips.every((v) => v.hidden && v.problems.length === 0),
    checkedAt: (deps.now?.() ?? new Date()).toISOString(),
    vips,
    interfaces,
  };
}
