import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePingLine, parsePingOutput } from '../src/ping.js';

describe('parsePingLine', () => {
  const table: { name: string; line: string; want: ReturnType<typeof parsePingLine> }[] = [
    {
      name: 'IPv4 reply with -D timestamp',
      line: '[1795306793.151142] 64 bytes from 10.213.95.100: icmp_seq=1 ttl=64 time=1.61 ms',
      want: {
        seq: 1,
        sentAtMs: 1795306793151.142 - 1.61,
        receivedAtMs: 1795306793151.142,
        node: '',
      },
    },
    {
      name: 'IPv6 reply',
      line: '[1795306793.166146] 64 bytes from fd00:213:95::100: icmp_seq=65535 ttl=64 time=0.151 ms',
      want: {
        seq: 65535,
        sentAtMs: 1795306793166.146 - 0.151,
        receivedAtMs: 1795306793166.146,
        node: '',
      },
    },
    {
      name: 'header',
      line: 'PING 10.213.95.100 (10.213.95.100) 56(84) bytes of data.',
      want: undefined,
    },
    {
      name: 'unreachable',
      line: '[1795306793.2] From 10.213.95.200 icmp_seq=3 Destination Host Unreachable',
      want: undefined,
    },
    {
      name: 'statistics',
      line: '2 packets transmitted, 2 received, 0% packet loss, time 10ms',
      want: undefined,
    },
    {
      name: 'reply without -D',
      line: '64 bytes from 10.0.0.1: icmp_seq=1 ttl=64 time=0.1 ms',
      want: undefined,
    },
  ];
  for (const { name, line, want } of table) {
    it(name, () => {
      const got = parsePingLine(line);
      if (want === undefined) {
        assert.equal(got, undefined);
        return;
      }
      assert.ok(got);
      assert.equal(got.seq, want.seq);
      assert.ok(Math.abs(got.receivedAtMs - want.receivedAtMs) < 1e-3);
      assert.ok(Math.abs(got.sentAtMs - want.sentAtMs) < 1e-3);
      assert.equal(got.node, '');
    });
  }

  it('parses a whole transcript, skipping everything but replies', () => {
    const transcript = [
      'PING 10.213.95.100 (10.213.95.100) 56(84) bytes of data.',
      '[1795306793.151142] 64 bytes from 10.213.95.100: icmp_seq=1 ttl=64 time=1.61 ms',
      '[1795306793.159626] 64 bytes from 10.213.95.100: icmp_seq=2 ttl=64 time=0.075 ms',
      '',
      '--- 10.213.95.100 ping statistics ---',
    ].join('\n');
    assert.deepEqual(
      parsePingOutput(transcript).map((r) => r.seq),
      [1, 2],
    );
  });
});
