// The netlink route manager in a namespace this test creates: vipd's routes carry its mark,
// an operator's route is never matched or removed, two metrics are two routes, and a crashed
// predecessor's routes are found by the mark.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSwitchedLab, netnsSkipReason, type NetnsLab } from '@vipd/testkit';
import { ArpError } from '../src/errors.js';
import {
  VIPD_ROUTE_PROTOCOL,
  createRouteManager,
  type NetlinkRouteManager,
} from '../src/route-manager.js';

interface IpRouteJson {
  dst: string;
  dev: string;
  protocol: string;
  metric?: number;
  scope?: string;
}

describe('netlink route manager', { skip: netnsSkipReason() }, () => {
  let lab: NetnsLab;
  let netns: string;
  let routes: NetlinkRouteManager;
  const table = (family: 4 | 6, id: number): IpRouteJson[] =>
    JSON.parse(
      lab.ip(netns, '-j', `-${family}`, 'route', 'show', 'table', String(id)),
    ) as IpRouteJson[];

  before(() => {
    lab = createSwitchedLab('rt');
    netns = lab.addHost('rt', '52:54:00:00:08:01').netns;
    lab.ip(netns, 'link', 'set', 'lo', 'up');
    routes = createRouteManager({ netns });
  });
  after(() => {
    routes.close();
    lab.destroy();
  });

  it('adds a marked host route through lo, as ip route shows it, and removes it', () => {
    const route = { address: '198.51.100.10', table: 250, metric: 4294967290 };
    assert.equal(routes.addNow(route), 'added');
    assert.deepEqual(table(4, 250), [
      {
        dst: '198.51.100.10',
        dev: 'lo',
        protocol: String(VIPD_ROUTE_PROTOCOL),
        metric: 4294967290,
        scope: 'link',
        flags: [],
      },
    ]);
    assert.equal(routes.addNow(route), 'already-managed');
    assert.deepEqual(routes.listManagedNow(250), [route]);
    assert.equal(routes.removeNow(route), 'removed');
    assert.deepEqual(table(4, 250), []);
    assert.equal(routes.removeNow(route), 'absent');
  });

  it('IPv6 in a table above 255; a second metric is a second route (add new, then delete old)', () => {
    const old = { address: '2001:db8::10', table: 70000, metric: 4294967294 };
    const next = { ...old, metric: 4294967293 };
    routes.addNow(old);
    routes.addNow(next);
    assert.deepEqual(
      table(6, 70000).map((r) => [r.dst, r.metric, r.protocol]),
      [
        ['2001:db8::10', 4294967293, '241'],
        ['2001:db8::10', 4294967294, '241'],
      ],
    );
    routes.removeNow(old);
    assert.deepEqual(routes.listManagedNow(), [next]);
    routes.removeNow(next);
    assert.deepEqual(routes.listManagedNow(), []);
  });

  it("never matches an operator's route with the same key, and does not list it", () => {
    lab.ip(netns, 'route', 'add', '198.51.100.20/32', 'dev', 'lo', 'table', '250', 'metric', '5');
    const same = { address: '198.51.100.20', table: 250, metric: 5 };
    assert.throws(
      () => routes.addNow(same),
      (error: unknown) => error instanceof ArpError && error.code === 'ROUTE_NOT_OURS',
    );
    assert.equal(routes.removeNow(same), 'absent');
    assert.equal(table(4, 250).length, 1, 'the operator route is still there');
    assert.deepEqual(routes.listManagedNow(), []);
  });

  it("finds a crashed predecessor's routes by the mark, in every table", () => {
    const predecessor = createRouteManager({ netns });
    predecessor.addNow({ address: '198.51.100.30', table: 251, metric: 7 });
    predecessor.close();
    assert.deepEqual(routes.listManagedNow(), [
      { address: '198.51.100.30', table: 251, metric: 7 },
    ]);
    routes.removeNow({ address: '198.51.100.30', table: 251, metric: 7 });
  });

  it('refuses a kernel table or a metric beyond u32 before asking the kernel', () => {
    for (const bad of [
      { address: '198.51.100.40', table: 254, metric: 1 },
      { address: '198.51.100.40', table: 250, metric: 2 ** 32 },
    ]) {
      assert.throws(
        () => routes.addNow(bad),
        (error: unknown) => error instanceof ArpError && error.code === 'INVALID_ROUTE',
      );
    }
  });
});
