// Classic BPF programs attached to receive sockets so the kernel drops everything the
// watches do not read (ordinary IPv6 traffic can be most of a busy link) before it is copied
// to user space. Offsets are into the Ethernet frame.
import type { SockFilter } from './libc.js';

const LDH_ABS = 0x28; // A <- u16 at k
const LDB_ABS = 0x30; // A <- u8 at k
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JGT_K = 0x25;
const RET_K = 0x06;

const OFFSET_ETHERTYPE = 12;
const OFFSET_IPV6_NEXT_HEADER = 14 + 6;
const OFFSET_ICMPV6_TYPE = 14 + 40;
const ETHERTYPE_IPV6 = 0x86dd;
const ACCEPT_BYTES = 0x40000;

/** Accepts ARP, and ICMPv6 neighbour solicitations/advertisements without extension headers. */
export const ARP_AND_NEIGHBOR_DISCOVERY: readonly SockFilter[] = [
  /* 0 */ { code: LDH_ABS, jt: 0, jf: 0, k: OFFSET_ETHERTYPE },
  /* 1 */ { code: JEQ_K, jt: 6, jf: 0, k: 0x0806 }, // ARP -> 8 accept
  /* 2 */ { code: JEQ_K, jt: 0, jf: 6, k: ETHERTYPE_IPV6 }, // not IPv6 -> 9 drop
  /* 3 */ { code: LDB_ABS, jt: 0, jf: 0, k: OFFSET_IPV6_NEXT_HEADER },
  /* 4 */ { code: JEQ_K, jt: 0, jf: 4, k: 58 }, // not ICMPv6 -> 9 drop
  /* 5 */ { code: LDB_ABS, jt: 0, jf: 0, k: OFFSET_ICMPV6_TYPE },
  /* 6 */ { code: JGE_K, jt: 0, jf: 2, k: 135 }, // below NS -> 9 drop
  /* 7 */ { code: JGT_K, jt: 1, jf: 0, k: 136 }, // above NA -> 9 drop
  /* 8 */ { code: RET_K, jt: 0, jf: 0, k: ACCEPT_BYTES },
  /* 9 */ { code: RET_K, jt: 0, jf: 0, k: 0 },
];

/**
 * Accepts IPv6 packets whose first next header is `nextHeader` (no extension headers), for a
 * receiver that must see the IPv6 header itself: VRRP's hop-limit check (RFC 5798 §7.1) needs
 * it, and raw IPv6 sockets do not hand it over.
 */
export function ipv6NextHeaderFilter(nextHeader: number): readonly SockFilter[] {
  return [
    /* 0 */ { code: LDH_ABS, jt: 0, jf: 0, k: OFFSET_ETHERTYPE },
    /* 1 */ { code: JEQ_K, jt: 0, jf: 3, k: ETHERTYPE_IPV6 }, // not IPv6 -> 5 drop
    /* 2 */ { code: LDB_ABS, jt: 0, jf: 0, k: OFFSET_IPV6_NEXT_HEADER },
    /* 3 */ { code: JEQ_K, jt: 0, jf: 1, k: nextHeader }, // other protocol -> 5 drop
    /* 4 */ { code: RET_K, jt: 0, jf: 0, k: ACCEPT_BYTES },
    /* 5 */ { code: RET_K, jt: 0, jf: 0, k: 0 },
  ];
}
