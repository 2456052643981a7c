import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createConfigAjv } from '../src/config/ajv.js';
import {
  parseRealServerSection,
  REALSERVER_SCHEMA,
  toRealServerConfig,
} from '../src/realserver/config.js';
import type { RealServerSection } from '../src/realserver/config.js';
import { RealServerError } from '../src/realserver/errors.js';

function invalid(raw: unknown, fragment: RegExp): void {
  assert.throws(
    () => parseRealServerSection(raw),
    (error: unknown) => {
      assert.ok(error instanceof RealServerError);
      assert.equal(error.code, 'REALSERVER_CONFIG_INVALID');
      assert.match(error.message, fragment);
      return true;
    },
  );
}

describe('realserver config section', () => {
  it('fills every default and spells VIPs the way the kernel prints them', () => {
    const cfg = parseRealServerSection({
      vips: ['10.213.0.100', 'FD00:0213:0:0::100'],
      interfaces: ['eth0'],
    });
    assert.deepEqual(cfg, {
      vips: ['10.213.0.100', 'fd00:213::100'],
      interfaces: ['eth0'],
      arpIgnore: 1,
      arpAnnounce: 2,
      label: 'lo:vip',
      repair: false,
      checkIntervalMs: 5000,
      rpFilter: 'keep',
      clientProbes: [],
      stateFile: '/var/lib/vipd/realserver-state.json',
    });
  });

  it('takes every field', () => {
    const cfg = parseRealServerSection({
      vips: ['10.213.0.100'],
      interfaces: ['eth0', 'eth1.100'],
      arp_ignore: 3,
      arp_announce: 2,
      label: 'lo:web',
      repair: true,
      check_interval: '500ms',
      rp_filter: 'loose',
      client_probes: ['198.51.100.7'],
      state_file: '/run/vipd/rs.json',
      sysctl_file: '/etc/sysctl.d/90-vipd-realserver.conf',
    });
    assert.equal(cfg.arpIgnore, 3);
    assert.equal(cfg.checkIntervalMs, 500);
    assert.equal(cfg.rpFilter, 'loose');
    assert.deepEqual(cfg.clientProbes, ['198.51.100.7']);
    assert.equal(cfg.sysctlFile, '/etc/sysctl.d/90-vipd-realserver.conf');
  });

  it('does not write defaults into the caller’s object', () => {
    const raw = { vips: ['10.213.0.100'], interfaces: ['eth0'] };
    parseRealServerSection(raw);
    assert.deepEqual(raw, { vips: ['10.213.0.100'], interfaces: ['eth0'] });
  });

  it('rejects bad input with a message naming the field', () => {
    invalid({ interfaces: ['eth0'] }, /must have required property 'vips'/);
    invalid({ vips: ['10.213.0.300'], interfaces: ['eth0'] }, /realserver\.vips\.0/);
    invalid({ vips: [], interfaces: ['eth0'] }, /realserver\.vips must NOT have fewer/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['eth0'], arp_ignore: 2 }, /arp_ignore/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['eth0'], arp_announce: 1 }, /arp_announce/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['eth/0'] }, /interfaces\.0/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['averyveryverylongname'] }, /interfaces/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['..'] }, /interfaces\.0/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['eth0'], label: 'eth0:vip' }, /label/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['eth0'], check_interval: '5' }, /interval/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['eth0'], check_interval: '10ms' }, /100ms/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['eth0'], state_file: 'rel.json' }, /state/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['eth0'], vip: 1 }, /additional/);
    invalid({ vips: ['10.213.0.100'], interfaces: ['lo'] }, /not lo/);
    invalid({ vips: ['fd00::1', 'fd00:0::1'], interfaces: ['eth0'] }, /fd00::1 twice/);
    invalid('realserver', /must be object/);
  });

  it('reads check_interval with the config’s one duration grammar (fractions, hours)', () => {
    const base = { vips: ['10.213.0.100'], interfaces: ['eth0'] };
    assert.equal(parseRealServerSection({ ...base, check_interval: '1.5s' }).checkIntervalMs, 1500);
    assert.equal(
      parseRealServerSection({ ...base, check_interval: '1h' }).checkIntervalMs,
      3_600_000,
    );
    invalid({ ...base, interfaces: ['.'] }, /interfaces\.0/);
  });

  it('is a schema fragment the daemon’s config schema can embed', () => {
    const ajv = createConfigAjv();
    const validate = ajv.compile<{ realserver: RealServerSection }>({
      type: 'object',
      properties: { realserver: REALSERVER_SCHEMA },
    });
    const doc = { realserver: { vips: ['10.213.0.100'], interfaces: ['eth0'] } };
    assert.ok(validate(doc));
    assert.equal(toRealServerConfig(doc.realserver).label, 'lo:vip');
    assert.equal(validate({ realserver: { vips: ['x'], interfaces: ['eth0'] } }), false);
  });
});
