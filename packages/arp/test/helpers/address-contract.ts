// What any AddressManager in this package promises, run against the netlink implementation
// (in a namespace) and the in-memory double, so the double cannot drift from the real thing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NetlinkAddressManager } from '../../src/address-manager.js';
import { ArpError } from '../../src/errors.js';
import type { Vip } from '../../src/types.js';

export interface AddressHost {
  /** A fresh manager on the host (a restarted daemon gets a new one). */
  manager(): NetlinkAddressManager;
  /** Puts an address on the host the way an operator would (not managed). */
  addForeign(vip: Vip): void;
  /** Leaves a managed address behind, as a crashed predecessor would. */
  addStale(vip: Vip): void;
  /** Addresses on the host's interface, "address/prefix". */
  present(): string[];
  readonly interface: string;
  close(): void;
}

export function addressManagerContract(
  name: string,
  skip: string | false,
  createHost: () => AddressHost,
): void {
  describe(`${name}: AddressManager contract`, { skip }, () => {
    let host: AddressHost;
    let manager: NetlinkAddressManager;
    before(() => {
      host = createHost();
      manager = host.manager();
    });
    after(() => {
      manager.close();
      host.close();
    });
    const vip = (address: string, prefixLength: number, extra: Partial<Vip> = {}): Vip => ({
      address,
      prefixLength,
      interface: host.interface,
      ...extra,
    });

    it('adds IPv4 and IPv6 VIPs, idempotently', async () => {
      assert.equal(manager.addNow(vip('10.213.7.1', 32)), 'added');
      assert.equal(manager.addNow(vip('10.213.7.1', 32)), 'already-managed');
      assert.equal(manager.addNow(vip('fd00:213:7::1', 64)), 'added');
      await manager.add(vip('FD00:213:7:0::1', 64)); // another spelling: same address
      const present = host.present();
      assert.ok(present.includes('10.213.7.1/32'), present.join(' '));
      assert.equal(present.filter((a) => a === 'fd00:213:7::1/64').length, 1, present.join(' '));
    });

    it('lists what it manages, with label and scope', async () => {
      manager.addNow(vip('10.213.7.2', 24, { label: `${host.interface}:web`, scope: 'link' }));
      const listed = await manager.listManaged();
      assert.deepEqual(
        listed
          .filter((v) => v.address.includes('213:7') || v.address.startsWith('10.213.7.'))
          .sort(byAddress),
        [
          vip('10.213.7.1', 32),
          vip('10.213.7.2', 24, { label: `${host.interface}:web`, scope: 'link' }),
          vip('fd00:213:7::1', 64),
        ],
      );
    });

    it('removes its own VIPs, idempotently', async () => {
      assert.equal(manager.removeNow(vip('10.213.7.1', 32)), 'removed');
      assert.equal(manager.removeNow(vip('10.213.7.1', 32)), 'absent');
      await manager.remove(vip('fd00:213:7::1', 64));
      await manager.remove(vip('fd00:213:7::1', 64));
      assert.ok(!host.present().includes('10.213.7.1/32'));
      assert.ok(!host.present().includes('fd00:213:7::1/64'));
    });

    it('never removes or claims an address it did not add', async () => {
      host.addForeign(vip('10.213.8.1', 24));
      host.addForeign(vip('fd00:213:8::1', 64));
      assert.equal(manager.addNow(vip('10.213.8.1', 24)), 'present-unmanaged');
      assert.equal(manager.removeNow(vip('10.213.8.1', 24)), 'left-unmanaged');
      assert.equal(manager.removeNow(vip('fd00:213:8::1', 64)), 'left-unmanaged');
      assert.ok(host.present().includes('10.213.8.1/24'));
      assert.ok(host.present().includes('fd00:213:8::1/64'));
      const listed = await manager.listManaged();
      assert.ok(!listed.some((v) => v.address === '10.213.8.1' || v.address === 'fd00:213:8::1'));
    });

    it("finds a crashed predecessor's VIPs and can remove them", async () => {
      host.addStale(vip('10.213.9.1', 32));
      host.addStale(vip('fd00:213:9::1', 128));
      const restarted = host.manager();
      try {
        const stale = (await restarted.listManaged()).filter(
          (v) => v.address.includes('213.9.') || v.address.includes('213:9'),
        );
        assert.deepEqual(stale.sort(byAddress), [vip('10.213.9.1', 32), vip('fd00:213:9::1', 128)]);
        for (const leftover of stale) assert.equal(restarted.removeNow(leftover), 'removed');
        assert.ok(!host.present().includes('10.213.9.1/32'));
      } finally {
        restarted.close();
      }
    });

    const invalid: [string, Partial<Vip>][] = [
      ['prefix /33 on IPv4', { address: '10.213.7.9', prefixLength: 33 }],
      ['prefix /0', { address: '10.213.7.9', prefixLength: 0 }],
      ['a host name instead of an address', { address: 'vip.example', prefixLength: 32 }],
      [
        'a label not starting with the interface',
        { address: '10.213.7.9', prefixLength: 32, label: 'web' },
      ],
      [
        'an interface name with a slash',
        { address: '10.213.7.9', prefixLength: 32, interface: 'eth0/1' },
      ],
      [
        'an unknown scope',
        { address: '10.213.7.9', prefixLength: 32, scope: 'planet' as 'global' },
      ],
    ];
    for (const [what, fields] of invalid) {
      it(`refuses ${what} with INVALID_VIP`, async () => {
        const bad = { ...vip('10.213.7.9', 32), ...fields };
        await assert.rejects(
          manager.add(bad),
          (error: unknown) => error instanceof ArpError && error.code === 'INVALID_VIP',
        );
        await assert.rejects(
          manager.remove(bad),
          (error: unknown) => error instanceof ArpError && error.code === 'INVALID_VIP',
        );
      });
    }
  });
}

function byAddress(a: Vip, b: Vip): number {
  return a.address.localeCompare(b.address);
}
