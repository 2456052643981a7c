// Direct routing, end to end in network namespaces: a client, a director that owns the VIP
// on the LAN and forwards by rewriting only the destination MAC (nftables netdev ingress,
// `fwd`), and two real servers holding the VIP hidden on lo — applied by `vipd realserver
// apply` — serving HTTP on it. The client's capture proves who answered ARP/NS for the VIP
// and who sent the replies. The negative control takes the role away (VIP on the real
// server's eth0, default sysctls) and shows a real server answering ARP and the client
// bypassing the director.
//
//        client ──┐                         ┌── r1 (VIP on lo, arp_ignore 1, arp_announce 2)
//                 ├── br0 (bridge namespace)┤
//      director ──┘  (VIP on eth0, nft fwd) └── r2
//
// Two directors running vipd with failover: realserver-failover.test.ts.

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { captureFrames, NetnsLab, netnsSkipReason, waitForLine } from '@vipd/testkit';

const skip = netnsSkipReason(['nft', 'tcpdump', 'tshark']);
const LAB_NODE = fileURLToPath(new URL('./realserver-lab-node.js', import.meta.url));
/** An HTTP server's start-up on 2 cores that other work loads: seconds, past 10 s at load 20. */
const START_WAIT_MS = 30_000;

const VIP4 = '10.213.77.100';
const VIP6 = 'fd00:213:77::100';
const HOSTS = {
  client: { v4: '10.213.77.10', v6: 'fd00:213:77::10' },
  director: { v4: '10.213.77.2', v6: 'fd00:213:77::2' },
  r1: { v4: '10.213.77.11', v6: 'fd00:213:77::11' },
  r2: { v4: '10.213.77.12', v6: 'fd00:213:77::12' },
} as const;
type Role = keyof typeof HOSTS;
const REAL_SERVERS = ['r1', 'r2'] as const;

interface Answer {
  name: string;
  localAddress: string;
  remoteAddress: string;
}

/** One captured frame, the fields the assertions need ('' when absent). */
interface Frame {
  ethSrc: string;
  ethDst: string;
  arpOpcode: string;
  arpSenderIp: string;
  ipSrc: string;
  ipDst: string;
  ipv6Src: string;
  ipv6Dst: string;
  tcp: boolean;
  icmpv6Type: string;
  naTarget: string;
}

const TSHARK_FIELDS = [
  'eth.src',
  'eth.dst',
  'arp.opcode',
  'arp.src.proto_ipv4',
  'ip.src',
  'ip.dst',
  'ipv6.src',
  'ipv6.dst',
  'tcp.srcport',
  'icmpv6.type',
  'icmpv6.nd.na.target_address',
] as const;

/** tshark's fields, read back into a Frame. */
function toFrame(f: Record<(typeof TSHARK_FIELDS)[number], string>): Frame {
  return {
    ethSrc: f['eth.src'],
    ethDst: f['eth.dst'],
    arpOpcode: f['arp.opcode'],
    arpSenderIp: f['arp.src.proto_ipv4'],
    ipSrc: f['ip.src'],
    ipDst: f['ip.dst'],
    ipv6Src: f['ipv6.src'],
    ipv6Dst: f['ipv6.dst'],
    tcp: f['tcp.srcport'] !== '',
    icmpv6Type: f['icmpv6.type'],
    naTarget: f['icmpv6.nd.na.target_address'],
  };
}

