// The transport between two namespaces on a lab switch, IPv4 and IPv6, multicast and
// unicast: what one socket sends arrives at the other with TTL/hop limit 255 and the right
// addresses, own adverts and (unicast) strangers are dropped with their reason, and a
// keepalived advert arrives as keepalived sent it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { inNetns } from '@vipd/arp';
import {
  HOST_INTERFACE,
  createSwitchedLab,
  hasTool,
  netnsSkipReason,
  poll,
  type LabHost,
  type NetnsLab,
} from '@vipd/testkit';
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6, type IpFamily } from '../../src/codec/types.js';
import { VrrpError } from '../../src/errors.js';
import { openVrrpSocket } from '../../src/socket/open.js';
import { RawIpSocket } from '../../src/socket/raw-ip-socket.js';
import type { ReceivedPacket, VrrpSocket, VrrpSocketOptions } from '../../src/socket/types.js';

/** What one socket saw. */
class Inbox {
  readonly packets: ReceivedPacket[] = [];
  readonly drops: { reason: string; packet: ReceivedPacket }[] = [];
  readonly errors: Error[] = [];

  from(source: string): ReceivedPacket[] {
    return this.packets.filter((packet) => packet.sourceAddress === source);
  }
}

/** A payload that names its destination, so the test sees buildPayload was asked per destination. */
function payloadFor(tag: string): (destination: string) => Buffer {
  return (destination) => Buffer.from(`${tag}>${destination}`);
}

/** A bare IPv4 RawIpSocket in `host`'s namespace that ignores what it receives. */
function rawSocketOn(host: LabHost): RawIpSocket {
  return inNetns(
    host.netns,
    () =>
      new RawIpSocket({
        family: 4,
        interfaceName: HOST_INTERFACE,
        onMessage: () => undefined,
        onError: () => undefined,
      }),
  );
}

