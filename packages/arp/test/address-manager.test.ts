// The netlink address manager in a namespace this test creates: the same contract as the
// memory double, plus what only the kernel can show (IFA_PROTO marking, NODAD, errors).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createAddressManager,
  MARKING_PROBE_VIP,
  VIPD_ADDRESS_PROTOCOL,
  type RouteRequests,
} from '../src/address-manager.js';
import { ArpError } from '../src/errors.js';
import { withoutAddressProtocol } from '../src/testing/index.js';
import { RTM_GETADDR } from '../src/netlink/address.js';
import { NLM_F_DUMP } from '../src/netlink/message.js';
import { addressManagerContract } from './helpers/address-contract.js';
import { HOST_INTERFACE, netnsSkipReason, createSwitchedLab, type NetnsLab } from '@vipd/testkit';

interface IpAddressJson {
  addr_info: {
    family: string;
    local: string;
    prefixlen: number;
    tentative?: boolean;
    nodad?: boolean;
  }[];
}

function addressesIn(
  lab: NetnsLab,
  netns: string,
  device: string = HOST_INTERFACE,
): IpAddressJson['addr_info'] {
  const json = JSON.parse(lab.ip(netns, '-j', 'addr', 'show', 'dev', device)) as IpAddressJson[];
  return json.flatMap((link) => link.addr_info);
}

addressManagerContract('netlink', netnsSkipReason(), () => {
  const lab = createSwitchedLab('arp');
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
      lab.destroy();
    },
  };
});

describe('netlink address manager, kernel specifics', { skip: netnsSkipReason() }, () => {
  let lab: NetnsLab;
  let netns: string;
  before(() => {
    lab = createSwitchedLab('arp');
    netns = lab.addHost('addk', '52:54:00:00:07:02').netns;
  });
  after(() => {
    lab.destroy();
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

describe(
  'a kernel that does not keep IFA_PROTO (before 5.18, injected)',
  { skip: netnsSkipReason() },
  () => {
    let lab: NetnsLab;
    let netns: string;
    const present = (device: string = HOST_INTERFACE) =>
      addressesIn(lab, netns, device).map((a) => `${a.local}/${a.prefixlen}`);
    const markUnsupported = (error: unknown) =>
      error instanceof ArpError &&
      error.code === 'ADDRESS_MARK_UNSUPPORTED' &&
      /Linux 5\.18 or newer is needed/.test(error.message);
    before(() => {
      lab = createSwitchedLab('arp');
      netns = lab.addHost('addo', '52:54:00:00:07:03').netns;
    });
    after(() => {
      lab.destroy();
    });

    it('takes an address it added off again when the mark does not come back, every time', () => {
      const manager = createAddressManager({ netns, socketLayer: withoutAddressProtocol });
      try {
        for (const vip of [
          { address: '10.213.12.1', prefixLength: 24, interface: HOST_INTERFACE },
          { address: 'fd00:213:c::1', prefixLength: 64, interface: HOST_INTERFACE },
        ]) {
          // The retry must neither find "someone else's" address nor leave one.
          for (let attempt = 1; attempt <= 2; attempt++) {
            assert.throws(() => manager.addNow(vip), markUnsupported, `attempt ${attempt}`);
            assert.ok(
              !present().includes(`${vip.address}/${vip.prefixLength}`),
              `attempt ${attempt}: ${present().join(' ')}`,
            );
          }
        }
      } finally {
        manager.close();
      }
    });

    it('takes an address it added off again when a request after the add fails', () => {
      let failLookups = false;
      const failingLookup = (socket: RouteRequests): RouteRequests => ({
        request: (type, flags, body, what) => {
          // IPv6 adds are verified with one RTM_GETADDR; make it fail as a lost reply would.
          if (failLookups && type === RTM_GETADDR && (flags & NLM_F_DUMP) === 0)
            throw new ArpError('NETLINK_NO_REPLY', `the kernel did not answer ${what}`);
          return socket.request(type, flags, body, what);
        },
        close: () => {
          socket.close();
        },
      });
      const manager = createAddressManager({ netns, socketLayer: failingLookup });
      try {
        const vip = { address: 'fd00:213:d::1', prefixLength: 64, interface: HOST_INTERFACE };
        failLookups = true;
        assert.throws(
          () => manager.addNow(vip),
          (error: unknown) => error instanceof ArpError && error.code === 'NETLINK_NO_REPLY',
        );
        assert.ok(!present().includes('fd00:213:d::1/64'), present().join(' '));
        failLookups = false;
        assert.equal(manager.addNow(vip), 'added', 'nothing of the failed add is in the way');
        assert.equal(manager.removeNow(vip), 'removed');
      } finally {
        manager.close();
      }
    });

    it('checkMarking passes on this kernel and leaves no probe address behind', () => {
      const manager = createAddressManager({ netns });
      try {
        manager.checkMarking();
        assert.ok(!present('lo').includes('127.86.68.1/32'), present('lo').join(' '));
        // A marked probe a killed predecessor left is no obstacle, and goes too.
        manager.addNow(MARKING_PROBE_VIP);
        manager.checkMarking();
        assert.ok(!present('lo').includes('127.86.68.1/32'), present('lo').join(' '));
      } finally {
        manager.close();
      }
    });

    it('checkMarking refuses with ADDRESS_MARK_UNSUPPORTED and leaves no probe address', () => {
      const manager = createAddressManager({ netns, socketLayer: withoutAddressProtocol });
      try {
        assert.throws(() => {
          manager.checkMarking();
        }, markUnsupported);
        assert.ok(!present('lo').includes('127.86.68.1/32'), present('lo').join(' '));
      } finally {
        manager.close();
      }
    });

    it("checkMarking leaves an operator's address on the probe's spot alone and says so", () => {
      const manager = createAddressManager({ netns });
      try {
        lab.ip(netns, 'addr', 'add', '127.86.68.1/32', 'dev', 'lo');
        assert.throws(
          () => {
            manager.checkMarking();
          },
          (error: unknown) =>
            error instanceof ArpError &&
            error.code === 'ADDRESS_VERIFY_FAILED' &&
            /127\.86\.68\.1\/32 on lo is already there and vipd did not add it/.test(error.message),
        );
        assert.ok(present('lo').includes('127.86.68.1/32'));
      } finally {
        lab.ip(netns, 'addr', 'del', '127.86.68.1/32', 'dev', 'lo');
        manager.close();
      }
    });
  },
);
