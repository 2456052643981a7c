// A whole Daemon started, reloaded and stopped as an ordinary process: the host parts are
// @vipd/arp's in-memory doubles and @vipd/heartbeat's loopback network, and the driver runs
// on a manual clock. No root, no namespace.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  createFakeConflictWatch,
  createFakeMacWatch,
  createMemoryAddressManager,
  createRecordingSender,
  type MemoryAddressManager,
  type RecordingSender,
} from '@vipd/arp/testing';
import { createManualClock, type ManualClock } from '@vipd/clock';
import { createLoopbackNetwork } from '@vipd/heartbeat';
import { loadConfigFile } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { RESIGN_GRACE_MS } from '../../src/driver/resign.js';
import { silentLogger } from '../../src/log/logger.js';
import { configDir, type ConfigDir } from '../config/fixture.js';

const INTERVAL_MS = 100;
const DOWN_AFTER_MS = 3 * INTERVAL_MS;

function yaml(options: { listen?: string; addresses?: string } = {}): string {
  return `node: { id: n1, listen: ${options.listen ?? '127.0.0.1:0'} }
cluster:
  key_file: cluster.key
  heartbeat_interval: ${INTERVAL_MS}ms
  down_multiplier: 3
  peers: [{ id: n2, address: 127.0.0.1:1 }]
groups:
  - name: web
    interface: eth0
    priority: 150
    addresses: [${options.addresses ?? '10.213.0.100/24'}]
api: { enabled: false }
`;
}

interface Node {
  readonly daemon: Daemon;
  readonly clock: ManualClock;
  readonly addresses: MemoryAddressManager;
  readonly senders: Map<string, RecordingSender>;
  readonly dir: ConfigDir;
}

let node: Node | undefined;

afterEach(async () => {
  if (node === undefined) return;
  const { daemon, dir } = node;
  node = undefined;
  await stopOnClock(daemon, nodeClock);
  dir.remove();
});

let nodeClock: ManualClock = createManualClock();

/** Builds a node on doubles; `before` prepares the fake host first. */
function create(before: (addresses: MemoryAddressManager) => void = () => undefined): Node {
  const dir = configDir(yaml());
  const clock = createManualClock(1000);
  nodeClock = clock;
  const addresses = createMemoryAddressManager();
  before(addresses);
  const senders = new Map<string, RecordingSender>();
  const network = createLoopbackNetwork();
  const { config } = loadConfigFile(dir.file, { env: {} });
  const daemon = Daemon.create({
    config,
    logger: silentLogger(),
    env: {},
    firstTrackerResultMs: 0,
    addresses,
    onFatal: (error) => {
      throw error;
    },
    parts: {
      clock,
      openPacketSocket: (iface) => {
        const sender = createRecordingSender('02:00:00:00:00:01');
        senders.set(iface, sender);
        return sender;
      },
      createHeartbeatMesh: (options) => network.createMesh(options),
      createConflictWatch: (options) => createFakeConflictWatch(options.onConflict),
      createMacWatch: (options) =>
        createFakeMacWatch(options.onChange, { eth0: '02:00:00:00:00:01' }),
    },
  });
  node = { daemon, clock, addresses, senders, dir };
  return node;
}

function present(addresses: MemoryAddressManager): string[] {
  return addresses
    .present()
    .map((v) => `${v.address}/${v.prefixLength}`)
    .sort();
}

/** Moves the driver's clock in small steps until the node is master of web. */
function untilMaster(n: Node): void {
  for (let ms = 0; ms <= 10 * DOWN_AFTER_MS; ms += 10) {
    if (n.daemon.driver.group('web')?.state === 'MASTER') return;
    n.clock.advance(10);
  }
  assert.fail(`web is ${n.daemon.driver.group('web')?.state}, not MASTER`);
}