describe('VRRP socket on the wire', { skip: netnsSkipReason() }, () => {
  let lab: NetnsLab;
  let a: LabHost;
  let b: LabHost;
  let ipv6LinkLocal: { a: string; b: string };
  const opened: VrrpSocket[] = [];

  const open = async (
    host: LabHost,
    family: IpFamily,
    extra: Partial<VrrpSocketOptions> = {},
  ): Promise<{ socket: VrrpSocket; inbox: Inbox }> => {
    const inbox = new Inbox();
    const socket = await openVrrpSocket({
      family,
      interfaceName: HOST_INTERFACE,
      netns: host.netns,
      onPacket: (packet) => inbox.packets.push(packet),
      onDrop: (reason, packet) => inbox.drops.push({ reason, packet }),
      onError: (error) => inbox.errors.push(error),
      ...extra,
    });
    opened.push(socket);
    return { socket, inbox };
  };

  const linkLocalOf = (host: LabHost): string | undefined => {
    const [link] = JSON.parse(
      lab.ip(host.netns, '-j', '-6', 'addr', 'show', 'dev', HOST_INTERFACE, 'scope', 'link'),
    ) as {
      addr_info: { local?: string }[];
    }[];
    return link?.addr_info.find((entry) => entry.local !== undefined)?.local;
  };

  before(async () => {
    lab = createSwitchedLab('vs');
    a = lab.addHost('a');
    b = lab.addHost('b');
    for (const [host, last] of [
      [a, 1],
      [b, 2],
    ] as const) {
      lab.ip(host.netns, 'addr', 'add', `10.214.0.${last.toString()}/24`, 'dev', HOST_INTERFACE);
      lab.ip(
        host.netns,
        'addr',
        'add',
        `fd14::${last.toString()}/64`,
        'dev',
        HOST_INTERFACE,
        'nodad',
      );
    }
    // A second address on a: the "stranger" a unicast socket must not accept.
    lab.ip(a.netns, 'addr', 'add', '10.214.0.11/24', 'dev', HOST_INTERFACE);
    lab.ip(a.netns, 'addr', 'add', 'fd14::11/64', 'dev', HOST_INTERFACE, 'nodad');
    // The kernel adds link-local addresses a moment after the link comes up.
    ipv6LinkLocal = {
      a: await poll('a link-local address on a', () => linkLocalOf(a)),
      b: await poll('a link-local address on b', () => linkLocalOf(b)),
    };
  });
  after(() => {
    for (const socket of opened) socket.close();
    lab.destroy();
  });

  for (const family of [4, 6] as const) {
    const group = family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6;

    it(`IPv${family.toString()} multicast: arrives with TTL 255 from the pinned source, own adverts never delivered`, async () => {
      const sender = await open(a, family);
      const receiver = await open(b, family);
      const expectedSource = family === 4 ? '10.214.0.1' : ipv6LinkLocal.a;
      assert.equal(sender.socket.sourceAddress, expectedSource);
      assert.deepEqual(sender.socket.destinations, [group]);

      await sender.socket.send(payloadFor('a'));
      await receiver.socket.send(payloadFor('b'));
      const [packet] = await poll('the advert from a', () =>
        receiver.inbox.from(expectedSource).length > 0
          ? receiver.inbox.from(expectedSource)
          : undefined,
      );
      assert.ok(packet);
      assert.equal(packet.family, family);
      assert.equal(packet.ttl, 255);
      assert.equal(packet.destinationAddress, group);
      assert.equal(packet.interfaceName, HOST_INTERFACE);
      assert.deepEqual(packet.payload, Buffer.from(`a>${group}`));

      // a hears b, which proves it listens; it never hears itself.
      await poll('a hears b', () => sender.inbox.packets.length > 0);
      assert.deepEqual(
        sender.inbox.packets.map((p) => p.sourceAddress),
        [receiver.socket.sourceAddress],
      );
      assert.deepEqual(sender.inbox.drops, []);
      assert.deepEqual([...sender.inbox.errors, ...receiver.inbox.errors], []);
      sender.socket.close();
      receiver.socket.close();
    });

    it(`IPv${family.toString()}: an advert carrying this node's own source is dropped as 'own-advert'`, async () => {
      // b also holds a's address and sends from it: exactly what a looped-back advert looks like.
      // IPv4 drops a local source arriving from the wire as martian unless accept_local is on;
      // turned on here so the packet reaches the transport's own check.
      lab.exec(a.netns, ['sysctl', '-qw', `net.ipv4.conf.${HOST_INTERFACE}.accept_local=1`]);
      const shared = family === 4 ? '10.214.0.11' : 'fd14::11';
      lab.ip(
        b.netns,
        'addr',
        'add',
        `${shared}/${family === 4 ? '32' : '128'}`,
        'dev',
        HOST_INTERFACE,
        ...(family === 6 ? ['nodad'] : []),
      );
      try {
        const receiver = await open(a, family, { sourceAddress: shared });
        const impostor = await open(b, family, { sourceAddress: shared });
        await impostor.socket.send(payloadFor('impostor'));
        const drop = await poll('the own-advert drop', () => receiver.inbox.drops[0]);
        assert.equal(drop.reason, 'own-advert');
        assert.equal(drop.packet.sourceAddress, shared);
        assert.equal(drop.packet.ttl, 255);
        assert.deepEqual(receiver.inbox.packets, []);
        receiver.socket.close();
        impostor.socket.close();
      } finally {
        lab.ip(
          b.netns,
          'addr',
          'del',
          `${shared}/${family === 4 ? '32' : '128'}`,
          'dev',
          HOST_INTERFACE,
        );
      }
    });

    it(`IPv${family.toString()} unicast: sent to each peer from the pinned source; a source not among the peers is dropped`, async () => {
      const [aAddress, bAddress, stranger] =
        family === 4
          ? ['10.214.0.1', '10.214.0.2', '10.214.0.11']
          : ['fd14::1', 'fd14::2', 'fd14::11'];
      const sender = await open(a, family, { sourceAddress: aAddress, unicastPeers: [bAddress] });
      const receiver = await open(b, family, { sourceAddress: bAddress, unicastPeers: [aAddress] });
      const outsider = await open(a, family, { sourceAddress: stranger, unicastPeers: [bAddress] });
      assert.deepEqual(sender.socket.destinations, [bAddress]);

      await outsider.socket.send(payloadFor('outsider'));
      await sender.socket.send(payloadFor('a'));
      const packet = await poll('the unicast advert', () => receiver.inbox.packets[0]);
      assert.equal(packet.sourceAddress, aAddress);
      assert.equal(packet.destinationAddress, bAddress);
      assert.equal(packet.ttl, 255);
      assert.deepEqual(packet.payload, Buffer.from(`a>${bAddress}`));
      const drop = await poll('the stranger dropped', () => receiver.inbox.drops[0]);
      assert.equal(drop.reason, 'unknown-source');
      assert.equal(drop.packet.sourceAddress, stranger);
      assert.equal(receiver.inbox.packets.length, 1);

      // And back: b's reply reaches a on the same socket it sends from.
      await receiver.socket.send(payloadFor('b'));
      const reply = await poll('the reply', () => sender.inbox.packets[0]);
      assert.equal(reply.sourceAddress, bAddress);
      for (const side of [sender, receiver, outsider]) side.socket.close();
    });
  }

  it('a handler that throws is reported, and the socket keeps receiving', async () => {
    const errors: Error[] = [];
    let calls = 0;
    const receiver = await openVrrpSocket({
      family: 4,
      interfaceName: HOST_INTERFACE,
      netns: b.netns,
      onPacket: () => {
        calls += 1;
        throw new Error('consumer bug');
      },
      onError: (error) => errors.push(error),
    });
    opened.push(receiver);
    const sender = await open(a, 4);
    await sender.socket.send(payloadFor('one'));
    await sender.socket.send(payloadFor('two'));
    await poll('both adverts handled', () => calls >= 2);
    assert.ok(errors.length >= 2);
    assert.ok(errors.every((e) => e instanceof VrrpError && e.code === 'VRRP_HANDLER_FAILED'));
    assert.match(errors[0]?.message ?? '', /eth0 threw: consumer bug/);
    receiver.close();
    sender.socket.close();
  });

  it('refuses bad options with a typed error naming the interface', async () => {
    const base = { netns: a.netns, onPacket: () => undefined, onError: () => undefined };
    const cases: [Partial<VrrpSocketOptions>, string, RegExp][] = [
      [{ family: 4, interfaceName: 'nosuch0' }, 'VRRP_INTERFACE_NOT_FOUND', /nosuch0/],
      [{ family: 6, interfaceName: 'nosuch0' }, 'VRRP_INTERFACE_NOT_FOUND', /nosuch0/],
      [
        { family: 4, interfaceName: 'eth0', sourceAddress: '10.214.0.99' },
        'VRRP_NO_SOURCE_ADDRESS',
        /10\.214\.0\.99 is not on eth0 .*10\.214\.0\.1/,
      ],
      [
        { family: 4, interfaceName: a.bridgePort, netns: lab.name('sw') },
        'VRRP_NO_SOURCE_ADDRESS',
        /p-a has no IPv4 address/,
      ],
      [
        { family: 4, interfaceName: 'eth0', unicastPeers: ['fd14::2'] },
        'VRRP_INVALID_OPTIONS',
        /unicast peer "fd14::2" for eth0 is not an IPv4 address/,
      ],
      [
        { family: 6, interfaceName: 'eth0', sourceAddress: '10.214.0.1' },
        'VRRP_INVALID_OPTIONS',
        /source address/,
      ],
      [{ family: 4, interfaceName: 'eth0', unicastPeers: [] }, 'VRRP_INVALID_OPTIONS', /empty/],
      [
        { family: 4, interfaceName: 'eth0', unicastPeers: ['10.214.0.1'] },
        'VRRP_INVALID_OPTIONS',
        /own source/,
      ],
      [
        { family: 4, interfaceName: 'bad/name' },
        'VRRP_INVALID_OPTIONS',
        /not a valid interface name/,
      ],
    ];
    for (const [options, code, message] of cases) {
      await assert.rejects(
        openVrrpSocket({ ...base, family: 4, interfaceName: 'eth0', ...options }),
        (error: unknown) => {
          assert.ok(error instanceof VrrpError, String(error));
          assert.equal(error.code, code, error.message);
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });

  it('send after close is refused as VRRP_SOCKET_CLOSED', async () => {
    const { socket } = await open(a, 4);
    socket.close();
    await assert.rejects(socket.send(payloadFor('late')), { code: 'VRRP_SOCKET_CLOSED' });
  });

  it('a send still queued when the socket closes is rejected, never left pending', async () => {
    // raw-socket writes a queued send only when the poll reports the socket writable, and
    // forgets its queue when the socket closes (close(), or after a poll error): CI once hung
    // for good on such a send.
    const raw = rawSocketOn(a);
    const queued = raw.send(Buffer.from('queued'), '10.214.0.2');
    raw.close();
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<'hung'>((resolve) => {
      timer = setTimeout(() => {
        resolve('hung');
      }, 2_000);
    });
    try {
      const outcome = await Promise.race([
        queued.then(
          () => 'sent',
          (error: unknown) => error,
        ),
        hung,
      ]);
      assert.ok(outcome instanceof VrrpError, `the queued send ended ${String(outcome)}`);
      assert.equal(outcome.code, 'VRRP_SOCKET_CLOSED');
      assert.match(outcome.message, /closed before the packet went out/);
    } finally {
      clearTimeout(timer);
    }
  });

  it('a socket reachable only through its own pending send is not collected mid-send', async () => {
    // raw-socket's native wrapper closes its descriptor when garbage-collected, and its poll
    // does not keep it alive: a test injector awaiting its send, referenced by nothing else,
    // was collected and the send never settled (CI hung for good).
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    let outcome = 'pending';
    (() => {
      const raw = rawSocketOn(a);
      raw.send(Buffer.from('unreferenced'), '10.214.0.2').then(
        () => {
          outcome = 'sent';
          raw.close();
        },
        (error: unknown) => {
          outcome = `failed: ${String(error)}`;
        },
      );
    })();
    collectGarbage();
    collectGarbage();
    await poll('the send settled', () => (outcome === 'pending' ? undefined : outcome), {
      timeoutMs: 2_000,
    }).catch(() => undefined);
    assert.equal(outcome, 'sent');
  });

  it(
    "a keepalived VRRPv3 master's adverts arrive with TTL 255 from its primary address",
    { skip: hasTool('keepalived') ? false : 'needs keepalived' },
    async () => {
      const runDir = mkdtempSync(join(tmpdir(), 'vrrp-socket-'));
      lab.teardown.add('remove keepalived run dir', () => {
        rmSync(runDir, { recursive: true, force: true });
      });
      const config = join(runDir, 'keepalived.conf');
      writeFileSync(
        config,
        [
          'global_defs {',
          '  router_id socket-test',
          '  vrrp_version 3',
          '}',
          'vrrp_instance v4 {',
          '  state MASTER',
          `  interface ${HOST_INTERFACE}`,
          '  virtual_router_id 51',
          '  priority 150',
          '  advert_int 0.1',
          '  virtual_ipaddress {',
          `    10.214.0.100/24 dev ${HOST_INTERFACE}`,
          '  }',
          '}',
          '',
        ].join('\n'),
      );
      const receiver = await open(a, 4);
      const keepalived = lab.spawn(b.netns, [
        'keepalived',
        '--dont-fork',
        '--log-console',
        '--vrrp',
        '--use-file',
        config,
        '--pid',
        join(runDir, 'k.pid'),
        '--vrrp_pid',
        join(runDir, 'k.vrrp.pid'),
      ]);
      try {
        const packet = await poll(
          'a keepalived advert',
          () => receiver.inbox.from('10.214.0.2')[0],
          {
            timeoutMs: 10_000,
          },
        );
        assert.equal(packet.ttl, 255);
        assert.equal(packet.destinationAddress, VRRP_MULTICAST_V4);
        // RFC 5798 §5.2: version 3, type 1 (advertisement), then the VRID keepalived was given.
        assert.equal(packet.payload[0], 0x31);
        assert.equal(packet.payload[1], 51);
        assert.equal(packet.payload[2], 150);
      } finally {
        keepalived.kill('SIGKILL');
        receiver.socket.close();
      }
    },
  );
});
