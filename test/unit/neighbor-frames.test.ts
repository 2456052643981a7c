import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  claimsFor,
  doubleAnswerWindows,
  macsClaiming,
  parseTcpdumpLine,
  type NeighborFrame,
} from '../src/neighbor-frames.js';

// Lines as `tcpdump -e -n -tt -l` 4.99 printed them in the lab.
const GARP =
  '1795306891.138750 02:13:dc:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.213.220.100 tell 10.213.220.100, length 28';
const GARP_WITH_THA =
  '1795306891.138750 02:13:dc:00:00:02 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.213.220.100 (ff:ff:ff:ff:ff:ff) tell 10.213.220.100, length 28';
const CLIENT_REQUEST =
  '1795306891.225320 02:13:dc:00:00:c8 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.213.220.100 tell 10.213.220.200, length 28';
const REPLY =
  '1795306891.225385 02:13:dc:00:00:01 > 02:13:dc:00:00:c8, ethertype ARP (0x0806), length 42: Reply 10.213.220.100 is-at 02:13:dc:00:00:01, length 28';
const NS =
  '1795306793.165860 02:13:5f:00:00:c8 > 33:33:ff:00:00:64, ethertype IPv6 (0x86dd), length 86: fd00:213:95::200 > ff02::1:ff00:100: ICMP6, neighbor solicitation, who has fd00:213:95::100, length 32';
const NA =
  '1795306793.165928 02:13:5f:00:00:01 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: fd00:213:95::100 > ff02::1: ICMP6, neighbor advertisement, tgt is fd00:213:95::100, length 32';
const ECHO =
  '1795306793.165962 02:13:5f:00:00:c8 > 02:13:5f:00:00:01, ethertype IPv6 (0x86dd), length 118: fd00:213:95::200 > fd00:213:95::100: ICMP6, echo request, id 8856, seq 1, length 64';

describe('parseTcpdumpLine', () => {
  it('reads a gratuitous ARP request as a claim by its Ethernet source', () => {
    assert.deepEqual(parseTcpdumpLine(GARP), {
      atMs: 1795306891138.75,
      kind: 'arp-request',
      sourceMac: '02:13:dc:00:00:01',
      destinationMac: 'ff:ff:ff:ff:ff:ff',
      address: '10.213.220.100',
      senderIp: '10.213.220.100',
      claimedMac: '02:13:dc:00:00:01',
    });
  });

  it('reads a gratuitous ARP that carries a target hardware address', () => {
    const frame = parseTcpdumpLine(GARP_WITH_THA);
    assert.equal(frame?.kind, 'arp-request');
    assert.equal(frame.claimedMac, '02:13:dc:00:00:02');
  });

  it('reads an ordinary request as no claim', () => {
    const frame = parseTcpdumpLine(CLIENT_REQUEST);
    assert.equal(frame?.kind, 'arp-request');
    assert.equal(frame.address, '10.213.220.100');
    assert.equal(frame.senderIp, '10.213.220.200');
    assert.equal(frame.claimedMac, undefined);
  });

  it('reads a reply as a claim by the is-at MAC', () => {
    const frame = parseTcpdumpLine(REPLY);
    assert.equal(frame?.kind, 'arp-reply');
    assert.equal(frame.address, '10.213.220.100');
    assert.equal(frame.claimedMac, '02:13:dc:00:00:01');
    assert.equal(frame.destinationMac, '02:13:dc:00:00:c8');
  });

  it('reads IPv6 neighbour solicitations and advertisements', () => {
    const solicitation = parseTcpdumpLine(NS);
    assert.equal(solicitation?.kind, 'neighbor-solicitation');
    assert.equal(solicitation.address, 'fd00:213:95::100');
    assert.equal(solicitation.claimedMac, undefined);
    const advertisement = parseTcpdumpLine(NA);
    assert.equal(advertisement?.kind, 'neighbor-advertisement');
    assert.equal(advertisement.address, 'fd00:213:95::100');
    assert.equal(advertisement.claimedMac, '02:13:5f:00:00:01');
  });

  for (const [name, line] of [
    ['an ICMPv6 echo', ECHO],
    [
      'the tcpdump banner',
      'listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
    ],
    ['an empty line', ''],
    ['a truncated ARP line', GARP.slice(0, 60)],
  ] as const) {
    it(`ignores ${name}`, () => {
      assert.equal(parseTcpdumpLine(line), undefined);
    });
  }
});

function frame(atMs: number, partial: Partial<NeighborFrame>): NeighborFrame {
  return {
    atMs,
    kind: 'arp-request',
    sourceMac: 'aa:aa:aa:aa:aa:aa',
    destinationMac: 'ff:ff:ff:ff:ff:ff',
    address: '10.0.0.100',
    ...partial,
  };
}

const CLIENT = '02:00:00:00:00:c8';
const A = '02:00:00:00:00:01';
const B = '02:00:00:00:00:02';
const request = (atMs: number): NeighborFrame =>
  frame(atMs, { sourceMac: CLIENT, senderIp: '10.0.0.200' });
const reply = (atMs: number, mac: string): NeighborFrame =>
  frame(atMs, { kind: 'arp-reply', sourceMac: mac, destinationMac: CLIENT, claimedMac: mac });

describe('claims', () => {
  const frames = [
    frame(1, { sourceMac: A, claimedMac: A }),
    request(2),
    reply(3, A),
    frame(4, { sourceMac: B, claimedMac: B }),
    frame(5, { address: '10.0.0.101', sourceMac: B, claimedMac: B }),
  ];

  it('lists the frames that claim an address', () => {
    assert.deepEqual(
      claimsFor(frames, '10.0.0.100').map((f) => f.atMs),
      [1, 3, 4],
    );
  });

  it('lists the distinct MACs claiming it inside a window', () => {
    assert.deepEqual(macsClaiming(frames, '10.0.0.100', 0, 10), [A, B]);
    assert.deepEqual(macsClaiming(frames, '10.0.0.100', 0, 4), [A]);
    assert.deepEqual(macsClaiming(frames, '10.0.0.100', 4.5, 10), []);
  });
});

describe('doubleAnswerWindows', () => {
  it('is empty while one MAC answers each request', () => {
    const frames = [request(0), reply(1, A), request(20), reply(21, A), request(40), reply(41, B)];
    assert.deepEqual(doubleAnswerWindows(frames, '10.0.0.100', CLIENT), []);
  });

  it('spans the requests answered by two MACs', () => {
    const frames = [
      request(0),
      reply(1, A),
      request(20),
      reply(21, A),
      reply(22, B),
      request(40),
      reply(41, B),
      reply(41.5, A),
      request(60),
      reply(61, B),
    ];
    assert.deepEqual(doubleAnswerWindows(frames, '10.0.0.100', CLIENT), [
      { fromMs: 20, toMs: 40, macs: [A, B].sort() },
    ]);
  });

  it('keeps a window still open at the end of the capture', () => {
    const frames = [request(0), reply(1, A), reply(2, B)];
    assert.deepEqual(doubleAnswerWindows(frames, '10.0.0.100', CLIENT), [
      { fromMs: 0, toMs: 0, macs: [A, B].sort() },
    ]);
  });
});
