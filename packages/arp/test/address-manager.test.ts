// The netlink address manager in a namespace this test creates: the same contract as the
// memory double, plus what only the kernel can show (IFA_PROTO marking, NODAD, errors).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAddressManager, VIPD_ADDRESS_PROTOCOL } from '../src/address-manager.js';
import { ArpError } from '../src/errors.js';
import { addressManagerContract } from './helpers/address-contract.js';
import { HOST_INTERFACE, SKIP_UNLESS_ROOT, createLab, type Lab } from './lab/netns-lab.js';

interface IpAddressJson {
  addr_info: {
    family: string;
    local: string;
    prefixlen: number;
    tentative?: boolean;
    nodad?: boolean;
  }[];
}

function addressesIn(lab: Lab, netns: string): IpAddressJson['addr_info'] {
  const json = JSON.parse(
    lab.ip(netns, '-j', 'addr', 'show', 'dev', HOST_INTERFACE),
  ) as IpAddressJson[];
  return json.flatMap((link) => link.addr_info);
}

addressManagerContract('netlink', SKIP_UNLESS_ROOT, () => {
  const lab = createLab();
  const { netns } = lab.addHost('addr', '52:54:00:00:07:01');
  return {
    interface: HOST_INTERFACE,
    manager: () => createAddressManager({ netns }),
    addForeign: (vip) => {
      lab.ip(netns, 'addr', 'add', `${vip.address}/${vip.prefixLength}`, 'dev', vip.interface);
    },
    addStale: (vip) => {
      const predecessor = createAddressManager({ netns });
      predecessor.addNow(vip);
      predecessor.close(); // "crashes" without removing it
    },
    present: () => addressesIn(lab, netns).map((a) => `${a.local}/${a.prefixlen}`),
    close: () => {
      lab.close();
    },
  };
});

describe('netlink address manager, kernel specifics', { skip: SKIP_UNLESS_ROOT }, () => {
  let lab: Lab;
  let netns: string;
  before(() => {
    lab = createLab();
    netns = lab.addHost('addk', '52:54:00:00:07:02').netns;
  });
  after(() => {
    lab.close();
  });

  it('adds IPv6 VIPs without duplicate address detection, so they are usable at once', () => {
    const manager = createAddressManager({ netns });
    try {
      manager.addNow({ address: 'fd00:213:a::1', prefixLength: 64, interface: HOST_INTERFACE });
      const added = addressesIn(lab, netns).find((a) => a.local === 'fd00:213:a::1');
      assert.equal(added?.tentative, undefined);
      assert.equal(added?.nodad, true);
    } finally {
      manager.close();
    }
  });

  it('marks by IFA_PROTO: a manager with another protocol number sees nothing of ours', () => {
    const ours = createAddressManager({ netns });
    const other = createAddressManager({ netns, addressProtocol: VIPD_ADDRESS_PROTOCOL + 1 });
    try {
      ours.addNow({ address: '10.213.10.1', prefixLength: 32, interface: HOST_INTERFACE });
      assert.ok(ours.listManagedNow().some((v) => v.address === '10.213.10.1'));
      assert.ok(!other.listManagedNow().some((v) => v.address === '10.213.10.1'));
      assert.equal(
        other.removeNow({ address: '10.213.10.1', prefixLength: 32, interface: HOST_INTERFACE }),
        'left-unmanaged',
      );
    } finally {
      ours.close();
      other.close();
    }
  });

  it('reports a missing interface as INTERFACE_NOT_FOUND, and removal from it as done', async () => {
    const manager = createAddressManager({ netns });
    try {
      const vip = { address: '10.213.10.2', prefixLength: 32, interface: 'nosuch0' };
      await assert.rejects(
        manager.add(vip),
        (error: unknown) => error instanceof ArpError && error.code === 'INTERFACE_NOT_FOUND',
      );
      assert.equal(manager.removeNow(vip), 'absent');
    } finally {
      manager.close();
    }
  });

  it('re-resolves an interface that was deleted and created again under the same name', () => {
    const manager = createAddressManager({ netns });
    try {
      // (No dummy driver in this kernel; a veth pair will do.)
      const create = () =>
        lab.ip(netns, 'link', 'add', 'v7a', 'type', 'veth', 'peer', 'name', 'v7b');
      const vip = { address: '10.213.11.1', prefixLength: 32, interface: 'v7a' };
      create();
      manager.addNow(vip);
      lab.ip(netns, 'link', 'del', 'v7a');
      create();
      assert.equal(manager.addNow(vip), 'added');
    } finally {
      manager.close();
    }
  });

  it('refuses an address protocol the kernel reserves', () => {
    assert.throws(() => createAddressManager({ netns, addressProtocol: 2 }), ArpError);
  });

  it('names a namespace that does not exist', () => {
    assert.throws(
      () => createAddressManager({ netns: `arp-nosuch-${lab.runId}` }),
      (error: unknown) => error instanceof ArpError && error.code === 'NETNS_NOT_FOUND',
    );
  });
});
