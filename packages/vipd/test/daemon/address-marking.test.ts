// A node on a kernel that does not keep IFA_PROTO (before Linux 5.18) refuses to start before
// it touches any address. The old kernel is the real one here with the mark dropped from each
// add on its way in (@vipd/arp's withoutAddressProtocol), inside a namespace this test creates.
// Needs root (CI is root).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { addressesOn, NetnsLab, netnsSkipReason } from '@vipd/testkit';
import { createAddressManager } from '@vipd/arp';
import { withoutAddressProtocol } from '@vipd/arp/testing';
import { loadConfigFile } from '../../src/config/load.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { VipdError } from '../../src/errors.js';
import { silentLogger } from '../../src/log/logger.js';
import { configDir, type ConfigDir } from '../config/fixture.js';

const lab = new NetnsLab('vipdm');
const NS = lab.name('ns');

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

describe(
  'a kernel without IFA_PROTO (injected): the daemon refuses to start',
  { skip: netnsSkipReason() },
  () => {
    let dir: ConfigDir;
    before(() => {
      lab.namespace('ns');
      ip('-n', NS, 'link', 'add', 'd0', 'type', 'veth', 'peer', 'name', 'd0p');
      ip('-n', NS, 'link', 'set', 'd0', 'up');
      ip('-n', NS, 'link', 'set', 'd0p', 'up');
      dir = configDir(`node: { id: n1, listen: 127.0.0.1:0 }
cluster: { key_file: cluster.key, heartbeat_interval: 100ms }
groups:
  - name: web
    interface: d0
    priority: 255
    addresses: [10.213.78.1/24]
api: { enabled: false }
`);
    });
    after(() => {
      lab.destroy();
      dir.remove();
    });

    it('with ADDRESS_MARK_UNSUPPORTED naming the kernel needed, having changed no address', async () => {
      // What a predecessor on a good kernel left, and an operator's address: both must stay
      // exactly as they are, so the refusal came before the stale-VIP cleanup and any add.
      const predecessor = createAddressManager({ netns: NS });
      predecessor.addNow({ address: '10.213.78.9', prefixLength: 32, interface: 'd0' });
      predecessor.close();
      ip('-n', NS, 'addr', 'add', '10.213.78.5/24', 'dev', 'd0');
      const before = { d0: addressesOn(NS, 'd0'), lo: addressesOn(NS, 'lo') };

      const addresses = createAddressManager({ netns: NS, socketLayer: withoutAddressProtocol });
      const { config } = loadConfigFile(dir.file, { env: {} });
      await assert.rejects(
        Daemon.start({ config, logger: silentLogger(), addresses, firstTrackerResultMs: 0 }),
        (error: unknown) =>
          error instanceof VipdError &&
          error.code === 'ADDRESS_MARK_UNSUPPORTED' &&
          /Linux 5\.18 or newer is needed\. No address was changed\.$/.test(error.message),
      );
      assert.deepEqual({ d0: addressesOn(NS, 'd0'), lo: addressesOn(NS, 'lo') }, before);
      assert.deepEqual(before.d0, ['10.213.78.5/24', '10.213.78.9/32']);
    });
  },
);
