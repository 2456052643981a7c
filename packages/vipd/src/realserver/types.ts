// The real-server role's contract: what the config asks for, what a check finds, and the
// narrow window onto the host (sysctls, addresses, routes, files) that every action goes through.

/** The `realserver:` config section after validation, in the daemon's own spelling. */
export interface RealServerConfig {
  /** Canonical VIP addresses ("10.213.0.100", "fd00::100"), each at most once. */
  readonly vips: readonly string[];
  /** Interfaces that receive the director's forwarded traffic and must not answer ARP/NS. */
  readonly interfaces: readonly string[];
  /** 1: answer ARP only for addresses on the receiving interface; 3: never for scope host. */
  readonly arpIgnore: 1 | 3;
  /** Always 2: ARP requests carry the outgoing interface's own address, never a VIP. */
  readonly arpAnnounce: 2;
  /** IPv4 label for the VIPs on lo ("lo:vip"); shows who added them in `ip addr`. */
  readonly label: string;
  /** Re-apply when a periodic check finds drift that apply can fix. */
  readonly repair: boolean;
  readonly checkIntervalMs: number;
  /** 'loose' sets rp_filter=2 on the interfaces whose effective value is strict (1). */
  readonly rpFilter: 'keep' | 'loose';
  /** Client addresses the kernel is asked about: would rp_filter accept them on each interface? */
  readonly clientProbes: readonly string[];
  /** Where apply remembers what it changed, so remove restores exactly that. */
  readonly stateFile: string;
  /** Optional /etc/sysctl.d snippet that keeps the sysctls across a reboot. */
  readonly sysctlFile?: string;
}

export type IpFamily = 4 | 6;

/** Why a VIP is not correctly hidden or would not receive its traffic. Stable: metric label. */
export type ProblemReason =
  | 'address_missing'
  | 'wrong_scope'
  | 'wrong_prefix'
  | 'vip_on_lan_interface'
  | 'interface_missing'
  | 'arp_ignore_too_low'
  | 'arp_ignore_blocks_all'
  | 'arp_announce_too_low'
  | 'rp_filter_strict'
  | 'rp_filter_drops'
  | 'ipv6_proxy_ndp';

export const PROBLEM_REASONS: readonly ProblemReason[] = [
  'address_missing',
  'wrong_scope',
  'wrong_prefix',
  'vip_on_lan_interface',
  'interface_missing',
  'arp_ignore_too_low',
  'arp_ignore_blocks_all',
  'arp_announce_too_low',
  'rp_filter_strict',
  'rp_filter_drops',
  'ipv6_proxy_ndp',
];

export interface Problem {
  readonly reason: ProblemReason;
  readonly vip: string;
  readonly interface?: string;
  readonly message: string;
  /** apply would fix it (vipd never deletes or rewrites addresses it did not add). */
  readonly repairable: boolean;
}

/** A sysctl as the kernel sees it on one interface: both knobs and what it acts on. */
export interface EffectiveSysctl {
  /** null: the file does not exist (IPv6 disabled, interface gone). */
  readonly all: number | null;
  readonly iface: number | null;
  /** max(all, iface) — what the kernel uses for arp_ignore, arp_announce and rp_filter. */
  readonly effective: number | null;
}

export interface InterfaceReport {
  readonly name: string;
  readonly exists: boolean;
  readonly arpIgnore: EffectiveSysctl;
  readonly arpAnnounce: EffectiveSysctl;
  readonly rpFilter: EffectiveSysctl;
  /** all || iface, as the kernel combines proxy_ndp. */
  readonly proxyNdp: boolean;
  /** IPv6 forwarding on the interface: the kernel proxies NDP only when it forwards. */
  readonly ipv6Forwarding: boolean;
}

export interface VipReport {
  readonly vip: string;
  readonly family: IpFamily;
  /** On lo as /32 or /128 (IPv4 with scope host) and answered by no interface's ARP/NS. */
  readonly hidden: boolean;
  /** The VIP's entry on lo, if any. */
  readonly onLoopback: { readonly prefixLength: number; readonly scope: string } | null;
  readonly problems: readonly Problem[];
  /** Not wrong, but worth knowing (IPv6 behaviour, rp_filter that only some clients pass). */
  readonly notes: readonly string[];
}

export interface RealServerReport {
  /** Every VIP hidden and no problem at all. */
  readonly ok: boolean;
  readonly checkedAt: string;
  readonly vips: readonly VipReport[];
  readonly interfaces: readonly InterfaceReport[];
}

/** One address as the kernel lists it (`ip addr show`), scope spelled as `ip` spells it. */
export interface HostAddress {
  readonly interface: string;
  readonly address: string;
  readonly family: IpFamily;
  readonly prefixLength: number;
  /** "host", "link", "global" … */
  readonly scope: string;
  readonly label?: string;
}

export interface AddressSpec {
  readonly address: string;
  readonly prefixLength: number;
  readonly interface: string;
  /** IPv4 only; the kernel derives an IPv6 address's scope from the address itself. */
  readonly scope?: 'host';
  readonly label?: string;
}

/** A path under /proc/sys, slash-separated: "net/ipv4/conf/eth0/arp_ignore". */
export type SysctlKey = string;

/**
 * Everything the role reads or changes on the host. The Linux implementation speaks rtnetlink,
 * runs `ip` for routes and touches /proc/sys (optionally inside a named network namespace); the
 * in-memory one is for unit tests.
 */
export interface SystemOps {
  /** The value as the kernel prints it, trimmed; null when the sysctl does not exist. */
  readSysctl(key: SysctlKey): Promise<string | null>;
  writeSysctl(key: SysctlKey, value: string): Promise<void>;
  listInterfaces(): Promise<readonly string[]>;
  listAddresses(): Promise<readonly HostAddress[]>;
  addAddress(spec: AddressSpec): Promise<void>;
  removeAddress(spec: AddressSpec): Promise<void>;
  /** Interfaces the default route of this family leaves through (several with ECMP). */
  defaultRouteInterfaces(family: IpFamily): Promise<readonly string[]>;
  /** IPv6 proxy neighbour entries: address and interface. */
  listProxyNeighbours(): Promise<readonly { address: string; interface: string }[]>;
  /**
   * Asks the kernel's input routing (reverse-path filter included) whether a packet from
   * `source` to `destination` arriving on `inputInterface` is accepted. Sends nothing.
   */
  acceptsInput(query: {
    destination: string;
    source: string;
    inputInterface: string;
  }): Promise<boolean>;
}

/** Small files the role keeps: its state file and the optional sysctl.d snippet. */
export interface FileStore {
  /** null when the file does not exist. */
  read(path: string): Promise<string | null>;
  /** Replaces the file atomically (write beside it, then rename). */
  write(path: string, text: string): Promise<void>;
  /** No error when it is already gone. */
  remove(path: string): Promise<void>;
  /** Moves a file to another name (to keep a corrupt state file aside). */
  rename(from: string, to: string): Promise<void>;
}

export interface RealServerDeps {
  readonly ops: SystemOps;
  readonly files: FileStore;
  /** Report timestamps; injectable so tests are exact. */
  readonly now?: () => Date;
}
