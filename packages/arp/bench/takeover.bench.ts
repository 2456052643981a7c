// `npm run bench:arp`: how fast a takeover reaches the wire, measured where it matters — by
// the kernel receive timestamp of a packet socket in the peer's namespace.
//
//  1. Takeover latency: "become master" (netlink add of the VIP, then announce) to the first
//     gratuitous ARP / NA received by the peer; p50/p99 over TAKEOVERS runs, IPv4 and IPv6.
//  2. 1,000 VIPs: announce() to the arrival of the last of the 1,000 first frames.
//  3. Sender throughput: frames/s one packet socket sustains for a second, and how many the
//     peer's interface counted.
//  4. For the record: what one `ip addr add` costs when spawned from Node, the alternative
//     to netlink on the takeover path.
//
// Runs in namespaces it creates and deletes (also on Ctrl-C).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { createAddressManager } from '../src/address-manager.js';
import { createAnnouncer } from '../src/announcer.js';
import { gratuitousArpRequest } from '../src/codec/announcements.js';
import { decode, encode } from '../src/codec/frame.js';
import { realtimeNs } from '../src/sys/libc.js';
import { openPacketSocket } from '../src/sys/packet-socket.js';
import type { Vip } from '../src/types.js';
import {
  HOST_INTERFACE,
  createLab,
  isRoot,
  type Lab,
  type LabHost,
} from '../test/lab/netns-lab.js';

const TAKEOVERS = 200;
const WARMUP = 20;
const MANY_VIPS = 1000;
const MANY_TRIALS = 5;
const RATE_SECONDS = 1;
const SPAWNS = 20;
const MASTER_MAC = '52:54:00:00:0b:01';
const PEER_MAC = '52:54:00:00:0b:02';

interface Arrival {
  readonly address: string;
  readonly atNs: bigint;
}

/** The peer's view: the first arrival time of each announced address. */
class PeerListener {
  private readonly waiting = new Map<string, (atNs: bigint) => void>();
  readonly arrivals: Arrival[] = [];
  private readonly socket;

  constructor(peer: LabHost) {
    this.socket = openPacketSocket(HOST_INTERFACE, {
      netns: peer.netns,
      timestamps: true,
      receiveBufferBytes: 16 * 1024 * 1024,
      onFrame: (frame) => {
        let address: string;
        try {
          const { packet } = decode(frame.bytes);
          address = packet.kind === 'arp' ? packet.senderIp : packet.target;
        } catch {
          return;
        }
        const atNs = frame.receivedAtNs ?? 0n;
        this.arrivals.push({ address, atNs });
        const resolve = this.waiting.get(address);
        if (resolve === undefined) return;
        this.waiting.delete(address);
        resolve(atNs);
      },
    });
  }

