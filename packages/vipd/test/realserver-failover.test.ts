// Director failover in front of hidden real servers, end to end with real daemons: two
// directors run `vipd run` for the VIP group (priorities 150/100, heartbeats every 100 ms) and
// both carry the same nftables forwarding (destination-MAC rewrite, `fwd`) to the real
// servers; only the master receives client traffic, because the client's ARP entry for the
// VIP points at it. The real servers run `vipd run` in the real-server role (no groups, a
// `realserver:` section), which hides the VIP on lo and exports vipd_realserver_hidden.
//
//        client ──┐                          ┌── r1 (vipd run, realserver role, HTTP on VIP)
//                 ├── br0 (bridge namespace) ┤
//   d1 (150) ─────┤   faults: port state 0   └── r2
//   d2 (100) ─────┘
//
// The fault is a dead director: silence its bridge port, then SIGKILL its vipd. A SIGKILLed
// daemon leaves the VIP on its eth0, where the kernel would go on answering ARP for it, so
// killing the process alone models a crash that leaves the host up — the silenced port models
// the host itself going away, which is what the second director must cover.
//
// "Both real servers answered" is a statement about a hash: a director sends a connection to
// jhash(client address . source port) mod 2 (a random seed per rule), and the kernel hands
// out a client's source ports a few apart, in order. A handful of connections can all land on
// one server with nothing wrong: measured on this kernel (64 fresh rules, 4608 connections
// per family), 8 consecutive connections all went to one server in 1.0% of the windows for
// IPv6 and 1.25% for IPv4 (a fair coin: 0.78%), and once 16 in a row did (IPv4). This test
// once asked 8 IPv6 connections per phase, about 1 run in 50 failing, and that was the
// "realserver-failover fails in full-suite runs" flake of issue #17 — IPv6 answers all from
// one server while IPv4, d1's counters (all packets, none through d2) and every ARP frame
// were right; the failure message listed only the IPv4 answers, so it was read as an IPv4
// problem. The client now makes at least MIN_GETS connections per family and goes on, up
// to MAX_GETS, until both servers have answered: a working spread always passes, forwarding
// that favours one server still fails.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { captureFrames, NetnsLab, netnsSkipReason, poll, waitForLine } from '@vipd/testkit';

const skip = netnsSkipReason(['nft', 'tcpdump', 'tshark', 'curl', 'bridge', 'ping']);
const LAB_NODE = fileURLToPath(new URL('./realserver-lab-node.js', import.meta.url));
const VIPD_BIN = fileURLToPath(new URL('../../bin/vipd.js', import.meta.url));
const WAIT_MS = 10_000;
/**
 * A process started beside four daemons on 2 cores that other work loads too: at load 20,
 * an HTTP server needed more than 10 s to say "listening" in 16 of 30 runs.
 */
const START_WAIT_MS = 30_000;
/** Node start-up of four daemons on a busy 2-core machine takes seconds. */
const ELECTION_WAIT_MS = 60_000;
const HEARTBEAT_PORT = 7410;
const HEARTBEAT_INTERVAL_MS = 100;
const DOWN_MULTIPLIER = 3;
/**
 * The longest the client may go without an answer from the VIP when director 1 dies: the
 * backup's detection (down_multiplier × interval of silence, counted from the last heartbeat,
 * which left up to one interval before the fault) plus the takeover (address, gratuitous
 * ARP), plus a generous second for four daemons, tcpdump and ping sharing 2 loaded cores.
 */
const FAILOVER_BOUND_MS = DOWN_MULTIPLIER * HEARTBEAT_INTERVAL_MS + HEARTBEAT_INTERVAL_MS + 1_000;
/** Ping replies to see before the fault and after the client moves, so the gap is bounded on both sides. */
const STEADY_REPLIES = 20;
/** Connections per family and phase, at least; more until both real servers answered. */
const MIN_GETS = 16;
/** 64 connections all on one server: the forwarding is broken, not unlucky (see above). */
const MAX_GETS = 64;
/**
 * How often the phase before the fault is measured when a director changed state during it:
 * at load 20 on 2 cores a daemon can miss 300 ms, and the other director then takes over as
 * it should (its log says "this node did not run for … (frozen or starved)").
 */
