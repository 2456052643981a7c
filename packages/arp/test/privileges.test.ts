// Without CAP_NET_RAW / CAP_NET_ADMIN the errors say which capability is missing. The child
// runs inside a namespace this test creates (with the capabilities dropped by setpriv), so
// even if dropping failed nothing could touch the host's interfaces.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import {
  HOST_INTERFACE,
  netnsSkipReason,
  createSwitchedLab,
  runModuleWithoutCaps,
  type NetnsLab,
  type LabHost,
} from '@vipd/testkit';

const INDEX = fileURLToPath(new URL('../src/index.js', import.meta.url));

const probe = `
const arp = await import(${JSON.stringify(INDEX)});
const outcome = (run) => { try { run(); return 'ok'; } catch (e) { return [e.code, e.capability, e.message]; } };
const manager = (() => { try { return arp.createAddressManager(); } catch (e) { return e; } })();
console.log(JSON.stringify({
  packet: outcome(() => arp.openPacketSocket('${HOST_INTERFACE}')),
  address: manager instanceof Error ? [manager.code] : outcome(() => manager.addNow({ address: '10.213.0.9', prefixLength: 32, interface: '${HOST_INTERFACE}' })),
}));
`;

describe('missing privileges', { skip: netnsSkipReason() }, () => {
  let lab: NetnsLab;
  let host: LabHost;
  before(() => {
    lab = createSwitchedLab('arp');
    host = lab.addHost('priv', '52:54:00:00:05:01');
  });
  after(() => {
    lab.destroy();
  });

  it('names CAP_NET_RAW for the packet socket and CAP_NET_ADMIN for addresses', () => {
    const output = runModuleWithoutCaps(host.netns, ['net_raw', 'net_admin', 'sys_admin'], probe);
    type Outcome = [code: string, capability: string, message: string] | 'ok';
    const { packet, address } = JSON.parse(output) as { packet: Outcome; address: Outcome };
    assert.ok(Array.isArray(packet) && Array.isArray(address), `both must fail: ${output}`);
    assert.deepEqual(packet.slice(0, 2), ['MISSING_CAP_NET_RAW', 'CAP_NET_RAW']);
    assert.match(packet[2], /grant CAP_NET_RAW/);
    assert.deepEqual(address.slice(0, 2), ['MISSING_CAP_NET_ADMIN', 'CAP_NET_ADMIN']);
    assert.match(address[2], /CAP_NET_ADMIN/);
    assert.equal(
      lab.ip(host.netns, 'addr', 'show', 'dev', HOST_INTERFACE).includes('10.213.0.9'),
      false,
    );
  });
});
