import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';
import { startTcpdump, stopTcpdump } from './tcpdump.js';

/** One VRRP advertisement as tcpdump printed it. */
export interface CapturedAdvert {
  /** Wall-clock epoch ms of capture. */
  readonly atMs: number;
  readonly sourceMac: string;
  readonly sourceAddress: string;
  readonly version: number;
  readonly vrid: number;
  readonly priority: number;
}

// "1712.5 02:13:5a:00:00:01 > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 60:
//  10.213.90.1 > 224.0.0.18: VRRPv3, Advertisement, vrid 51, prio 150, intvl 100cs, length 12"
const ADVERT_LINE =
  /^(\d+\.\d+) ([0-9a-f:]{17}) > .*: (\S+) > \S+: VRRPv(\d), Advertisement, vrid (\d+), prio (\d+)/;

export function parseAdvertLine(line: string): CapturedAdvert | undefined {
  const match = ADVERT_LINE.exec(line);
  if (match === null) return undefined;
  return {
    atMs: Number(match[1]) * 1000,
    sourceMac: match[2]!,
    sourceAddress: match[3]!,
    version: Number(match[4]),
    vrid: Number(match[5]),
    priority: Number(match[6]),
  };
}

/**
 * tcpdump of VRRP (IP protocol 112, both families) in a namespace — the client's by default:
 * who advertised, with which priority, when. It sees what a third router on the LAN sees.
 */
export class VrrpCapture {
  private readonly captured: CapturedAdvert[] = [];

  private constructor(private readonly process: LabProcess) {
    process.onLine((line, stream) => {
      if (stream !== 'stdout') return;
      const advert = parseAdvertLine(line);
      if (advert !== undefined) this.captured.push(advert);
    });
  }

  static async start(lab: Lab, host: LabHost = lab.client): Promise<VrrpCapture> {
    const child = await startTcpdump(
      lab,
      host,
      'ip proto 112 or ip6 proto 112',
      `vrrp-capture-${host.name}`,
    );
    return new VrrpCapture(child);
  }

  /** Every advert so far, or those from `fromMs` on. */
  adverts(fromMs = 0): readonly CapturedAdvert[] {
    return this.captured.filter((a) => a.atMs >= fromMs);
  }

  stop(): Promise<void> {
    return stopTcpdump(this.process);
  }
}
