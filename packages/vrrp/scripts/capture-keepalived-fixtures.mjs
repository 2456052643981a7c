// Regenerates test/fixtures/keepalived-adverts.ts: real adverts from keepalived 2.2.7, captured
// with tcpdump and read back by tshark (an independent dissector), so the codec is tested
// against what a real peer puts on the wire rather than against our own reading of the RFC.
//
//   npx tsc -b packages/testkit && sudo node packages/vrrp/scripts/capture-keepalived-fixtures.mjs
//
// Needs root, keepalived, tcpdump and tshark. Everything happens in two namespaces private to
// this run (keepalived's and the listener's, joined by one veth), removed on every way out.
// Two keepalived processes run side by side: one `vrrp_version 3` (IPv4 multicast, IPv6,
// IPv4 unicast at 50 ms, an IPv4 address owner (priority 255, which
// starts as master at once) at the 40.95 s maximum) and one `vrrp_version 2` (no auth and
// PASS auth). Each adverts as master for a while, then gets SIGTERM, so the
// priority-0 "resigning" adverts are captured too. The first advert of every
// (version, vrid, priority) is kept.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureFrames, NetnsLab } from '@vipd/testkit';

const OUTPUT = join(
  dirname(fileURLToPath(import.meta.url)),
  '../test/fixtures/keepalived-adverts.ts',
);
const KEEPALIVED_MAC = '52:54:00:00:05:01';
// keepalived starts every non-owner instance in BACKUP whatever `state` says, and takes over
// after Master_Down_Interval (3 x advert_int + skew, about 3.6 s at 1 s): wait past that.
const ADVERTISE_MS = 5000;
const STOP_WAIT_MS = 5000;

const v3Instances = `
vrrp_instance v4_multicast {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    192.0.2.100/24
    192.0.2.101/24
    192.0.2.102/24
  }
}
vrrp_instance v6_multicast {
  state MASTER
  interface eth0
  virtual_router_id 52
  priority 150
  advert_int 1
  virtual_ipaddress {
    fd13::100/64
    fd13::101/64
  }
}
vrrp_instance v4_unicast_fast {
  state MASTER
  interface eth0
  virtual_router_id 53
  priority 200
  advert_int 0.05
  unicast_src_ip 192.0.2.1
  unicast_peer {
    192.0.2.2
  }
  virtual_ipaddress {
    192.0.2.110/24
  }
}
vrrp_instance v4_slowest {
  state MASTER
  interface eth0
  virtual_router_id 54
  priority 255
  advert_int 40.95
  virtual_ipaddress {
    192.0.2.120/24
  }
}
`;

const v2Instances = `
vrrp_instance v2_plain {
  state MASTER
  interface eth0
  virtual_router_id 61
  priority 100
  advert_int 1
  virtual_ipaddress {
    192.0.2.200/24
    192.0.2.201/24
  }
}
vrrp_instance v2_pass {
  state MASTER
  interface eth0
  virtual_router_id 62
  priority 100
  advert_int 1
  authentication {
    auth_type PASS
    auth_pass secret
  }
  virtual_ipaddress {
    192.0.2.210/24
  }
}
`;

function config(version, instances) {
  return `global_defs {\n  router_id fixtures-v${version}\n  vrrp_version ${version}\n}\n${instances}`;
}

function startKeepalived(lab, netns, dir, version, instances) {
  const base = join(dir, `keepalived-v${version}`);
  writeFileSync(`${base}.conf`, config(version, instances));
  const child = lab.spawn(netns, [
    '/usr/sbin/keepalived',
    '-n',
    '-l',
    '-D',
    '--vrrp',
    '-f',
    `${base}.conf`,
    '-p',
    `${base}.pid`,
    '-r',
    `${base}.vrrp.pid`,
    '-c',
    `${base}.checkers.pid`,
  ]);
  // keepalived logs to the console (-l): show it with VRRP_FIXTURES_VERBOSE=1, drain it always.
  const verbose = process.env.VRRP_FIXTURES_VERBOSE === '1';
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      if (verbose) process.stderr.write(`[v${version}] ${chunk}`);
    });
  }
  return child;
}

