// Every failure the package reports, in one place: a stable `code` callers and tests can rely
// on, and a message that names what was wrong. The README lists every code (a test checks).

export const ERROR_CODES = {
  // Input values handed to the package.
  INVALID_MAC: 'a MAC address is not six colon-separated hex octets',
  INVALID_IPV4: 'an IPv4 address is not dotted-quad text',
  INVALID_IPV6: 'an IPv6 address is not valid IPv6 text',
  INVALID_VIP: 'a VIP has an impossible prefix length, label or interface name',
  INVALID_SCHEDULE: 'an announce schedule has a negative, non-integer or absurd field',
  INVALID_FIELD: 'a frame to encode has a field outside its wire range',

  // Decoding frames from the wire.
  FRAME_TOO_SHORT: 'fewer than 14 bytes: not even an Ethernet II header',
  FRAME_UNSUPPORTED_ETHERTYPE: 'the EtherType is neither ARP (0x0806) nor IPv6 (0x86dd)',
  ARP_TRUNCATED: 'the ARP packet is shorter than 28 bytes',
  ARP_UNSUPPORTED_HARDWARE: 'ARP hardware type is not Ethernet (1) with 6-byte addresses',
  ARP_UNSUPPORTED_PROTOCOL: 'ARP protocol type is not IPv4 (0x0800) with 4-byte addresses',
  ARP_UNKNOWN_OPERATION: 'ARP operation is neither request (1) nor reply (2)',
  IPV6_TRUNCATED: 'the IPv6 header or its payload is cut short',
  IPV6_BAD_VERSION: 'the IP version nibble is not 6',
  IPV6_NOT_ICMPV6: 'the IPv6 next header is not ICMPv6 (58); extension headers are not parsed',
  ICMPV6_UNSUPPORTED_TYPE:
    'the ICMPv6 type is neither neighbour solicitation (135) nor advertisement (136)',
  ICMPV6_BAD_CHECKSUM: 'the ICMPv6 checksum does not match the pseudo-header and message',
  NDP_BAD_HOP_LIMIT: 'neighbour discovery arrived with a hop limit other than 255 (RFC 4861 §7.1)',
  NDP_BAD_CODE: 'neighbour discovery ICMPv6 code is not 0',
  NDP_TRUNCATED: 'the neighbour discovery message is shorter than 24 bytes',
  NDP_BAD_OPTION: 'a neighbour discovery option has length 0 or runs past the message',
  NDP_MULTICAST_TARGET: 'the neighbour discovery target address is multicast',
  NDP_SOLICITED_TO_MULTICAST: 'a neighbour advertisement to a multicast address has Solicited set',

  // The operating system.
  MISSING_CAP_NET_RAW: 'opening a packet socket needs CAP_NET_RAW',
  MISSING_CAP_NET_ADMIN:
    'adding or removing addresses (netlink RTM_NEWADDR/RTM_DELADDR) needs CAP_NET_ADMIN',
  MISSING_CAP_SYS_ADMIN: 'entering another network namespace (setns) needs CAP_SYS_ADMIN',
  INTERFACE_NOT_FOUND: 'no network interface has that name (in that namespace)',
  NETNS_NOT_FOUND: 'no named network namespace under /run/netns has that name',
  SYSCALL_FAILED: 'a system call failed; the message names the call and errno',
  SOCKET_CLOSED: 'the socket was used after close()',
  NETLINK_NO_REPLY: 'the kernel did not answer a netlink request',
  NETLINK_BAD_MESSAGE: 'a netlink message from the kernel could not be parsed',

  // Addresses on interfaces.
  ADDRESS_VERIFY_FAILED: 'after adding, the address is not on the interface as requested',
  ADDRESS_MARK_UNSUPPORTED:
    'the kernel does not keep the IFA_PROTO mark on addresses (Linux 5.18+ is needed)',

  // Routes to VIPs (routed groups).
  INVALID_ROUTE: 'a VIP route has a table outside 1..2^32-1 (or 253-255) or a metric outside u32',
  ROUTE_NOT_OURS: 'a route with the same key is already there, installed by someone else',
} as const;

export type ArpErrorCode = keyof typeof ERROR_CODES;

export class ArpError extends Error {
  override readonly name: string = 'ArpError';
  readonly code: ArpErrorCode;
  /** errno name ("EPERM") when a system call failed. */
  readonly errno: string | undefined;

  constructor(code: ArpErrorCode, message: string, errno?: string) {
    super(message);
    this.code = code;
    this.errno = errno;
  }
}

/** A frame from the wire that is not a valid ARP / NS / NA frame. Never thrown by I/O paths. */
export class FrameDecodeError extends ArpError {
  override readonly name = 'FrameDecodeError';
}

export type Capability = 'CAP_NET_RAW' | 'CAP_NET_ADMIN' | 'CAP_SYS_ADMIN';

const CAPABILITY_CODES = {
  CAP_NET_RAW: 'MISSING_CAP_NET_RAW',
  CAP_NET_ADMIN: 'MISSING_CAP_NET_ADMIN',
  CAP_SYS_ADMIN: 'MISSING_CAP_SYS_ADMIN',
} as const satisfies Record<Capability, ArpErrorCode>;

/** The process lacks a capability; the message names it so an operator can grant it. */
export class PrivilegeError extends ArpError {
  override readonly name = 'PrivilegeError';
  readonly capability: Capability;

  constructor(capability: Capability, action: string, errno: string) {
    super(
      CAPABILITY_CODES[capability],
      `${action} failed with ${errno}: run as root or grant ${capability} ` +
        `(systemd: AmbientCapabilities=${capability})`,
      errno,
    );
    this.capability = capability;
  }
}
