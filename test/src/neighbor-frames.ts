/** ARP and IPv6 neighbour discovery frames as the client saw them. */
export type NeighborFrameKind =
  'arp-request' | 'arp-reply' | 'neighbor-solicitation' | 'neighbor-advertisement';

export interface NeighborFrame {
  /** Capture time, wall-clock epoch ms. */
  readonly atMs: number;
  readonly kind: NeighborFrameKind;
  /** Ethernet source and destination. */
  readonly sourceMac: string;
  readonly destinationMac: string;
  /** The IP the frame is about: who-has target, reply sender, NS/NA target. */
  readonly address: string;
  /** ARP only: the sender protocol address ("tell X" for requests). */
  readonly senderIp?: string;
  /**
   * The MAC this frame tells the LAN to use for `address`, if it makes such a claim: an ARP
   * reply's is-at, a gratuitous ARP request's (sender = target) source, an NA's source.
   */
  readonly claimedMac?: string;
}

const MAC = '[0-9a-f]{2}(?::[0-9a-f]{2}){5}';
const IP = '[0-9a-fA-F.:]+';
// tcpdump -e -n -tt prints the link header then the payload, e.g.
//   1712345678.123456 02:13:05:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: <payload>
const LINK = new RegExp(
  `^(\\d+\\.\\d+) (${MAC}) > (${MAC}), ethertype (ARP|IPv6) \\(0x[0-9a-f]+\\), length \\d+: (.*)$`,
);
//   Request who-has 10.213.5.100 tell 10.213.5.200, length 28
//   Request who-has 10.213.5.100 (ff:ff:ff:ff:ff:ff) tell 10.213.5.100, length 28
const ARP_REQUEST = new RegExp(`^Request who-has (${IP})(?: \\((${MAC})\\))? tell (${IP}),`);
//   Reply 10.213.5.100 is-at 02:13:05:00:00:01, length 28
const ARP_REPLY = new RegExp(`^Reply (${IP}) is-at (${MAC}),`);
//   fd00::c8 > ff02::1:ff00:64: ICMP6, neighbor solicitation, who has fd00::64, length 32
const NS = new RegExp(`ICMP6, neighbor solicitation, who has (${IP}),`);
//   fd00::64 > fd00::c8: ICMP6, neighbor advertisement, tgt is fd00::64, length 32
const NA = new RegExp(`ICMP6, neighbor advertisement, tgt is (${IP}),`);

/** Parses one line of `tcpdump -e -n -tt`; anything else (banners, other frames) → undefined. */
export function parseTcpdumpLine(line: string): NeighborFrame | undefined {
  const link = LINK.exec(line.trim());
  if (link === null) return undefined;
  const [, seconds, sourceMac, destinationMac, ethertype, payload] = link as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const base = { atMs: Number(seconds) * 1000, sourceMac, destinationMac };
  if (ethertype === 'ARP') {
    const request = ARP_REQUEST.exec(payload);
    if (request !== null) {
      const address = request[1]!;
      const senderIp = request[3]!;
      const gratuitous = senderIp === address;
      return {
        ...base,
        kind: 'arp-request',
        address,
        senderIp,
        ...(gratuitous ? { claimedMac: sourceMac } : {}),
      };
    }
    const reply = ARP_REPLY.exec(payload);
    if (reply !== null) {
      return {
        ...base,
        kind: 'arp-reply',
        address: reply[1]!,
        senderIp: reply[1]!,
        claimedMac: reply[2]!,
      };
    }
    return undefined;
  }
  const advertisement = NA.exec(payload);
  if (advertisement !== null) {
    return {
      ...base,
      kind: 'neighbor-advertisement',
      address: advertisement[1]!,
      claimedMac: sourceMac,
    };
  }
  const solicitation = NS.exec(payload);
  if (solicitation !== null) {
    return { ...base, kind: 'neighbor-solicitation', address: solicitation[1]! };
  }
  return undefined;
}

/** Frames that claim `address` (gratuitous ARP, ARP reply, NA), in capture order. */
export function claimsFor(frames: readonly NeighborFrame[], address: string): NeighborFrame[] {
  return frames.filter((f) => f.address === address && f.claimedMac !== undefined);
}

/** The distinct MACs that claimed `address` inside [fromMs, toMs). */
export function macsClaiming(
  frames: readonly NeighborFrame[],
  address: string,
  fromMs: number,
  toMs: number,
): string[] {
  const macs = claimsFor(frames, address)
    .filter((f) => f.atMs >= fromMs && f.atMs < toMs)
    .map((f) => f.claimedMac!);
  return [...new Set(macs)];
}

/**
 * How long two MACs answered for `address` at once, from the replies to the client's own
 * ARP requests (arping): a request answered by two MACs opens (or continues) a window,
 * the next request answered by one MAC closes it. Returns the windows' lengths in ms.
 * Replies are attributed to the latest request sent before them; each window names the MACs.
 */
export function doubleAnswerWindows(
  frames: readonly NeighborFrame[],
  address: string,
  clientMac: string,
): { fromMs: number; toMs: number; macs: string[] }[] {
  const windows: { fromMs: number; toMs: number; macs: string[] }[] = [];
  let open: { fromMs: number; toMs: number; macs: string[] } | undefined;
  let requestAt: number | undefined;
  let macs = new Set<string>();
  const closeRequest = (): void => {
    if (requestAt === undefined) return;
    if (macs.size >= 2) {
      open ??= { fromMs: requestAt, toMs: requestAt, macs: [] };
      open.toMs = requestAt;
      open.macs = [...new Set([...open.macs, ...macs])].sort();
    } else if (macs.size === 1 && open !== undefined) {
      windows.push(open);
      open = undefined;
    }
  };
  for (const frame of frames) {
    if (frame.address !== address) continue;
    if (frame.kind === 'arp-request' && frame.sourceMac === clientMac) {
      closeRequest();
      requestAt = frame.atMs;
      macs = new Set();
    } else if (
      frame.kind === 'arp-reply' &&
      frame.destinationMac === clientMac &&
      requestAt !== undefined
    ) {
      macs.add(frame.claimedMac!);
    }
  }
  closeRequest();
  if (open !== undefined) windows.push(open);
  return windows;
}
