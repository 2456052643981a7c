// Conflict detection against real kernels: a foreign host that also holds our VIP gives
// itself away, and the pre-claim probe sees it; our own announcements never look foreign.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createAnnouncer, type FrameAnnouncer } from '../src/announcer.js';
import { gratuitousArpRequest } from '../src/codec/announcements.js';
import { encode } from '../src/codec/frame.js';
import { createConflictWatch, type ConflictWatch } from '../src/conflict-watch.js';
import { probeAddress } from '../src/probe.js';
import { openPacketSocket } from '../src/sys/packet-socket.js';
import type { ConflictEvent, Vip } from '../src/types.js';
import {
  HOST_INTERFACE,
  poll,
  netnsSkipReason,
  createSwitchedLab,
  type NetnsLab,
  type LabHost,
} from '@vipd/testkit';
import { sleep } from './helpers/wait.js';

const MASTER_MAC = '52:54:00:00:02:01';
const CLIENT_MAC = '52:54:00:00:02:02';
const FOREIGN_MAC = '52:54:00:00:02:66';

describe('conflict detection on the wire', { skip: netnsSkipReason() }, () => {
  let lab: NetnsLab;
  let master: LabHost;
  let foreign: LabHost;
  let events: ConflictEvent[];
  let watch: ConflictWatch | undefined;

  before(() => {
    lab = createSwitchedLab('arp');
    master = lab.addHost('mas', MASTER_MAC);
    const client = lab.addHost('cli', CLIENT_MAC);
    foreign = lab.addHost('fgn', FOREIGN_MAC);
    lab.ip(master.netns, 'addr', 'add', '10.213.0.1/24', 'dev', HOST_INTERFACE);
    lab.ip(client.netns, 'addr', 'add', '10.213.0.2/24', 'dev', HOST_INTERFACE);
    lab.ip(foreign.netns, 'addr', 'add', '10.213.0.66/24', 'dev', HOST_INTERFACE);
  });
  afterEach(() => {
    watch?.close();
    watch = undefined;
  });
  after(() => {
    lab.destroy();
  });

  const startWatch = (vips: Vip[], probeIntervalMs = 0): ConflictWatch => {
    events = [];
    watch = createConflictWatch({
      netns: master.netns,
      probeIntervalMs,
      onConflict: (e) => events.push(e),
    });
    watch.watch('web', vips);
    return watch;
  };
  const vip = (address: string, prefixLength: number): Vip => ({
    address,
    prefixLength,
    interface: HOST_INTERFACE,
  });

  it("a foreign kernel holding the VIP answers our probe: 'arp-reply'", async () => {
    lab.ip(foreign.netns, 'addr', 'add', '10.213.0.100/24', 'dev', HOST_INTERFACE);
    try {
      startWatch([vip('10.213.0.100', 24)], 100);
      const event = await poll('a conflict', () => events[0]);
      assert.deepEqual(event, {
        vip: '10.213.0.100',
        interface: HOST_INTERFACE,
        foreignMac: FOREIGN_MAC,
        kind: 'arp-reply',
      });
    } finally {
      lab.ip(foreign.netns, 'addr', 'del', '10.213.0.100/24', 'dev', HOST_INTERFACE);
    }
  });

  it("a foreign kernel using the VIP as its source address: 'arp-request'", async () => {
    lab.ip(foreign.netns, 'addr', 'add', '10.213.0.101/24', 'dev', HOST_INTERFACE);
    try {
      startWatch([vip('10.213.0.101', 24)]);
      // The foreign host resolves the client with the VIP as sender: a broadcast we hear.
      lab.exec(foreign.netns, ['ping', '-c', '1', '-w', '3', '-I', '10.213.0.101', '10.213.0.2']);
      const event = await poll('a conflict', () => events[0]);
      assert.deepEqual(event, {
        vip: '10.213.0.101',
        interface: HOST_INTERFACE,
        foreignMac: FOREIGN_MAC,
        kind: 'arp-request',
      });
    } finally {
      lab.ip(foreign.netns, 'addr', 'del', '10.213.0.101/24', 'dev', HOST_INTERFACE);
    }
  });

  it("another announcer's gratuitous ARP for our VIP: 'gratuitous-arp'", async () => {
    startWatch([vip('10.213.0.102', 24)]);
    const rival = openPacketSocket(HOST_INTERFACE, { netns: foreign.netns });
    try {
      rival.send(encode(gratuitousArpRequest(FOREIGN_MAC, '10.213.0.102')));
      const event = await poll('a conflict', () => events[0]);
      assert.deepEqual(event, {
        vip: '10.213.0.102',
        interface: HOST_INTERFACE,
        foreignMac: FOREIGN_MAC,
        kind: 'gratuitous-arp',
      });
    } finally {
      rival.close();
    }
  });

  it("a foreign kernel holding the IPv6 VIP answers our DAD probe: 'neighbor-advertisement'", async () => {
    lab.ip(foreign.netns, 'addr', 'add', 'fd00:213::100/64', 'dev', HOST_INTERFACE, 'nodad');
    try {
      startWatch([vip('fd00:213::100', 64)], 100);
      const event = await poll('a conflict', () => events[0]);
      assert.deepEqual(event, {
        vip: 'fd00:213::100',
        interface: HOST_INTERFACE,
        foreignMac: FOREIGN_MAC,
        kind: 'neighbor-advertisement',
      });
    } finally {
      lab.ip(foreign.netns, 'addr', 'del', 'fd00:213::100/64', 'dev', HOST_INTERFACE);
    }
  });

  it('our own announcements and probes raise nothing', async () => {
    const vips = [vip('10.213.0.103', 24), vip('fd00:213::103', 64)];
    startWatch(vips, 50);
    let announcer: FrameAnnouncer | undefined;
    try {
      announcer = createAnnouncer({
        netns: master.netns,
        schedule: { repeat: 3, intervalMs: 50, secondBurstDelayMs: 0, mode: 'both' },
      });
      announcer.announce('web', vips);
      await sleep(400);
      assert.deepEqual(events, []);
    } finally {
      announcer?.close();
    }
  });

  it('the probe before claiming finds the foreign holder, and a free address free', async () => {
    lab.ip(foreign.netns, 'addr', 'add', '10.213.0.104/24', 'dev', HOST_INTERFACE);
    try {
      const taken = await probeAddress({
        interface: HOST_INTERFACE,
        address: '10.213.0.104',
        netns: master.netns,
      });
      assert.deepEqual(taken, { conflict: true, foreignMac: FOREIGN_MAC, kind: 'arp-reply' });
      const free = await probeAddress({
        interface: HOST_INTERFACE,
        address: '10.213.0.105',
        netns: master.netns,
      });
      assert.deepEqual(free, { conflict: false });
    } finally {
      lab.ip(foreign.netns, 'addr', 'del', '10.213.0.104/24', 'dev', HOST_INTERFACE);
    }
  });
});