  firstFrame(address: string, timeoutMs = 2000): Promise<bigint> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(address);
        reject(new Error(`no frame for ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(address, (atNs) => {
        clearTimeout(timer);
        resolve(atNs);
      });
    });
  }

  close(): void {
    this.socket.close();
  }
}

function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsedMs = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;

interface TakeoverFigures {
  readonly family: 'IPv4' | 'IPv6';
  readonly wireMs: number[];
  readonly addMs: number[];
  readonly announceMs: number[];
}

async function benchTakeover(
  master: LabHost,
  listener: PeerListener,
  family: 'IPv4' | 'IPv6',
): Promise<TakeoverFigures> {
  const addresses = createAddressManager({ netns: master.netns });
  const announcer = createAnnouncer({ netns: master.netns });
  const figures: TakeoverFigures = { family, wireMs: [], addMs: [], announceMs: [] };
  try {
    for (let i = 0; i < WARMUP + TAKEOVERS; i++) {
      const vip: Vip =
        family === 'IPv4'
          ? { address: `10.213.1.${(i % 250) + 1}`, prefixLength: 24, interface: HOST_INTERFACE }
          : {
              address: `fd00:213::1:${(i % 250) + 1}`,
              prefixLength: 64,
              interface: HOST_INTERFACE,
            };
      const arrived = listener.firstFrame(vip.address);
      // --- become master ---
      const startedNs = realtimeNs();
      const started = process.hrtime.bigint();
      addresses.addNow(vip);
      const added = process.hrtime.bigint();
      announcer.announce('bench', [vip]);
      const announced = process.hrtime.bigint();
      // ---------------------
      const atNs = await arrived;
      if (i >= WARMUP) {
        figures.wireMs.push(Number(atNs - startedNs) / 1e6);
        figures.addMs.push(Number(added - started) / 1e6);
        figures.announceMs.push(Number(announced - added) / 1e6);
      }
      announcer.stop('bench');
      addresses.removeNow(vip);
      await sleep(2);
    }
  } finally {
    announcer.close();
    addresses.close();
  }
  return figures;
}

interface ManyFigures {
  /** announce() to the last of the 1,000 first frames at the peer, per trial. */
  readonly announceToLastMs: number[];
  /** netlink add of all 1,000, then announce, to the last first frame. */
  readonly addAndAnnounceToLastMs: number[];
  readonly received: number[];
}

async function benchMany(master: LabHost, listener: PeerListener): Promise<ManyFigures> {
  const unique: Vip[] = Array.from({ length: MANY_VIPS }, (_, i) => ({
    address: `10.213.${4 + Math.floor(i / 250)}.${(i % 250) + 1}`,
    prefixLength: 32,
    interface: HOST_INTERFACE,
  }));
  const addresses = createAddressManager({ netns: master.netns });
  const announcer = createAnnouncer({ netns: master.netns });
  const figures: ManyFigures = { announceToLastMs: [], addAndAnnounceToLastMs: [], received: [] };
  try {
    for (let trial = 0; trial < MANY_TRIALS * 2; trial++) {
      const withAdd = trial % 2 === 1;
      const all = Promise.all(unique.map((vip) => listener.firstFrame(vip.address, 5000)));
      const startedNs = realtimeNs();
      if (withAdd) for (const vip of unique) addresses.addNow(vip);
      announcer.announce('many', unique);
      const arrivals = await all;
      const lastNs = arrivals.reduce((max, at) => (at > max ? at : max), 0n);
      (withAdd ? figures.addAndAnnounceToLastMs : figures.announceToLastMs).push(
        Number(lastNs - startedNs) / 1e6,
      );
      figures.received.push(arrivals.length);
      announcer.stop('many');
      if (withAdd) for (const vip of unique) addresses.removeNow(vip);
      await sleep(50);
    }
  } finally {
    announcer.close();
    addresses.close();
  }
  return figures;
}

interface RateFigures {
  readonly framesPerSecond: number;
  readonly refused: number;
  readonly delivered: number;
  readonly sent: number;
}

function interfaceRxPackets(lab: Lab, netns: string): number {
  const [link] = JSON.parse(lab.ip(netns, '-s', '-j', 'link', 'show', 'dev', HOST_INTERFACE)) as {
    stats64: { rx: { packets: number } };
  }[];
  return link?.stats64.rx.packets ?? 0;
}

function benchRate(lab: Lab, master: LabHost, peer: LabHost): RateFigures {
  const socket = openPacketSocket(HOST_INTERFACE, { netns: master.netns });
  const frames = Array.from({ length: 1000 }, (_, i) =>
    encode(gratuitousArpRequest(MASTER_MAC, `10.213.${8 + (i >> 8)}.${i & 0xff}`)),
  );
  const before = interfaceRxPackets(lab, peer.netns);
  let sent = 0;
  let refused = 0;
  const started = process.hrtime.bigint();
  try {
    while (elapsedMs(started) < RATE_SECONDS * 1000) {
      for (const frame of frames) {
        if (socket.send(frame)) sent++;
        else refused++;
      }
    }
  } finally {
    socket.close();
  }
  const seconds = elapsedMs(started) / 1000;
  return {
    framesPerSecond: sent / seconds,
    refused,
    sent,
    delivered: interfaceRxPackets(lab, peer.netns) - before,
  };
}

function benchIpSpawn(master: LabHost): number[] {
  const timings: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    const started = process.hrtime.bigint();
    execFileSync('ip', ['-n', master.netns, 'addr', 'add', '10.213.3.1/32', 'dev', HOST_INTERFACE]);
    timings.push(elapsedMs(started));
    execFileSync('ip', ['-n', master.netns, 'addr', 'del', '10.213.3.1/32', 'dev', HOST_INTERFACE]);
  }
  return timings;
}

const fmt = (ms: number) => (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms.toFixed(1));

function report(
  takeovers: TakeoverFigures[],
  many: ManyFigures,
  rate: RateFigures,
  spawnMs: number[],
  totalS: number,
): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const lines = [
    '## ARP announcer (`npm run bench:arp`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, Linux ${release()}, Node ${process.version}. Total run ${totalS.toFixed(1)} s.`,
    '',
    'Method: two namespaces on a bridge (`packages/arp/test/lab`). "Become master" is what the',
    'daemon does: `addNow(vip)` (netlink RTM_NEWADDR, verified) then `announce(group, [vip])`.',
    "The clock starts before the add (CLOCK_REALTIME) and stops at the kernel's receive timestamp",
    "(SIOCGSTAMPNS) of the first frame on a packet socket in the peer's namespace, so event-loop",
    `delays on the receiving side do not count. ${TAKEOVERS} takeovers per family after ${WARMUP} warm-up runs,`,
    'each with a fresh VIP. The machine is shared by other jobs: read medians, not maxima.',
    '',
    '| takeover → first frame at the peer | p50 ms | p99 ms | max ms | target |',
    '| --- | ---: | ---: | ---: | --- |',
  ];
  for (const t of takeovers) {
    lines.push(
      `| ${t.family} (${t.family === 'IPv4' ? 'gratuitous ARP' : 'unsolicited NA'}) | ${fmt(percentile(t.wireMs, 0.5))} | ${fmt(percentile(t.wireMs, 0.99))} | ${fmt(Math.max(...t.wireMs))} | p50 ≤ 2, p99 ≤ 5 |`,
    );
  }
  lines.push(
    '',
    '| where the time goes (p50 / p99 ms) | IPv4 | IPv6 |',
    '| --- | ---: | ---: |',
    `| netlink add + verify (\`addNow\`) | ${takeovers.map((t) => `${fmt(percentile(t.addMs, 0.5))} / ${fmt(percentile(t.addMs, 0.99))}`).join(' | ')} |`,
    `| \`announce()\` up to the first \`sendto\` returning | ${takeovers.map((t) => `${fmt(percentile(t.announceMs, 0.5))} / ${fmt(percentile(t.announceMs, 0.99))}`).join(' | ')} |`,
    `| for comparison: one \`ip addr add\` spawned from Node | ${fmt(percentile(spawnMs, 0.5))} / ${fmt(percentile(spawnMs, 0.99))} | |`,
    '',
    `| ${MANY_VIPS} VIPs in one group (median of ${MANY_TRIALS}; range) | ms | target |`,
    '| --- | ---: | --- |',
    `| \`announce()\` → last of the ${MANY_VIPS} first frames at the peer | ${fmt(percentile(many.announceToLastMs, 0.5))} (${fmt(Math.min(...many.announceToLastMs))}–${fmt(Math.max(...many.announceToLastMs))}) | ≤ 50 |`,
    `| netlink add of all ${MANY_VIPS} + \`announce()\` → last first frame | ${fmt(percentile(many.addAndAnnounceToLastMs, 0.5))} (${fmt(Math.min(...many.addAndAnnounceToLastMs))}–${fmt(Math.max(...many.addAndAnnounceToLastMs))}) | |`,
    `| frames received per trial (of ${MANY_VIPS}) | ${Math.min(...many.received)} | |`,
    '',
    `| sender throughput (${RATE_SECONDS} s, one socket, 60-byte frames) | value |`,
    '| --- | ---: |',
    `| frames/s sent | ${Math.round(rate.framesPerSecond).toLocaleString('en-US')} |`,
    `| delivered to the peer interface | ${((100 * rate.delivered) / Math.max(1, rate.sent)).toFixed(1)} % of ${rate.sent.toLocaleString('en-US')} |`,
    `| refused by a full send buffer (EAGAIN/ENOBUFS) | ${rate.refused} |`,
  );
  return lines.join('\n');
}

function writeSection(markdown: string): void {
  const path = new URL('../../../../docs/benchmarks.md', import.meta.url);
  const begin = '<!-- bench:arp -->';
  const end = '<!-- /bench:arp -->';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    text = '# Benchmarks\n';
  }
  const section = `${begin}\n${markdown}\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  text =
    from >= 0 && to > from
      ? text.slice(0, from) + section + text.slice(to + end.length)
      : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, text);
}

async function main(): Promise<void> {
  if (!isRoot()) {
    console.error('bench:arp needs root: it builds network namespaces.');
    process.exitCode = 1;
    return;
  }
  const started = process.hrtime.bigint();
  const lab = createLab();
  try {
    const master = lab.addHost('bm', MASTER_MAC);
    const peer = lab.addHost('bp', PEER_MAC);
    lab.ip(master.netns, 'addr', 'add', '10.213.0.1/16', 'dev', HOST_INTERFACE);
    lab.ip(peer.netns, 'addr', 'add', '10.213.0.2/16', 'dev', HOST_INTERFACE);
    const listener = new PeerListener(peer);
    let takeovers: TakeoverFigures[];
    let many: ManyFigures;
    try {
      takeovers = [
        await benchTakeover(master, listener, 'IPv4'),
        await benchTakeover(master, listener, 'IPv6'),
      ];
      many = await benchMany(master, listener);
    } finally {
      listener.close();
    }
    const rate = benchRate(lab, master, peer);
    const spawnMs = benchIpSpawn(master);
    const markdown = report(takeovers, many, rate, spawnMs, elapsedMs(started) / 1000);
    console.log(markdown);
    writeSection(markdown);
    console.log('\nwritten to docs/benchmarks.md');
  } finally {
    lab.close();
  }
}

await main();
