// planReload for VRRP groups: what a running virtual router takes in place (no failover) and
// what only a restart can change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupSpec, VipdConfig, VrrpSpec } from '../../src/config/types.js';
import { planReload } from '../../src/daemon/reload-plan.js';
import { groupSpec, testConfig } from '../driver/harness.js';

const VRRP: VrrpSpec = { vrid: 51, advertIntervalMs: 100, version: 3, family: 4, unicastPeers: [] };

function withGroups(...groups: GroupSpec[]): VipdConfig {
  return { ...testConfig({ peers: [] }), groups };
}

function web(overrides: Partial<GroupSpec> = {}, vrrp: Partial<VrrpSpec> = {}): GroupSpec {
  return {
    ...groupSpec({ name: 'web', addresses: ['192.0.2.100/24'], priority: 150 }),
    vrrp: { ...VRRP, ...vrrp },
    ...overrides,
  };
}

const mesh = groupSpec({ name: 'db', addresses: ['192.0.2.200/24'] });
const before = withGroups(web(), mesh);

describe('planReload: VRRP groups', () => {
  it('applies priority, trackers, VIPs and hooks in place', () => {
    const after = withGroups(
      web({
        priority: 120,
        track: [{ tracker: 'up', weight: -10 }],
        notify: ['/bin/true'],
        vips: [{ address: '192.0.2.101', prefixLength: 24, interface: 'eth0' }],
      }),
      mesh,
    );
    assert.deepEqual(planReload(before, after), {
      apply: true,
      added: [],
      removed: [],
      changed: ['web'],
      keysChanged: false,
    });
  });

  const refused: [string, VipdConfig, string[]][] = [
    [
      'vrid and interval',
      withGroups(web({}, { vrid: 52, advertIntervalMs: 200 }), mesh),
      ['groups[web].vrrp'],
    ],
    ['interface', withGroups(web({ interface: 'eth1' }), mesh), ['groups[web].interface']],
    [
      'preempt rules',
      withGroups(web({ preempt: false, preemptDelayMs: 5 }), mesh),
      ['groups[web].preempt', 'groups[web].preempt_delay'],
    ],
    [
      'mesh to VRRP',
      withGroups(web(), { ...mesh, vrrp: { ...VRRP, vrid: 9 } }),
      ['groups[db].vrrp (mesh <-> VRRP)'],
    ],
    ['a VRRP group removed', withGroups(mesh), ['groups[web] (a VRRP group removed)']],
    [
      'a VRRP group added',
      withGroups(web(), mesh, web({ name: 'api' }, { vrid: 7 })),
      ['groups[api] (a VRRP group added)'],
    ],
  ];
  for (const [what, after, restartOnly] of refused) {
    it(`needs a restart for ${what}`, () => {
      const plan = planReload(before, after);
      assert.equal(plan.apply, false);
      assert.deepEqual(plan.restartOnly, restartOnly);
      // One reason per refused key, naming it, with a sentence after the colon.
      assert.equal(plan.reasons.length, restartOnly.length);
      for (const reason of plan.reasons) assert.match(reason, /^groups\[\w+\][^:]*: \S.{10,}/);
    });
  }
});
