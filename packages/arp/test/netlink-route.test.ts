// Host routes on the wire, checked against real iproute2 6.1 and kernel 6.1 bytes captured in a
// namespace: the requests from `strace -e sendmsg ip route add …`, the replies from an
// RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE subscription seeing those adds.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArpError } from '../src/errors.js';
import {
  decodeRoute,
  encodeRouteDump,
  encodeRouteRequest,
  type HostRoute,
  type KernelRoute,
} from '../src/netlink/route.js';

const hex = (...fields: string[]) => Buffer.from(fields.join(''), 'hex');

// ip route add 198.51.100.10/32 dev lo table 250 proto 241 metric 4294967290 (lo = ifindex 1)
const V4_ROUTE: HostRoute = {
  family: 4,
  destination: '198.51.100.10',
  table: 250,
  metric: 4294967290,
  protocol: 241,
  interfaceIndex: 1,
};
// ip -6 route add 2001:db8::10/128 dev lo table 70000 proto 241 metric 7
const V6_ROUTE: HostRoute = {
  family: 6,
  destination: '2001:db8::10',
  table: 70000,
  metric: 7,
  protocol: 241,
  interfaceIndex: 1,
};

const requests: { name: string; route: HostRoute; bytes: Buffer }[] = [
  {
    name: 'IPv4, table in the header',
    route: V4_ROUTE,
    bytes: hex(
      '02', // family AF_INET
      '20', // dst_len 32
      '00', // src_len
      '00', // tos
      'fa', // table 250
      'f1', // protocol 241 (vipd)
      'fd', // scope link
      '01', // type unicast
      '00000000', // flags
      '0800',
      '0100',
      'c633640a', // RTA_DST 198.51.100.10
      '0800',
      '0600',
      'faffffff', // RTA_PRIORITY 4294967290
      '0800',
      '0400',
      '01000000', // RTA_OIF 1
    ),
  },
  {
    name: 'IPv6, a table too big for the header goes in RTA_TABLE',
    route: V6_ROUTE,
    bytes: hex(
      '0a',
      '80',
      '00',
      '00', // AF_INET6, dst_len 128
      '00', // table: RT_TABLE_UNSPEC, see RTA_TABLE
      'f1', // protocol 241
      '00', // scope universe (IPv6 has no link-scoped routes)
      '01', // unicast
      '00000000',
      '1400',
      '0100',
      '20010db8000000000000000000000010', // RTA_DST
      '0800',
      '0f00',
      '70110100', // RTA_TABLE 70000
      '0800',
      '0600',
      '07000000', // RTA_PRIORITY 7
      '0800',
      '0400',
      '01000000', // RTA_OIF 1
    ),
  },
];

const notifications: { name: string; bytes: Buffer; route: KernelRoute }[] = [
  {
    name: 'IPv4 RTM_NEWROUTE from the kernel',
    bytes: hex(
      '02200000',
      'fa',
      'f1',
      'fd',
      '01',
      '00000000',
      '0800',
      '0f00',
      'fa000000', // RTA_TABLE 250 (the kernel always sends it)
      '0800',
      '0100',
      'c633640a',
      '0800',
      '0600',
      'faffffff',
      '0800',
      '0400',
      '01000000',
    ),
    route: { ...V4_ROUTE, prefixLength: 32, scope: 253, type: 1 },
  },
  {
    name: 'IPv6 RTM_NEWROUTE: RT_TABLE_COMPAT in the header, cache info and preference ignored',
    bytes: hex(
      '0a800000',
      'fc',
      'f1',
      '00',
      '01',
      '00000000',
      '0800',
      '0f00',
      '70110100',
      '1400',
      '0100',
      '20010db8000000000000000000000010',
      '0800',
      '0600',
      '07000000',
      '0800',
      '0400',
      '01000000',
      '2400',
      '0c00',
      '0000000000000000000000000000000000000000000000000000000000000000', // RTA_CACHEINFO
      '0500',
      '1400',
      '00000000', // RTA_PREF medium
    ),
    route: { ...V6_ROUTE, prefixLength: 128, scope: 0, type: 1 },
  },
];

describe('netlink host routes', () => {
  for (const { name, route, bytes } of requests) {
    it(`encodes what ip route add sends: ${name}`, () => {
      assert.equal(encodeRouteRequest(route).toString('hex'), bytes.toString('hex'));
    });
  }
  for (const { name, bytes, route } of notifications) {
    it(`decodes ${name}`, () => {
      assert.deepEqual(decodeRoute(bytes), route);
    });
  }

  it('a dump asks for one family, table and protocol', () => {
    assert.equal(
      encodeRouteDump(4, 250, 241).toString('hex'),
      '02000000faf10000000000000800' + '0f00fa000000',
    );
    assert.equal(encodeRouteDump(6, 0, 0).toString('hex'), '0a0000000000000000000000');
  });

  it('skips what is not a route of a known family, throws on a broken attribute', () => {
    assert.equal(decodeRoute(Buffer.alloc(11)), undefined);
    assert.equal(decodeRoute(hex('07200000fa000000', '00000000')), undefined);
    // RTA_DST of 3 bytes for IPv4
    assert.equal(
      decodeRoute(hex('02200000faf1fd0100000000', '0700', '0100', 'c63364', '00')),
      undefined,
    );
    assert.throws(
      () => decodeRoute(hex('02200000faf1fd0100000000', '0900', '0100', 'c633640a')),
      (error: unknown) => error instanceof ArpError && error.code === 'NETLINK_BAD_MESSAGE',
    );
  });

  it('a default route (no RTA_DST) decodes as 0.0.0.0/0', () => {
    assert.equal(decodeRoute(hex('02000000fe030001', '00000000'))?.destination, '0.0.0.0');
  });
});
