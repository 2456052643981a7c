// A MAC change on the master's interface is reported at once (rtnetlink push), and
// re-announcing on that event moves a client to the new MAC — even inside its lock time.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAddressManager } from '../src/address-manager.js';
import { createAnnouncer } from '../src/announcer.js';
import { createMacWatch, type MacWatch } from '../src/mac-watch.js';
import type { MacChangeEvent, Vip } from '../src/types.js';
import {
  HOST_INTERFACE,
  poll,
  netnsSkipReason,
  createSwitchedLab,
  type NetnsLab,
  type LabHost,
} from '@vipd/testkit';
import { sleep } from './helpers/wait.js';

const MAC_1 = '52:54:00:00:04:01';
const MAC_2 = '52:54:00:00:04:02';
const CLIENT_MAC = '52:54:00:00:04:0c';

describe('MAC change watch', { skip: netnsSkipReason() }, () => {
  let lab: NetnsLab;
  let master: LabHost;
  let client: LabHost;
  let watch: MacWatch;
  let events: MacChangeEvent[];

  before(() => {
    lab = createSwitchedLab('arp');
    master = lab.addHost('mas', MAC_1);
    client = lab.addHost('cli', CLIENT_MAC);
    lab.ip(master.netns, 'addr', 'add', '10.213.0.1/24', 'dev', HOST_INTERFACE);
    lab.ip(client.netns, 'addr', 'add', '10.213.0.2/24', 'dev', HOST_INTERFACE);
    events = [];
    watch = createMacWatch({ netns: master.netns, onChange: (event) => events.push(event) });
  });
  after(() => {
    watch.close();
    lab.destroy();
  });
  const setMac = (mac: string) =>
    lab.ip(master.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'address', mac);
  const neighbour = (address: string) =>
    lab.ip(client.netns, 'neigh', 'show', address, 'dev', HOST_INTERFACE);

  it('reports the current MAC and then each change', async () => {
    assert.equal(watch.watch(HOST_INTERFACE), MAC_1);
    setMac(MAC_2);
    await poll('the change event', () => events[0]);
    assert.deepEqual(events, [{ interface: HOST_INTERFACE, oldMac: MAC_1, newMac: MAC_2 }]);
    assert.equal(watch.current(HOST_INTERFACE), MAC_2);
    setMac(MAC_1);
    await poll('the change back', () => events[1]);
    assert.deepEqual(events[1], { interface: HOST_INTERFACE, oldMac: MAC_2, newMac: MAC_1 });
  });

  it('ignores link changes that keep the MAC, and unwatched interfaces', async () => {
    events.length = 0;
    lab.ip(master.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'mtu', '1400');
    lab.ip(master.netns, 'link', 'add', 'v9a', 'type', 'veth', 'peer', 'name', 'v9b');
    lab.ip(master.netns, 'link', 'set', 'dev', 'v9a', 'address', '52:54:00:00:04:99');
    await sleep(200);
    assert.deepEqual(events, []);
  });

  it('passes on every link notification by name, watched or not, MAC changed or not', async () => {
    const names: (string | null)[] = [];
    const links = createMacWatch({
      netns: master.netns,
      onChange: () => undefined,
      onLinkNotification: (name) => names.push(name),
    });
    try {
      // No watch() at all: a carrier tracker wants its interface whether VIPs are held or not.
      lab.ip(master.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'down');
      await poll('the down notification', () => (names.includes(HOST_INTERFACE) ? 1 : undefined));
      names.length = 0;
      lab.ip(master.netns, 'link', 'set', 'dev', HOST_INTERFACE, 'up');
      await poll('the up notification', () => (names.includes(HOST_INTERFACE) ? 1 : undefined));
      lab.ip(master.netns, 'link', 'add', 'v8a', 'type', 'veth', 'peer', 'name', 'v8b');
      await poll('the new link', () => (names.includes('v8a') ? 1 : undefined));
      lab.ip(master.netns, 'link', 'del', 'v8a');
      names.length = 0;
      await sleep(50);
      assert.ok(!names.includes(null), 'nothing was lost');
    } finally {
      links.close();
    }
  });

  it('re-announcing on the event moves the client to the new MAC at once', async () => {
    const vip: Vip = { address: '10.213.0.100', prefixLength: 24, interface: HOST_INTERFACE };
    const addresses = createAddressManager({ netns: master.netns });
    const announcer = createAnnouncer({
      netns: master.netns,
      schedule: { repeat: 1, secondBurstDelayMs: 0 },
    });
    const reannounce = createMacWatch({
      netns: master.netns,
      onChange: () => {
        announcer.announce('web', [vip]);
      },
    });
    try {
      reannounce.watch(HOST_INTERFACE);
      lab.ip(
        client.netns,
        'neigh',
        'replace',
        vip.address,
        'lladdr',
        '52:54:00:00:04:77',
        'dev',
        HOST_INTERFACE,
        'nud',
        'stale',
      );
      addresses.addNow(vip);
      announcer.announce('web', [vip]);
      await poll('the first flip', () =>
        neighbour(vip.address).includes(MAC_1) ? true : undefined,
      );
      setMac(MAC_2);
      await poll(
        'the client to follow the new MAC',
        () => (neighbour(vip.address).includes(MAC_2) ? true : undefined),
        {
          timeoutMs: 900, // inside the client's 1 s lock time: only a gratuitous ARP can do this
        },
      );
    } finally {
      reannounce.close();
      announcer.close();
      addresses.close();
      setMac(MAC_1);
    }
  });

  it('a watched interface that appears later is not a change; its next change is', async () => {
    await poll('eth0 back at its first MAC', () =>
      watch.current(HOST_INTERFACE) === MAC_1 ? true : undefined,
    );
    events.length = 0;
    assert.equal(watch.watch('late0'), undefined);
    lab.ip(
      master.netns,
      'link',
      'add',
      'late0',
      'address',
      '52:54:00:00:04:a1',
      'type',
      'veth',
      'peer',
      'name',
      'late1',
    );
    await poll('the first sighting', () => watch.current('late0'));
    lab.ip(master.netns, 'link', 'set', 'dev', 'late0', 'address', '52:54:00:00:04:a2');
    await poll('the change', () => events[0]);
    assert.deepEqual(events, [
      { interface: 'late0', oldMac: '52:54:00:00:04:a1', newMac: '52:54:00:00:04:a2' },
    ]);
  });
});