const PHASE_ATTEMPTS = 3;
const API = 'http://127.0.0.1:7411';
const GROUP = 'web';

const VIP4 = '10.213.78.100';
const VIP6 = 'fd00:213:78::100';
const HOSTS = {
  client: { v4: '10.213.78.10', v6: 'fd00:213:78::10' },
  d1: { v4: '10.213.78.2', v6: 'fd00:213:78::2' },
  d2: { v4: '10.213.78.3', v6: 'fd00:213:78::3' },
  r1: { v4: '10.213.78.11', v6: 'fd00:213:78::11' },
  r2: { v4: '10.213.78.12', v6: 'fd00:213:78::12' },
} as const;
type Role = keyof typeof HOSTS;
type Director = 'd1' | 'd2';
const DIRECTORS = ['d1', 'd2'] as const;
const PRIORITY: Record<Director, number> = { d1: 150, d2: 100 };
const REAL_SERVERS = ['r1', 'r2'] as const;

interface Answer {
  name: string;
  localAddress: string;
  remoteAddress: string;
  remotePort: number;
}

/** One captured frame, the fields the assertions need ('' when absent). */
interface Frame {
  timeS: number;
  ethSrc: string;
  arpOpcode: string;
  arpSenderIp: string;
  arpTargetIp: string;
  icmpv6Type: string;
  naTarget: string;
}

/**
 * Every ARP frame whose sender is the VIP (requests too: a real server asking for the
 * client's MAC with the VIP as sender would move the client's entry to it — what
 * arp_announce=2 exists to prevent), as [source MAC, opcode, target].
 */
function vipArp(frames: readonly Frame[]): string[][] {
  return frames
    .filter((f) => f.arpSenderIp === VIP4)
    .map((f) => [f.ethSrc, f.arpOpcode, f.arpTargetIp]);
}

const TSHARK_FIELDS = [
  'frame.time_epoch',
  'eth.src',
  'arp.opcode',
  'arp.src.proto_ipv4',
  'arp.dst.proto_ipv4',
  'icmpv6.type',
  'icmpv6.nd.na.target_address',
] as const;

function toFrame(f: Record<(typeof TSHARK_FIELDS)[number], string>): Frame {
  return {
    timeS: Number(f['frame.time_epoch']),
    ethSrc: f['eth.src'],
    arpOpcode: f['arp.opcode'],
    arpSenderIp: f['arp.src.proto_ipv4'],
    arpTargetIp: f['arp.dst.proto_ipv4'],
    icmpv6Type: f['icmpv6.type'],
    naTarget: f['icmpv6.nd.na.target_address'],
  };
}

/** Which server answered each connection, by client port, for both families: a wrong spread names its family. */
function spread(answers: readonly Answer[], answers6: readonly Answer[]): string {
  const list = (a: readonly Answer[]) => JSON.stringify(a.map((x) => [x.name, x.remotePort]));
  return `IPv4 answers ${list(answers)}; IPv6 answers ${list(answers6)}`;
}

/** A child's stdout and stderr, drained so a chatty daemon never blocks on a full pipe. */
function collectOutput(child: ChildProcess): { text: () => string } {
  let text = '';
  const append = (chunk: Buffer): void => {
    text += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return { text: () => text };
}

/** Runs `run` once, for whichever test asks first; later callers share its outcome. */
function once<T>(run: () => Promise<T>): () => Promise<T> {
  let outcome: Promise<T> | undefined;
  return () => (outcome ??= run());
}

/** How many ping replies `ping -D` printed so far. */
function replyCount(pingOutput: string): number {
  return pingOutput.match(/^\[\d+\.\d+\] \d+ bytes from/gm)?.length ?? 0;
}

/** Longest span between two consecutive ping replies (`ping -D` timestamps), in ms. */
function longestReplyGapMs(pingOutput: string): { gapMs: number; replies: number } {
  const times = [...pingOutput.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)].map((m) =>
    Number(m[1]),
  );
  let gapMs = 0;
  for (let i = 1; i < times.length; i += 1) {
    gapMs = Math.max(gapMs, (times[i]! - times[i - 1]!) * 1000);
  }
  return { gapMs, replies: times.length };
}