/** shutdown() waits for a backup on the driver's clock: move it until the daemon stopped. */
async function stopOnClock(daemon: Daemon, clock: ManualClock): Promise<void> {
  const progress = { stopped: false };
  const stopping = daemon.shutdown().then(() => {
    progress.stopped = true;
  });
  for (let ms = 0; !progress.stopped && ms <= DOWN_AFTER_MS + RESIGN_GRACE_MS + 100; ms += 10) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(10);
  }
  await stopping;
}

describe('Daemon on in-memory parts', () => {
  it('starts without root: removes what a crashed predecessor left, takes the group, announces', async () => {
    const n = create((addresses) => {
      addresses.addStale({ address: '10.213.0.9', prefixLength: 32, interface: 'eth0' });
      addresses.addForeign({ address: '10.213.0.5', prefixLength: 24, interface: 'eth0' });
    });
    await n.daemon.start();
    assert.deepEqual(
      present(n.addresses),
      ['10.213.0.5/24'],
      'the stale VIP is gone, the operator’s stays',
    );
    assert.ok(n.senders.has('eth0'), 'the packet socket is opened at start, before any takeover');
    assert.equal(n.daemon.driver.phase(), 'running');
    untilMaster(n);
    assert.deepEqual(present(n.addresses), ['10.213.0.100/24', '10.213.0.5/24']);
    assert.ok((n.senders.get('eth0')?.frames.length ?? 0) > 0, 'gratuitous ARP went out');
  });

  it('shutdown resigns and removes the VIPs it added', async () => {
    const n = create();
    await n.daemon.start();
    untilMaster(n);
    node = undefined;
    await stopOnClock(n.daemon, n.clock);
    assert.deepEqual(present(n.addresses), []);
    assert.equal(n.senders.get('eth0')?.closed, true);
    n.dir.remove();
  });

  it('reload applies a new VIP to the held group at once', async () => {
    const n = create();
    await n.daemon.start();
    untilMaster(n);
    n.dir.write('vipd.yaml', yaml({ addresses: '10.213.0.100/24, 10.213.0.101/24' }), 0o644);
    assert.equal(await n.daemon.reload(), true);
    assert.deepEqual(present(n.addresses), ['10.213.0.100/24', '10.213.0.101/24']);
    assert.equal(n.daemon.config.groups[0]?.vips.length, 2);
  });

  it('exports zero series, node and group info from the config, and follows a reload', async () => {
    const n = create();
    await n.daemon.start();
    let text = await n.daemon.metrics.render();
    for (const line of [
      'vipd_group_transitions_total{group="web",from="BACKUP",to="MASTER",reason="master-down"} 0',
      'vipd_heartbeats_received_total{peer="n2"} 0',
      'vipd_address_conflicts_total{group="web",kind="arp-reply"} 0',
      'vipd_group_info{group="web",interface="eth0",addresses="10.213.0.100/24"} 1',
    ])
      assert.ok(text.includes(`${line}\n`), `missing: ${line}`);
    assert.match(text, /^vipd_node_info\{node="n1",cluster="[^"]+",version="[^"]+"\} 1$/m);
    untilMaster(n);
    n.dir.write('vipd.yaml', yaml({ addresses: '10.213.0.100/24, 10.213.0.101/24' }), 0o644);
    assert.equal(await n.daemon.reload(), true);
    text = await n.daemon.metrics.render();
    assert.ok(
      text.includes(
        'vipd_group_info{group="web",interface="eth0",addresses="10.213.0.100/24,10.213.0.101/24"} 1\n',
      ),
    );
    assert.match(text, /^vipd_group_last_transition_timestamp_seconds\{group="web"\} \d/m);
  });

  it('reload refuses a restart-only change and keeps the running config', async () => {
    const n = create();
    await n.daemon.start();
    const running = n.daemon.config;
    n.dir.write('vipd.yaml', yaml({ listen: '127.0.0.1:7' }), 0o644);
    assert.equal(await n.daemon.reload(), false);
    assert.equal(n.daemon.config, running);
  });

  it('reload before the node is running is ignored', async () => {
    const n = create();
    assert.equal(await n.daemon.reload(), false);
  });
});
