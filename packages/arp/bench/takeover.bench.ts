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
import { cpus, loadavg, release } from 'node:os';
import { createAddressManager } from '../src/address-manager.js';
import { createAnnouncer } from '../src/announcer.js';
import { gratuitousArpRequest } from '../src/codec/announcements.js';
import { decode, encode } from '../src/codec/frame.js';
import { realtimeNs } from '../src/sys/libc.js';
import { openPacketSocket } from '../src/sys/packet-socket.js';
import { giveUp, takeOver } from '../src/takeover.js';
import type { Vip } from '../src/types.js';
import {
  HOST_INTERFACE,
  createSwitchedLab,
  netnsSkipReason,
  type NetnsLab,
  type LabHost,
} from '@vipd/testkit';

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
  readonly announceFirst: boolean;
  /** "Become master" to the first frame's kernel receive time at the peer. */
  readonly wireMs: number[];
  /** Time spent in the netlink add (both orders) and in announce(). */
  readonly addMs: number[];
  readonly announceMs: number[];
}

async function benchTakeover(
  master: LabHost,
  listener: PeerListener,
  family: 'IPv4' | 'IPv6',
  announceFirst: boolean,
): Promise<TakeoverFigures> {
  const addresses = createAddressManager({ netns: master.netns });
  const announcer = createAnnouncer({ netns: master.netns });
  const figures: TakeoverFigures = { family, announceFirst, wireMs: [], addMs: [], announceMs: [] };
  // Timed wrappers around the parts, so takeOver() (the code the daemon runs on becoming
  // master) is measured unchanged, with a stopwatch around each of its calls.
  let addNs = 0n;
  let announceNs = 0n;
  const timedAddresses = {
    addNow: (vip: Vip) => {
      const t = process.hrtime.bigint();
      const outcome = addresses.addNow(vip);
      addNs += process.hrtime.bigint() - t;
      return outcome;
    },
    removeNow: (vip: Vip) => addresses.removeNow(vip),
  };
  const timedAnnouncer = {
    announce: (group: string, vips: readonly Vip[]) => {
      const t = process.hrtime.bigint();
      announcer.announce(group, vips);
      announceNs += process.hrtime.bigint() - t;
    },
    stop: (group: string) => {
      announcer.stop(group);
    },
    close: () => undefined,
  };
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
      addNs = 0n;
      announceNs = 0n;
      const startedNs = realtimeNs();
      const taken = takeOver(
        { addresses: timedAddresses, announcer: timedAnnouncer },
        'bench',
        [vip],
        { announceFirst },
      );
      if (!taken.ok) throw taken.error;
      const atNs = await arrived;
      if (i >= WARMUP) {
        figures.wireMs.push(Number(atNs - startedNs) / 1e6);
        figures.addMs.push(Number(addNs) / 1e6);
        figures.announceMs.push(Number(announceNs) / 1e6);
      }
      giveUp({ addresses, announcer }, 'bench', [vip]);
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
      if (withAdd) {
        const taken = takeOver({ addresses, announcer }, 'many', unique);
        if (!taken.ok) throw taken.error;
      } else announcer.announce('many', unique);
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
  readonly peer: 'up' | 'down';
  readonly framesPerSecond: number;
  readonly refused: number;
  readonly delivered: number;
  readonly sent: number;
}

function interfaceRxPackets(lab: NetnsLab, netns: string): number {
  const [link] = JSON.parse(lab.ip(netns, '-s', '-j', 'link', 'show', 'dev', HOST_INTERFACE)) as {
    stats64: { rx: { packets: number } };
  }[];
  return link?.stats64.rx.packets ?? 0;
}

/**
 * Sends the same 1,000 pre-encoded frames over and over for RATE_SECONDS. With the peer's
 * link down the bridge drops them on arrival: that is the sender's own capacity, without the
 * peer's receive work competing for the same two cores.
 */