describe('direct routing with hidden VIPs on the real servers', { skip }, () => {
  let lab: NetnsLab;
  let dir: string;
  const ns = {} as Record<Role, string>;
  const mac = {} as Record<Role, string>;
  const servers: ChildProcess[] = [];

  function exec(role: Role, argv: readonly string[]): string {
    return lab.exec(ns[role], argv);
  }

  /** `vipd -c CONFIG realserver ACTION --json` inside a real server's namespace. */
  function vipd(
    role: 'r1' | 'r2',
    action: 'apply' | 'check' | 'remove',
  ): {
    status: number;
    json: unknown;
  } {
    const config = join(dir, `${role}.yaml`);
    const argv = ['node', LAB_NODE, 'vipd', '-c', config, 'realserver', action, '--json'];
    try {
      return { status: 0, json: JSON.parse(exec(role, argv)) };
    } catch (error) {
      // A non-zero exit still printed its JSON; run() put it in the error's cause.
      const cause = (error as { cause?: { status?: number; stdout?: string } }).cause;
      // Nothing printed (killed by the command timeout on a loaded machine, a crash): the
      // error says what happened, "Unexpected end of JSON input" would not.
      if (!cause?.stdout) throw error;
      return { status: cause.status ?? -1, json: JSON.parse(cause.stdout) };
    }
  }

  function httpGet(url: string, count: number): Answer[] {
    return JSON.parse(exec('client', ['node', LAB_NODE, 'get', url, String(count)])) as Answer[];
  }

  function flushNeighbours(...roles: Role[]): void {
    for (const role of roles) exec(role, ['ip', 'neigh', 'flush', 'dev', 'eth0']);
  }

  function clientNeighbour(address: string): string | null {
    const entries = JSON.parse(
      exec('client', ['ip', '-j', 'neigh', 'show', address, 'dev', 'eth0']),
    ) as { lladdr?: string }[];
    return entries[0]?.lladdr ?? null;
  }

  /** Packets the director's nftables rules forwarded so far. */
  function directorForwarded(): number {
    const doc = JSON.parse(exec('director', ['nft', '-j', 'list', 'table', 'netdev', 'dr'])) as {
      nftables: { rule?: { expr: { counter?: { packets: number } }[] } }[];
    };
    return doc.nftables
      .flatMap((item) => item.rule?.expr ?? [])
      .reduce((sum, expr) => sum + (expr.counter?.packets ?? 0), 0);
  }

  /** Frames on the client's eth0 while `body` runs; the pcap is kept in the run directory. */
  async function capture(name: string, body: () => void): Promise<Frame[]> {
    const frames = await captureFrames(
      { netns: ns.client, pcapPath: join(dir, `${name}.pcap`), settleMs: 300 },
      body,
      { fields: TSHARK_FIELDS },
    );
    return frames.map(toFrame);
  }

  before(async () => {
    lab = new NetnsLab('rsl');
    dir = mkdtempSync(join(tmpdir(), 'vipd-rslab-'));
    for (const role of Object.keys(HOSTS) as Role[]) {
      const host = lab.addHost(role);
      ns[role] = host.netns;
      mac[role] = host.mac;
      exec(role, ['ip', 'addr', 'add', `${HOSTS[role].v4}/24`, 'dev', 'eth0']);
      exec(role, ['ip', 'addr', 'add', `${HOSTS[role].v6}/64`, 'dev', 'eth0', 'nodad']);
    }

    // The director owns the VIP on the LAN (answers ARP/NS) and forwards TCP for it to a
    // real server chosen by a hash of the client's address and port, rewriting only the
    // MACs: the IP packet, VIP as destination, is untouched.
    exec('director', ['ip', 'addr', 'add', `${VIP4}/32`, 'dev', 'eth0']);
    exec('director', ['ip', 'addr', 'add', `${VIP6}/128`, 'dev', 'eth0', 'nodad']);
    const pick = `mod 2 map { 0 : ${mac.r1}, 1 : ${mac.r2} }`;
    const rules = `
      table netdev dr {
        chain ingress {
          type filter hook ingress device "eth0" priority 0; policy accept;
          ip daddr ${VIP4} ip protocol tcp ether saddr set ${mac.director} ether daddr set jhash ip saddr . tcp sport ${pick} counter fwd to "eth0"
          ip6 daddr ${VIP6} meta l4proto tcp ether saddr set ${mac.director} ether daddr set jhash ip6 saddr . tcp sport ${pick} counter fwd to "eth0"
        }
      }`;
    lab.exec(ns.director, ['nft', '-f', '-'], rules);

    for (const role of REAL_SERVERS) {
      writeFileSync(
        join(dir, `${role}.yaml`),
        [
          'realserver:',
          `  vips: [${VIP4}, "${VIP6}"]`,
          '  interfaces: [eth0]',
          `  state_file: ${join(dir, `${role}-state.json`)}`,
          `  sysctl_file: ${join(dir, `${role}-sysctl.conf`)}`,
          '',
        ].join('\n'),
      );
      const server = lab.spawn(ns[role], ['node', LAB_NODE, 'serve', role]);
      servers.push(server);
      await waitForLine(server, /^listening/, START_WAIT_MS);
    }
  });

  after(() => {
    lab.destroy();
    if (process.env['RSLAB_KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('vipd realserver apply hides the VIPs on both real servers', () => {
    for (const role of REAL_SERVERS) {
      // `all` is read by every interface of the host: vipd leaves it as it found it.
      const hostWide = ['arp_ignore', 'arp_announce'].map((name) =>
        exec(role, ['sysctl', '-n', `net.ipv4.conf.all.${name}`]).trim(),
      );
      const applied = vipd(role, 'apply');
      assert.equal(applied.status, 0, JSON.stringify(applied.json));
      const addresses = exec(role, ['ip', '-o', 'addr', 'show', 'dev', 'lo']);
      assert.match(addresses, new RegExp(`inet ${VIP4}/32 scope host lo:vip`));
      assert.match(addresses, new RegExp(`inet6 ${VIP6}/128 scope global`));
      assert.equal(exec(role, ['sysctl', '-n', 'net.ipv4.conf.eth0.arp_ignore']).trim(), '1');
      assert.equal(exec(role, ['sysctl', '-n', 'net.ipv4.conf.eth0.arp_announce']).trim(), '2');
      assert.deepEqual(
        ['arp_ignore', 'arp_announce'].map((name) =>
          exec(role, ['sysctl', '-n', `net.ipv4.conf.all.${name}`]).trim(),
        ),
        hostWide,
      );
      assert.equal(vipd(role, 'check').status, 0);
    }
  });

  it('the client reaches both real servers through the director; replies come straight back', async () => {
    let v4: Answer[] = [];
    let v6: Answer[] = [];
    const forwardedBefore = directorForwarded();
    const frames = await capture('hidden', () => {
      // Nobody knows anybody: every ARP/NS exchange happens inside the capture.
      flushNeighbours('client', 'director', 'r1', 'r2');
      v4 = httpGet(`http://${VIP4}/`, 16);
      v6 = httpGet(`http://[${VIP6}]/`, 16);
    });

    for (const [answers, vip, client] of [
      [v4, VIP4, HOSTS.client.v4],
      [v6, VIP6, HOSTS.client.v6],
    ] as const) {
      assert.deepEqual([...new Set(answers.map((a) => a.name))].sort(), ['r1', 'r2']);
      for (const answer of answers) {
        assert.equal(answer.localAddress.replace(/^::ffff:/, ''), vip, 'served on the VIP');
        assert.equal(answer.remoteAddress.replace(/^::ffff:/, ''), client, 'client unchanged');
      }
    }
    assert.ok(directorForwarded() - forwardedBefore >= 32 * 3, 'requests went via the director');
    assert.equal(clientNeighbour(VIP4), mac.director);
    assert.equal(clientNeighbour(VIP6), mac.director);

    const realServerMacs = new Set([mac.r1, mac.r2]);
    // ARP for the VIP: answered, and only ever by the director.
    const vipArp = frames.filter((f) => f.arpSenderIp === VIP4);
    assert.ok(
      vipArp.some((f) => f.arpOpcode === '2'),
      'someone answered ARP for the VIP',
    );
    assert.deepEqual([...new Set(vipArp.map((f) => f.ethSrc))], [mac.director]);
    // Neighbour advertisements for the IPv6 VIP: only the director's.
    const vipNa = frames.filter((f) => f.icmpv6Type === '136' && f.naTarget === VIP6);
    assert.ok(vipNa.length > 0);
    assert.deepEqual([...new Set(vipNa.map((f) => f.ethSrc))], [mac.director]);
    // The real servers did resolve the client — from their own addresses, never the VIP.
    const rsArp = frames.filter((f) => f.arpOpcode === '1' && realServerMacs.has(f.ethSrc));
    assert.ok(rsArp.length > 0, 'the real servers ARPed for the client');
    assert.ok(rsArp.every((f) => f.arpSenderIp === HOSTS.r1.v4 || f.arpSenderIp === HOSTS.r2.v4));
    const rsNs = frames.filter((f) => f.icmpv6Type === '135' && realServerMacs.has(f.ethSrc));
    assert.ok(
      rsNs.every((f) => f.ipv6Src !== VIP6),
      'IPv6 never solicits from the lo VIP',
    );
    // Requests go to the director's MAC; replies come from the real servers' MACs, VIP as source.
    const requests = frames.filter((f) => f.tcp && (f.ipDst === VIP4 || f.ipv6Dst === VIP6));
    assert.deepEqual([...new Set(requests.map((f) => f.ethDst))], [mac.director]);
    const replies = frames.filter((f) => f.tcp && (f.ipSrc === VIP4 || f.ipv6Src === VIP6));
    assert.deepEqual([...new Set(replies.map((f) => f.ethSrc))].sort(), [...realServerMacs].sort());
    for (const vip of [VIP4, VIP6]) {
      const fromVip = replies.filter((f) => f.ipSrc === vip || f.ipv6Src === vip);
      assert.equal(new Set(fromVip.map((f) => f.ethSrc)).size, 2, `${vip}: both real servers`);
    }
  });

  it('negative control: without the role a real server answers ARP and the client bypasses the director', async () => {
    for (const role of REAL_SERVERS) {
      const removed = vipd(role, 'remove');
      assert.equal(removed.status, 0);
      assert.equal(exec(role, ['sysctl', '-n', 'net.ipv4.conf.eth0.arp_ignore']).trim(), '0');
      assert.doesNotMatch(
        exec(role, ['ip', '-o', 'addr', 'show', 'dev', 'lo']),
        /10\.213\.77\.100/,
      );
      // The naive set-up: the VIP on the LAN interface, kernel defaults.
      exec(role, ['ip', 'addr', 'add', `${VIP4}/32`, 'dev', 'eth0']);
      const check = vipd(role, 'check');
      assert.equal(check.status, 1);
      const reasons = (
        check.json as { vips: { problems: { reason: string }[] }[] }
      ).vips[0]!.problems.map((p) => p.reason).sort();
      assert.deepEqual(reasons, [
        'address_missing',
        'arp_announce_too_low',
        'arp_ignore_too_low',
        'vip_on_lan_interface',
      ]);
    }

    let first: Answer[] = [];
    let second: Answer[] = [];
    let learnt = null as string | null;
    let forwardedDuringSecond = -1;
    const frames = await capture('exposed', () => {
      flushNeighbours('client', 'r1', 'r2');
      exec('client', ['ping', '-c1', '-W1', VIP4]);
      // The real servers forget the client, as their neighbour entries would age out: the
      // next reply from the VIP makes them ARP for it, with the VIP as sender (arp_announce 0).
      flushNeighbours('r1', 'r2');
      first = httpGet(`http://${VIP4}/`, 8);
      learnt = clientNeighbour(VIP4);
      const before = directorForwarded();
      second = httpGet(`http://${VIP4}/`, 8);
      forwardedDuringSecond = directorForwarded() - before;
    });

    const realServerMacs = new Set([mac.r1, mac.r2]);
    const exposed = frames.filter(
      (f) => f.arpSenderIp === VIP4 && f.arpOpcode === '2' && realServerMacs.has(f.ethSrc),
    );
    assert.ok(exposed.length > 0, 'a real server answered ARP for the VIP');
    assert.equal(first.length, 8);
    assert.ok(
      learnt !== null && realServerMacs.has(learnt),
      `client maps the VIP to ${String(learnt)}`,
    );
    const bypassed = learnt === mac.r1 ? 'r1' : 'r2';
    assert.deepEqual([...new Set(second.map((a) => a.name))], [bypassed], 'one server takes all');
    assert.equal(forwardedDuringSecond, 0, 'the director saw none of it');
    const direct = frames.filter((f) => f.tcp && f.ipDst === VIP4 && f.ethDst === learnt);
    assert.ok(direct.length > 0, 'the client sends to the real server’s MAC directly');
  });
});
