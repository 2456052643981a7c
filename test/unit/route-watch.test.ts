// `ip -ts monitor route` lines as RouteWatch reads them (captured in a namespace on this machine).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMonitorLine } from '../src/route-watch.js';

describe('parseMonitorLine', () => {
  it("takes a node's table-250 route with its -ts stamp (local time, microseconds)", () => {
    const line =
      '[2026-12-07T18:02:12.937597] 10.213.1.5 dev lo table 250 proto 241 scope link metric 4294967294 ';
    assert.deepEqual(parseMonitorLine(line), {
      kind: 'route',
      stampMs: new Date('2026-12-07T18:02:12').getTime() + 937.597,
      address: '10.213.1.5',
      via: [],
      deleted: false,
    });
  });

  it("takes a router's BGP route with its next hop, and a deletion", () => {
    const at = new Date('2026-12-07T18:02:13').getTime();
    assert.deepEqual(
      parseMonitorLine(
        '[2026-12-07T18:02:13.000001] 10.213.1.5 via 10.214.1.18 dev r-n2 proto bird metric 32 ',
      ),
      {
        kind: 'route',
        stampMs: at + 0.001,
        address: '10.213.1.5',
        via: ['10.214.1.18'],
        deleted: false,
      },
    );
    assert.deepEqual(
      parseMonitorLine(
        '[2026-12-07T18:02:13.5] Deleted 10.213.1.5 via 10.214.1.10 dev r-n1 proto bird metric 32 ',
      ),
      {
        kind: 'route',
        stampMs: at + 500,
        address: '10.213.1.5',
        via: ['10.214.1.10'],
        deleted: true,
      },
    );
  });

  it('reads a multipath continuation, an unstamped line, and skips the rest', () => {
    assert.deepEqual(parseMonitorLine('\tnexthop via 10.214.1.10 dev r-n1 weight 1 '), {
      kind: 'nexthop',
      via: '10.214.1.10',
    });
    const plain = parseMonitorLine('10.213.1.5 via 10.214.1.18 dev r-n2 proto bird metric 32 ');
    assert.equal(plain?.kind === 'route' && plain.stampMs, undefined);
    assert.equal(
      parseMonitorLine('[2026-12-07T18:02:13.1] local 10.213.1.5 dev lo table local'),
      undefined,
    );
    assert.equal(
      parseMonitorLine('[2026-12-07T18:02:13.1] fd00::/64 dev eth0 proto kernel'),
      undefined,
    );
  });
});