describe('director failover in front of hidden real servers (real vipd daemons)', { skip }, () => {
  let lab: NetnsLab;
  let dir: string;
  let bridge: string;
  const ns = {} as Record<Role, string>;
  const mac = {} as Record<Role, string>;
  const daemons = {} as Record<Director | 'r1' | 'r2', ChildProcess>;
  const logs: Partial<Record<Director | 'r1' | 'r2', { text: () => string }>> = {};

  function exec(role: Role, argv: readonly string[]): string {
    return lab.exec(ns[role], argv);
  }

  function curl(role: Role, path: string): string {
    return exec(role, ['curl', '-sS', '-m', '2', `${API}${path}`]);
  }

  function groupState(role: Director): string {
    try {
      const body = JSON.parse(curl(role, `/v1/groups/${GROUP}`)) as { state?: unknown };
      return typeof body.state === 'string' ? body.state.toLowerCase() : 'unknown';
    } catch {
      return 'unreachable';
    }
  }

  /**
   * Each director's state and epoch (every takeover starts a new epoch); 'unreachable' when
   * its API did not answer. Not lastTransitionAt: the API derives it from the monotonic
   * clock at each request, so it moves by a millisecond between two reads.
   */
  function electionMarks(): string {
    return DIRECTORS.map((role) => {
      try {
        const body = JSON.parse(curl(role, `/v1/groups/${GROUP}`)) as {
          state?: unknown;
          epoch?: unknown;
        };
        return `${role} ${String(body.state)}@${String(body.epoch)}`;
      } catch {
        return `${role} unreachable`;
      }
    }).join(', ');
  }

  async function directorsSettled(): Promise<void> {
    await poll(
      'd1 master and d2 backup',
      () => groupState('d1') === 'master' && groupState('d2') === 'backup',
      {
        timeoutMs: ELECTION_WAIT_MS,
        intervalMs: 100,
        describe: () =>
          `(d1 ${groupState('d1')}, d2 ${groupState('d2')})${logTail('d1')}${logTail('d2')}`,
      },
    );
  }

  function httpGet(url: string): Answer[] {
    const argv = ['node', LAB_NODE, 'get', url, String(MIN_GETS), String(MAX_GETS)];
    return JSON.parse(exec('client', argv)) as Answer[];
  }

  function clientNeighbour(address: string): string | null {
    const entries = JSON.parse(
      exec('client', ['ip', '-j', 'neigh', 'show', address, 'dev', 'eth0']),
    ) as { lladdr?: string }[];
    return entries[0]?.lladdr ?? null;
  }

  /** Packets a director's nftables rules forwarded so far. */
  function forwarded(role: Director): number {
    const doc = JSON.parse(exec(role, ['nft', '-j', 'list', 'table', 'netdev', 'dr'])) as {
      nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[];
    };
    return doc.nftables
      .flatMap((item) => item.rule?.expr ?? [])
      .reduce((sum, expr) => sum + (expr.counter?.packets ?? 0), 0);
  }

  /** Frames on the client's eth0 while `body` runs; the pcap is kept in the run directory. */
  async function capture(name: string, body: () => Promise<void>): Promise<Frame[]> {
    const frames = await captureFrames(
      { netns: ns.client, pcapPath: join(dir, `${name}.pcap`), settleMs: 300 },
      body,
      { fields: TSHARK_FIELDS },
    );
    return frames.map(toFrame);
  }

  function writeConfig(role: Director | 'r1' | 'r2', doc: Record<string, unknown>): string {
    const path = join(dir, `vipd-${role}.yaml`);
    writeFileSync(path, stringify(doc));
    return path;
  }

  function startVipd(role: Director | 'r1' | 'r2', config: string): void {
    const child = lab.spawn(ns[role], [process.execPath, VIPD_BIN, 'run', '--config', config]);
    daemons[role] = child;
    logs[role] = collectOutput(child);
  }

  const logTail = (role: Director | 'r1' | 'r2'): string =>
    `\n--- ${role} log ---\n${logs[role]?.text().slice(-3000) ?? ''}`;

  // The lab removes its namespaces and processes on a signal too; the files go with them.
  const removeDir = (): void => {
    if (process.env['RSLAB_KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
  };

  before(async () => {
    lab = new NetnsLab('rsf');
    dir = mkdtempSync(join(tmpdir(), 'vipd-rsfail-'));
    process.once('exit', removeDir);
    bridge = lab.switch('br');
    // RSLAB_KEEP=1 keeps the run directory: the client's captures, every frame the switch
    // carried (bridge.pcap: which director forwarded each connection to which server) and
    // the daemons' output.
    if (process.env['RSLAB_KEEP'] !== undefined) {
      const dump = lab.spawn(bridge, [
        'tcpdump',
        '-i',
        'br0',
        '-n',
        '-s',
        '200',
        '-U',
        '-w',
        join(dir, 'bridge.pcap'),
      ]);
      await waitForLine(dump, /listening on/, START_WAIT_MS);
    }
    for (const role of Object.keys(HOSTS) as Role[]) {
      const host = lab.addHost(role);
      ns[role] = host.netns;
      mac[role] = host.mac;
      exec(role, ['ip', 'addr', 'add', `${HOSTS[role].v4}/24`, 'dev', 'eth0']);
      exec(role, ['ip', 'addr', 'add', `${HOSTS[role].v6}/64`, 'dev', 'eth0', 'nodad']);
    }

    const keyFile = join(dir, 'cluster.key');
    writeFileSync(keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    const base = (role: Role): Record<string, unknown> => ({
      node: { id: role, listen: `${HOSTS[role].v4}:${HEARTBEAT_PORT}` },
      api: { listen: API.replace('http://', '') },
      log: { level: 'info', format: 'json' },
    });

    // Real servers: the daemon in the real-server role applies the hidden VIPs itself. With
    // no groups and no peers it needs no heartbeat address and no cluster key.
    for (const role of REAL_SERVERS) {
      const config = writeConfig(role, {
        node: { id: role },
        api: { listen: API.replace('http://', '') },
        log: { level: 'info', format: 'json' },
        realserver: {
          vips: [VIP4, VIP6],
          interfaces: ['eth0'],
          check_interval: '1s',
          state_file: join(dir, `${role}-state.json`),
        },
      });
      startVipd(role, config);
      const server = lab.spawn(ns[role], ['node', LAB_NODE, 'serve', role]);
      await waitForLine(server, /^listening/, START_WAIT_MS);
    }

    // Directors: the same forwarding on both, matched on the director's own MAC as
    // destination, so a director forwards only what the client's ARP entry sends to it.
    for (const role of DIRECTORS) {
      const pick = `mod 2 map { 0 : ${mac.r1}, 1 : ${mac.r2} }`;
      const own = mac[role];
      lab.exec(
        ns[role],
        ['nft', '-f', '-'],
        `table netdev dr {
          chain ingress {
            type filter hook ingress device "eth0" priority 0; policy accept;
            ether daddr ${own} ip daddr ${VIP4} ip protocol tcp ether saddr set ${own} ether daddr set jhash ip saddr . tcp sport ${pick} counter fwd to "eth0"
            ether daddr ${own} ip6 daddr ${VIP6} meta l4proto tcp ether saddr set ${own} ether daddr set jhash ip6 saddr . tcp sport ${pick} counter fwd to "eth0"
          }
        }`,
      );
      const peer = role === 'd1' ? 'd2' : 'd1';
      const config = writeConfig(role, {
        ...base(role),
        cluster: {
          key_file: keyFile,
          heartbeat_interval: `${HEARTBEAT_INTERVAL_MS}ms`,
          down_multiplier: DOWN_MULTIPLIER,
          peers: [{ id: peer, address: `${HOSTS[peer].v4}:${HEARTBEAT_PORT}` }],
        },
        groups: [
          {
            name: GROUP,
            interface: 'eth0',
            addresses: [`${VIP4}/24`, `${VIP6}/64`],
            priority: PRIORITY[role],
            preempt: true,
            preempt_delay: '0s',
          },
        ],
      });
      startVipd(role, config);
    }

    await directorsSettled();
  });

  after(() => {
    if (process.env['RSLAB_KEEP'] !== undefined)
      for (const [role, log] of Object.entries(logs))
        writeFileSync(join(dir, `${role}.log`), log.text());
    lab.destroy();
    removeDir();
    process.off('exit', removeDir);
  });

  it('vipd run in the real-server role hides the VIPs and exports vipd_realserver_hidden', async () => {
    for (const role of REAL_SERVERS) {
      let metrics = '';
      await poll(
        `${role}: vipd_realserver_hidden 1 for both VIPs`,
        () => {
          try {
            metrics = curl(role, '/metrics');
          } catch {
            return false;
          }
          return [VIP4, VIP6].every((vip) =>
            new RegExp(`^vipd_realserver_hidden\\{vip="${vip}"\\} 1$`, 'm').test(metrics),
          );
        },
        {
          timeoutMs: WAIT_MS,
          intervalMs: 100,
          describe: () =>
            `${metrics
              .split('\n')
              .filter((l) => l.startsWith('vipd_realserver'))
              .join('\n')}${logTail(role)}`,
        },
      );
      assert.doesNotMatch(metrics, /^vipd_realserver_problem\{.*\} 1$/m, 'no problem reported');
      assert.match(metrics, /^vipd_realserver_checks_total\{result="ok"\} [1-9]/m);
      const lo = exec(role, ['ip', '-o', 'addr', 'show', 'dev', 'lo']);
      assert.match(lo, new RegExp(`inet ${VIP4.replaceAll('.', '\\.')}/32 scope host lo:vip`));
      assert.equal(exec(role, ['sysctl', '-n', 'net.ipv4.conf.eth0.arp_ignore']).trim(), '1');
      assert.equal(exec(role, ['sysctl', '-n', 'net.ipv4.conf.eth0.arp_announce']).trim(), '2');
    }
  });

  // The phases build on each other (the fault kills director 1), so each runs once, for
  // whichever test needs it first: a test run alone (--test-name-pattern) still gets the
  // phases it depends on, in order, and never sees another test's leftovers.
  const beforeFault = once(async () => {
    for (let attempt = 1; ; attempt += 1) {
      const marks = electionMarks();
      const outcome = await measureBeforeFault().catch((error: unknown) => error as Error);
      if (electionMarks() === marks || attempt === PHASE_ATTEMPTS) {
        if (outcome instanceof Error) throw outcome;
        return outcome;
      }
      // A director that did not run for 300 ms (a starved machine) was replaced and took
      // the client for a moment: that is the election doing its job, not what this phase
      // measures. Measure again once the directors have settled.
      process.stdout.write(
        `# before the fault: a director changed state during attempt ${attempt} (${marks} -> ${electionMarks()}); measuring again\n`,
      );
      await directorsSettled();
    }
  });

  async function measureBeforeFault() {
    let answers: Answer[] = [];
    let answers6: Answer[] = [];
    const before = { d1: forwarded('d1'), d2: forwarded('d2') };
    const frames = await capture('before', () => {
      for (const role of ['client', 'r1', 'r2'] as const)
        exec(role, ['ip', 'neigh', 'flush', 'dev', 'eth0']);
      answers = httpGet(`http://${VIP4}/`);
      answers6 = httpGet(`http://[${VIP6}]/`);
      return Promise.resolve();
    });
    return {
      frames,
      answers,
      answers6,
      forwardedD1: forwarded('d1') - before.d1,
      forwardedD2: forwarded('d2') - before.d2,
      neighbour4: clientNeighbour(VIP4),
      neighbour6: clientNeighbour(VIP6),
    };
  }

  const failover = once(async () => {
    await beforeFault();
    const pinger = lab.spawn(ns.client, ['ping', '-D', '-n', '-i', '0.01', '-W', '1', VIP4]);
    const pingOutput = collectOutput(pinger);
    let silencedAtS = 0;
    let answers: Answer[] = [];
    let answers6: Answer[] = [];
    const forwardedBefore = forwarded('d2');
    const pingPoll = { timeoutMs: WAIT_MS, intervalMs: 10 };
    const frames = await capture('failover', async () => {
      await poll(
        `${STEADY_REPLIES} ping replies before the fault`,
        () => replyCount(pingOutput.text()) >= STEADY_REPLIES,
        pingPoll,
      );
      const d1 = daemons.d1;
      const exited = new Promise((resolve) => d1.once('exit', resolve));
      // The port first, then the process: the host vanishes from the LAN, and the kernel's
      // FIN/RST for the dead daemon's heartbeat connections never reaches director 2, which
      // must notice the silence itself (3 missed heartbeats).
      lab.exec(bridge, ['bridge', 'link', 'set', 'dev', 'p-d1', 'state', '0']);
      silencedAtS = Date.now() / 1000;
      d1.kill('SIGKILL');
      await exited;
      assert.equal(d1.signalCode, 'SIGKILL');
      // The dead daemon's VIP stays on its interface: only the silenced port keeps it quiet.
      assert.match(
        exec('d1', ['ip', '-o', 'addr', 'show', 'dev', 'eth0']),
        new RegExp(`inet ${VIP4}/`),
      );
      await poll('director 2 master', () => groupState('d2') === 'master', {
        timeoutMs: WAIT_MS,
        intervalMs: 100,
        describe: () => `(d2 ${groupState('d2')})${logTail('d2')}`,
      });
      await poll(
        "client's neighbour entry for the VIP flips to director 2",
        () => clientNeighbour(VIP4) === mac.d2,
        {
          timeoutMs: WAIT_MS,
          intervalMs: 100,
          describe: () => `(is ${String(clientNeighbour(VIP4))})`,
        },
      );
      // Replies through director 2 close the gap the fault opened.
      const repliesAtFlip = replyCount(pingOutput.text());
      await poll(
        `${STEADY_REPLIES} ping replies through director 2`,
        () => replyCount(pingOutput.text()) >= repliesAtFlip + STEADY_REPLIES,
        pingPoll,
      );
      answers = httpGet(`http://${VIP4}/`);
      answers6 = httpGet(`http://[${VIP6}]/`);
      const exitedPing = new Promise((resolve) => pinger.once('exit', resolve));
      pinger.kill('SIGINT');
      await exitedPing;
    });
    return {
      frames,
      answers,
      answers6,
      silencedAtS,
      pingText: pingOutput.text(),
      forwardedD2: forwarded('d2') - forwardedBefore,
      neighbour6: clientNeighbour(VIP6),
    };
  });

  it('before the fault: the client reaches both real servers through director 1', async () => {
    const { frames, answers, answers6, forwardedD1, forwardedD2, neighbour4, neighbour6 } =
      await beforeFault();
    // Who the client sent to, and who forwarded, say why if the spread is wrong.
    const why = () =>
      `client maps ${VIP4} to ${neighbour4} (d1 ${mac.d1}, r1 ${mac.r1}, ` +
      `r2 ${mac.r2}); forwarded d1 ${forwardedD1}, d2 ${forwardedD2}; ` +
      `${spread(answers, answers6)}; ARP naming the VIP ${JSON.stringify(vipArp(frames))}`;
    assert.deepEqual([...new Set(answers.map((a) => a.name))].sort(), ['r1', 'r2'], why());
    assert.ok(answers.every((a) => a.localAddress.replace(/^::ffff:/, '') === VIP4));
    assert.deepEqual([...new Set(answers6.map((a) => a.name))].sort(), ['r1', 'r2'], why());
    assert.equal(neighbour4, mac.d1, 'the client maps the VIP to director 1');
    assert.equal(neighbour6, mac.d1);
    const connections = answers.length + answers6.length;
    assert.ok(forwardedD1 >= connections * 3, 'director 1 forwarded the requests');
    assert.equal(forwardedD2, 0, 'the backup director saw none of them');
    const vipArpReplies = frames.filter((f) => f.arpSenderIp === VIP4 && f.arpOpcode === '2');
    assert.ok(vipArpReplies.length > 0, 'someone answered ARP for the VIP');
    assert.deepEqual([...new Set(vipArpReplies.map((f) => f.ethSrc))], [mac.d1]);
  });

  it('SIGKILL director 1 and silence its port: director 2 takes over, both real servers still answer', async () => {
    const { frames, answers, answers6, silencedAtS, pingText, forwardedD2, neighbour6 } =
      await failover();
    const why = () =>
      `client maps ${VIP4} to ${clientNeighbour(VIP4)} (d2 ${mac.d2}, r1 ${mac.r1}, r2 ` +
      `${mac.r2}); d2 forwarded ${forwardedD2}; ${spread(answers, answers6)}; ` +
      `ARP naming the VIP ${JSON.stringify(vipArp(frames))}`;
    assert.deepEqual([...new Set(answers.map((a) => a.name))].sort(), ['r1', 'r2'], why());
    assert.ok(answers.every((a) => a.localAddress.replace(/^::ffff:/, '') === VIP4));
    assert.deepEqual([...new Set(answers6.map((a) => a.name))].sort(), ['r1', 'r2'], why());
    assert.equal(neighbour6, mac.d2, 'IPv6: the client maps the VIP to director 2');
    const connections = answers.length + answers6.length;
    assert.ok(forwardedD2 >= connections * 3, 'director 2 forwarded the requests');

    // Gratuitous ARP for the VIP from director 2 (sender = target = VIP), after the fault.
    const garp = frames.filter(
      (f) =>
        f.ethSrc === mac.d2 &&
        f.arpSenderIp === VIP4 &&
        f.arpTargetIp === VIP4 &&
        f.timeS >= silencedAtS,
    );
    assert.ok(garp.length > 0, 'gratuitous ARP from director 2');
    const na = frames.filter(
      (f) => f.ethSrc === mac.d2 && f.icmpv6Type === '136' && f.naTarget === VIP6,
    );
    assert.ok(na.length > 0, 'unsolicited neighbour advertisement from director 2');
    // Once its port is silent nothing from director 1 reaches the client.
    assert.equal(frames.filter((f) => f.ethSrc === mac.d1 && f.timeS > silencedAtS).length, 0);

    const { gapMs, replies } = longestReplyGapMs(pingText);
    assert.ok(replies >= 2 * STEADY_REPLIES, `ping answered before and after (${replies})`);
    const garpAfterMs = (garp[0]!.timeS - silencedAtS) * 1000;
    process.stdout.write(
      `# failover: first gratuitous ARP from director 2 ${Math.round(garpAfterMs)} ms after the fault; longest gap between ping replies ${Math.round(gapMs)} ms (10 ms interval; bound ${FAILOVER_BOUND_MS} ms)\n`,
    );
    assert.ok(
      garpAfterMs <= FAILOVER_BOUND_MS,
      `director 2 announced ${Math.round(garpAfterMs)} ms after the fault (bound ${FAILOVER_BOUND_MS} ms)`,
    );
    assert.ok(
      gapMs <= FAILOVER_BOUND_MS,
      `the client went ${Math.round(gapMs)} ms without a ping reply (bound ${FAILOVER_BOUND_MS} ms)`,
    );
  });

  it('never did a real server answer or announce ARP for the VIP', async () => {
    const allFrames = [...(await beforeFault()).frames, ...(await failover()).frames];
    const realServerMacs = new Set([mac.r1, mac.r2]);
    assert.ok(allFrames.length > 0);
    const leaks = allFrames.filter(
      (f) =>
        realServerMacs.has(f.ethSrc) &&
        (f.arpSenderIp === VIP4 || (f.icmpv6Type === '136' && f.naTarget === VIP6)),
    );
    assert.deepEqual(leaks, []);
    const claimers = new Set(allFrames.filter((f) => f.arpSenderIp === VIP4).map((f) => f.ethSrc));
    assert.deepEqual([...claimers].sort(), [mac.d1, mac.d2].sort());
  });
});