function stopped(child) {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => reject(new Error('keepalived did not stop')), STOP_WAIT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** tshark's JSON (with -x raw bytes) for every VRRP packet in the capture. */
function dissect(pcap) {
  const json = execFileSync(
    'tshark',
    ['-r', pcap, '-n', '-Y', 'vrrp', '-T', 'json', '--no-duplicate-keys', '-x'],
    {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(json).map((packet) => packet._source.layers);
}

function first(value) {
  return Array.isArray(value) ? value[0] : value;
}

function list(value) {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** One fixture record from tshark's layers: our expectations come from tshark, not from us. */
function fixtureOf(layers) {
  const vrrp = layers.vrrp;
  const ip = layers.ip ?? layers.ipv6;
  const family = layers.ip === undefined ? 6 : 4;
  const version = Number(vrrp['vrrp.typever_tree']?.['vrrp.version'] ?? vrrp['vrrp.version']);
  const typever = vrrp['vrrp.typever_tree'] ?? vrrp;
  return {
    family,
    sourceAddress: family === 4 ? ip['ip.src'] : ip['ipv6.src'],
    destinationAddress: family === 4 ? ip['ip.dst'] : ip['ipv6.dst'],
    ttl: Number(family === 4 ? ip['ip.ttl'] : ip['ipv6.hlim']),
    payloadHex: first(layers.vrrp_raw),
    tshark: {
      version,
      type: Number(typever['vrrp.type']),
      vrid: Number(vrrp['vrrp.virt_rtr_id']),
      priority: Number(vrrp['vrrp.prio']),
      addressCount: Number(vrrp['vrrp.addr_count']),
      ...(version === 3
        ? { maxAdvertIntervalCs: Number(vrrp['vrrp.short_adver_int']) }
        : {
            advertIntervalSeconds: Number(vrrp['vrrp.adver_int']),
            authType: Number(vrrp['vrrp.auth_type']),
          }),
      addresses: list(vrrp[family === 4 ? 'vrrp.ip_addr' : 'vrrp.ipv6_addr']),
      checksumStatus: Number(vrrp['vrrp.checksum.status']),
    },
  };
}

function nameOf(fixture) {
  const t = fixture.tshark;
  return `keepalived v${t.version} IPv${fixture.family} vrid ${t.vrid} priority ${t.priority}`;
}

async function main() {
  const lab = new NetnsLab('vrrpfx');
  const dir = mkdtempSync(join(tmpdir(), 'vrrp-fixtures-'));
  lab.teardown.add('remove run directory', () => rmSync(dir, { recursive: true, force: true }));
  try {
    const speaker = lab.namespace('ka');
    const listener = lab.namespace('tap');
    for (const netns of [speaker, listener]) {
      lab.exec(netns, ['sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
    }
    lab.ip(
      speaker,
      'link',
      'add',
      'eth0',
      'address',
      KEEPALIVED_MAC,
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      listener,
    );
    lab.ip(speaker, 'addr', 'add', '192.0.2.1/24', 'dev', 'eth0');
    lab.ip(speaker, 'addr', 'add', 'fd13::1/64', 'dev', 'eth0');
    lab.ip(listener, 'addr', 'add', '192.0.2.2/24', 'dev', 'eth0');
    lab.ip(listener, 'addr', 'add', 'fd13::2/64', 'dev', 'eth0');
    lab.ip(speaker, 'link', 'set', 'eth0', 'up');
    lab.ip(listener, 'link', 'set', 'eth0', 'up');

    const pcap = join(dir, 'adverts.pcap');
    await captureFrames(
      {
        netns: listener,
        captureFilter: 'ip proto 112 or ip6 proto 112',
        pcapPath: pcap,
        settleMs: 500,
      },
      async () => {
        const v3 = startKeepalived(lab, speaker, dir, 3, v3Instances);
        const v2 = startKeepalived(lab, speaker, dir, 2, v2Instances);
        await new Promise((resolve) => setTimeout(resolve, ADVERTISE_MS));
        v3.kill('SIGTERM');
        v2.kill('SIGTERM');
        await Promise.all([stopped(v3), stopped(v2)]);
      },
      { fields: ['frame.number'] },
    );

    const seen = new Set();
    const fixtures = [];
    for (const layers of dissect(pcap)) {
      const fixture = fixtureOf(layers);
      const name = nameOf(fixture);
      if (seen.has(name)) continue;
      seen.add(name);
      fixtures.push({ name, ...fixture });
    }
    fixtures.sort((a, b) => a.name.localeCompare(b.name));
    writeFileSync(OUTPUT, render(fixtures));
    // The repository's formatting, so a recapture of the same bytes is an empty diff.
    execFileSync('npx', ['prettier', '--write', OUTPUT], { stdio: 'ignore' });
    console.log(`${fixtures.length} fixtures written to ${OUTPUT}:`);
    for (const f of fixtures) console.log(`  ${f.name}`);
  } finally {
    lab.destroy();
  }
}

function render(fixtures) {
  return `// Generated by packages/vrrp/scripts/capture-keepalived-fixtures.mjs: do not edit by hand.
// Adverts sent by keepalived 2.2.7 (${'`'}/usr/sbin/keepalived${'`'}) in a private namespace, captured
// with tcpdump on the far end of a veth; \`tshark\` holds what Wireshark's VRRP dissector read
// from the same bytes (checksumStatus 1 = good), the independent answer the tests compare with.
import type { KeepalivedAdvertFixture } from './fixture-types.js';

export const KEEPALIVED_ADVERTS: readonly KeepalivedAdvertFixture[] = ${JSON.stringify(fixtures, null, 2)};
`;
}

await main();
