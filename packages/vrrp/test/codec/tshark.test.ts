// An independent check of our checksums and field layout: the hand-built fixtures and a
// seeded sample of encoder output go into a raw-IP pcap, and tshark's VRRP dissector must call
// every checksum good and read the same fields we wrote.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { dissectPcap, hasTool } from '@vipd/testkit';
import { encodeAdvert } from '../../src/codec/encode.js';
import type { PacketContext } from '../../src/codec/types.js';
import { HAND_BUILT_ADVERTS, HAND_BUILT_VRRPV2 } from '../fixtures/hand-built-adverts.js';
import { validAdvert } from './arbitraries.js';
import { rawIpPcap } from './raw-ip-pcap.js';

const SAMPLE_SEED = 5798;
const SAMPLE_SIZE = 200;
const FIELDS = [
  'vrrp.version',
  'vrrp.virt_rtr_id',
  'vrrp.prio',
  'vrrp.addr_count',
  'vrrp.short_adver_int',
  'vrrp.ip_addr',
  'vrrp.ipv6_addr',
  'vrrp.checksum.status',
] as const;

interface Packet {
  readonly payload: Buffer;
  readonly context: PacketContext;
}

function dissect(packets: readonly Packet[]): Record<(typeof FIELDS)[number], string>[] {
  const dir = mkdtempSync(join(tmpdir(), 'vrrp-tshark-'));
  try {
    const pcap = join(dir, 'adverts.pcap');
    writeFileSync(pcap, rawIpPcap(packets));
    return dissectPcap(pcap, { fields: FIELDS });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe(
  'tshark agrees with the codec',
  { skip: hasTool('tshark') ? false : 'tshark is not installed' },
  () => {
    it('hand-built fixtures: every checksum good, including VRRPv2', () => {
      const packets: Packet[] = [
        ...[...HAND_BUILT_ADVERTS, HAND_BUILT_VRRPV2].map((f) => ({
          payload: f.bytes,
          context: f.context,
        })),
      ];
      const rows = dissect(packets);
      assert.equal(rows.length, packets.length);
      assert.deepEqual(
        rows.map((row) => row['vrrp.checksum.status']),
        packets.map(() => '1'),
      );
    });

    it(`encoder output: ${SAMPLE_SIZE} random adverts, checksum good and fields as written`, () => {
      const sample = fc.sample(validAdvert, { seed: SAMPLE_SEED, numRuns: SAMPLE_SIZE });
      const packets = sample.map(({ fields, context }) => ({
        payload: encodeAdvert(fields, context),
        context,
        fields,
      }));
      const rows = dissect(packets);
      assert.equal(rows.length, packets.length);
      rows.forEach((row, i) => {
        const { fields, context } = packets[i]!;
        const addresses = row[context.family === 4 ? 'vrrp.ip_addr' : 'vrrp.ipv6_addr'];
        assert.deepEqual(
          {
            checksum: row['vrrp.checksum.status'],
            version: row['vrrp.version'],
            vrid: Number(row['vrrp.virt_rtr_id']),
            priority: Number(row['vrrp.prio']),
            count: Number(row['vrrp.addr_count']),
            intervalCs: Number(row['vrrp.short_adver_int']),
            addresses: addresses.split(','),
          },
          {
            checksum: '1',
            version: '3',
            vrid: fields.vrid,
            priority: fields.priority,
            count: fields.addresses.length,
            intervalCs: fields.maxAdvertIntervalCs,
            addresses: fields.addresses,
          },
          `packet ${i}: ${JSON.stringify({ fields, context })}`,
        );
      });
    });
  },
);
