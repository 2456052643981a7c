// Without CAP_NET_RAW the transport says so, for both families (IPv4's raw socket and IPv6's
// raw + packet sockets). The child runs in a namespace this test creates, with the
// capability dropped by setpriv, so nothing could reach the host's interfaces.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  HOST_INTERFACE,
  createSwitchedLab,
  netnsSkipReason,
  runModuleWithoutCaps,
  type LabHost,
  type NetnsLab,
} from '@vipd/testkit';

const OPEN = fileURLToPath(new URL('../../src/socket/open.js', import.meta.url));

const probe = `
const { openVrrpSocket } = await import(${JSON.stringify(OPEN)});
const outcome = async (family) => {
  try {
    const socket = await openVrrpSocket({ family, interfaceName: '${HOST_INTERFACE}', onPacket() {}, onError() {} });
    socket.close();
    return 'ok';
  } catch (e) { return [e.code, e.message]; }
};
console.log(JSON.stringify({ v4: await outcome(4), v6: await outcome(6) }));
`;

describe('missing privileges', { skip: netnsSkipReason(['setpriv']) }, () => {
  let lab: NetnsLab;
  let host: LabHost;
  before(() => {
    lab = createSwitchedLab('vp');
    host = lab.addHost('priv');
    lab.ip(host.netns, 'addr', 'add', '10.215.0.1/24', 'dev', HOST_INTERFACE);
  });
  after(() => {
    lab.destroy();
  });

  it('names CAP_NET_RAW and the interface, for IPv4 and IPv6', () => {
    const output = runModuleWithoutCaps(host.netns, ['net_raw'], probe);
    type Outcome = [code: string, message: string] | 'ok';
    const outcomes = JSON.parse(output) as { v4: Outcome; v6: Outcome };
    for (const outcome of [outcomes.v4, outcomes.v6]) {
      assert.ok(Array.isArray(outcome), `opening must fail without CAP_NET_RAW: ${output}`);
      assert.equal(outcome[0], 'VRRP_PRIVILEGE');
      assert.match(outcome[1], /CAP_NET_RAW/);
      assert.match(outcome[1], new RegExp(HOST_INTERFACE));
    }
  });
});