function benchRate(
  lab: NetnsLab,
  master: LabHost,
  peer: LabHost,
  peerLink: RateFigures['peer'],
): RateFigures {
  const socket = openPacketSocket(HOST_INTERFACE, { netns: master.netns });
  const frames = Array.from({ length: 1000 }, (_, i) =>
    encode(gratuitousArpRequest(MASTER_MAC, `10.213.${8 + (i >> 8)}.${i & 0xff}`)),
  );
  if (peerLink === 'down') lab.ip(peer.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'down');
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
  const delivered = interfaceRxPackets(lab, peer.netns) - before;
  if (peerLink === 'down') lab.ip(peer.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'up');
  return { peer: peerLink, framesPerSecond: sent / seconds, refused, sent, delivered };
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

const range = (values: readonly number[]) =>
  `${fmt(percentile(values, 0.5))} (${fmt(Math.min(...values))}–${fmt(Math.max(...values))})`;
const p50p99 = (values: readonly number[]) =>
  `${fmt(percentile(values, 0.5))} / ${fmt(percentile(values, 0.99))}`;

function report(
  takeovers: TakeoverFigures[],
  many: ManyFigures,
  rates: RateFigures[],
  spawnMs: number[],
  totalS: number,
): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const lines = [
    '## ARP announcer (`npm run bench:arp`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, Linux ${release()}, Node ${process.version}; load average ${loadavg()[0]?.toFixed(1) ?? '?'} at the end (the machine is shared). Total run ${totalS.toFixed(1)} s.`,
    '',
    'Method: two namespaces on a bridge (NetnsLab from `@vipd/testkit`). "Become master" is',
    "`takeOver()`, the daemon's own takeover (vipd's VipHolder calls it): the netlink add of the",
    'VIP (RTM_NEWADDR, verified) and `announce()`, in the',
    'default order (add first) or with `announceFirst`. The clock starts just before it',
    "(CLOCK_REALTIME) and stops at the kernel's receive timestamp (SIOCGSTAMPNS) of the first",
    "frame on a packet socket in the peer's namespace, so the receiver's event loop does not",
    `count. ${TAKEOVERS} takeovers per row after ${WARMUP} warm-up runs, each with a fresh VIP, then`,
    '`giveUp()`. The tail comes from the machine: the rtnl lock is shared with every other',
    "namespace on the host and other jobs' labs create and delete theirs all the time.",
    '',
    '| takeover → first frame at the peer | p50 ms | p99 ms | max ms | netlink add p50 / p99 ms | `announce()` p50 / p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const t of takeovers) {
    const frame = t.family === 'IPv4' ? 'gratuitous ARP' : 'unsolicited NA';
    lines.push(
      `| ${t.family} ${frame}, ${t.announceFirst ? 'announce first' : 'add first (default)'} | ${fmt(percentile(t.wireMs, 0.5))} | ${fmt(percentile(t.wireMs, 0.99))} | ${fmt(Math.max(...t.wireMs))} | ${p50p99(t.addMs)} | ${p50p99(t.announceMs)} |`,
    );
  }
  lines.push(
    '',
    `Target: p50 ≤ 2 ms, p99 ≤ 5 ms. For comparison, one \`ip addr add\` spawned from Node costs ${p50p99(spawnMs)} ms (p50 / p99 of ${SPAWNS}) — more than the whole netlink takeover.`,
    '',
    `| ${MANY_VIPS} VIPs in one group | median (range) of ${MANY_TRIALS}, ms | target |`,
    '| --- | ---: | --- |',
    `| \`announce()\` → last of the ${MANY_VIPS} first frames at the peer | ${range(many.announceToLastMs)} | ≤ 50 |`,
    `| \`takeOver()\` (netlink add of all ${MANY_VIPS}, then announce) → last first frame | ${range(many.addAndAnnounceToLastMs)} | |`,
    `| first frames received per trial (fewest) | ${Math.min(...many.received)} of ${MANY_VIPS} | |`,
    '',
    `| sender throughput (${RATE_SECONDS} s, one socket, 60-byte frames) | frames/s | delivered to the peer interface | refused (send buffer full) |`,
    '| --- | ---: | ---: | ---: |',
  );
  for (const rate of rates) {
    lines.push(
      `| ${rate.peer === 'up' ? 'to the peer (its receive path shares the 2 cores)' : 'sender only (peer link down, the bridge drops them)'} | ${Math.round(rate.framesPerSecond).toLocaleString('en-US')} | ${rate.peer === 'up' ? `${((100 * rate.delivered) / Math.max(1, rate.sent)).toFixed(1)} % of ${rate.sent.toLocaleString('en-US')}` : '–'} | ${rate.refused} |`,
    );
  }
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
  if (netnsSkipReason() !== false) {
    console.error('bench:arp needs root: it builds network namespaces.');
    process.exitCode = 1;
    return;
  }
  const started = process.hrtime.bigint();
  const lab = createSwitchedLab('arp');
  try {
    const master = lab.addHost('bm', MASTER_MAC);
    const peer = lab.addHost('bp', PEER_MAC);
    lab.ip(master.netns, 'addr', 'add', '10.213.0.1/16', 'dev', HOST_INTERFACE);
    lab.ip(peer.netns, 'addr', 'add', '10.213.0.2/16', 'dev', HOST_INTERFACE);
    const listener = new PeerListener(peer);
    const takeovers: TakeoverFigures[] = [];
    let many: ManyFigures;
    try {
      for (const family of ['IPv4', 'IPv6'] as const) {
        for (const announceFirst of [false, true]) {
          takeovers.push(await benchTakeover(master, listener, family, announceFirst));
        }
      }
      many = await benchMany(master, listener);
    } finally {
      listener.close();
    }
    const rates = [benchRate(lab, master, peer, 'up'), benchRate(lab, master, peer, 'down')];
    const spawnMs = benchIpSpawn(master);
    const markdown = report(takeovers, many, rates, spawnMs, elapsedMs(started) / 1000);
    console.log(markdown);
    writeSection(markdown);
    console.log('\nwritten to docs/benchmarks.md');
  } finally {
    lab.destroy();
  }
}

await main();
