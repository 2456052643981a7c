// The ARP package's public contract, wired by packages/vipd: put VIPs on interfaces, announce
// them on the LAN (gratuitous ARP / unsolicited NA), and watch for conflicts and MAC changes.

export type MacAddress = string; // "aa:bb:cc:dd:ee:ff"

/** Address scope as `ip addr` names it. */
export type VipScope = 'global' | 'site' | 'link' | 'host';

export interface Vip {
  /** "10.0.0.1" or "fd00::1". */
  readonly address: string;
  readonly prefixLength: number;
  readonly interface: string;
  /** IPv4 label (e.g. "eth0:vip"); ignored for IPv6. */
  readonly label?: string;
  /** Default "global". */
  readonly scope?: VipScope;
}

export type AnnounceMode = 'request' | 'reply' | 'both';

export interface AnnounceSchedule {
  /** Frames per burst (keepalived garp_master_repeat). Default 5. */
  readonly repeat: number;
  /** Gap between frames of one burst. Default 200 (Pacemaker IPaddr2 arp_interval). */
  readonly intervalMs: number;
  /** When the second burst starts after the first (keepalived garp_master_delay). Default 5000; 0 = none. */
  readonly secondBurstDelayMs: number;
  /** Periodic refresh while master; 0 = off (keepalived garp_master_refresh). */
  readonly refreshMs: number;
  readonly mode: AnnounceMode;
  /** Frames per refresh (keepalived garp_master_refresh_repeat). Default 1. */
  readonly refreshRepeat?: number;
}

export interface Announcer {
  /** Start announcing a group's VIPs now (first frames go out synchronously if possible). */
  announce(group: string, vips: readonly Vip[]): void;
  /** Stop every pending frame of the group at once (demotion). */
  stop(group: string): void;
  close(): void;
}

export interface AddressManager {
  /** Add (idempotent), then verify it is present. Marks it as managed by vipd. */
  add(vip: Vip): Promise<void>;
  /** Remove only if vipd added it; idempotent. */
  remove(vip: Vip): Promise<void>;
  /** Managed VIPs present on the host (e.g. left by a crashed predecessor). */
  listManaged(): Promise<readonly Vip[]>;
}

export interface ConflictEvent {
  readonly vip: string;
  readonly interface: string;
  readonly foreignMac: MacAddress;
  /**
   * What gave the other host away: a reply for the VIP (often to our own probe), a gratuitous
   * ARP, an ordinary request sent *from* the VIP (RFC 5227 §2.4: any ARP with our address as
   * sender), a neighbour advertisement for the IPv6 VIP, or a solicitation sent from it.
   */
  readonly kind:
    | 'arp-reply'
    | 'gratuitous-arp'
    | 'arp-request'
    | 'neighbor-advertisement'
    | 'neighbor-solicitation';
}

export interface MacChangeEvent {
  readonly interface: string;
  readonly oldMac: MacAddress;
  readonly newMac: MacAddress;
}
