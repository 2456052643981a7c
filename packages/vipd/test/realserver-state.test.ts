// The real-server state file read at start: one schema, checked on read. A file that does
// not match is REALSERVER_STATE_INVALID naming where it is wrong (state-repair.ts then keeps
// it aside); a file vipd wrote reads back as it was.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_STATE, loadState, saveState } from '../src/realserver/state.js';
import type { RealServerState } from '../src/realserver/state.js';
import type { FileStore } from '../src/realserver/types.js';

const PATH = '/var/lib/vipd/realserver-state.json';

function files(initial: Record<string, string> = {}): FileStore & { text: Map<string, string> } {
  const text = new Map(Object.entries(initial));
  return {
    text,
    read: (path) => Promise.resolve(text.get(path) ?? null),
    write: (path, content) => Promise.resolve(void text.set(path, content)),
    remove: (path) => Promise.resolve(void text.delete(path)),
    rename: (from, to) => {
      const content = text.get(from);
      if (content !== undefined) text.set(to, content);
      text.delete(from);
      return Promise.resolve();
    },
  };
}

const STATE: RealServerState = {
  version: 1,
  sysctls: [{ key: 'net/ipv4/conf/eth0/arp_ignore', previous: '0', applied: '1' }],
  addresses: [
    { address: '192.0.2.10', prefixLength: 32, interface: 'lo', scope: 'host', label: 'lo:vip' },
    { address: '2001:db8::10', prefixLength: 128, interface: 'lo' },
  ],
  sysctlFile: '/etc/sysctl.d/90-vipd-realserver.conf',
};

describe('realserver state file', () => {
  it('no file: nothing recorded', async () => {
    assert.deepEqual(await loadState(files(), PATH), EMPTY_STATE);
  });

  it('reads back what it saved, optional address fields included', async () => {
    const store = files();
    await saveState(store, PATH, STATE);
    assert.deepEqual(await loadState(store, PATH), STATE);
  });

  it('keeps keys it does not know (a newer vipd may add some)', async () => {
    const store = files({ [PATH]: JSON.stringify({ ...STATE, note: 'by hand' }) });
    assert.deepEqual(await loadState(store, PATH), { ...STATE, note: 'by hand' });
  });

  it('not JSON: REALSERVER_STATE_INVALID, "is not JSON"', async () => {
    await assert.rejects(loadState(files({ [PATH]: '{"version":1,' }), PATH), {
      code: 'REALSERVER_STATE_INVALID',
      message: `${PATH} is not JSON`,
    });
  });

  for (const [name, state, where] of [
    ['another version', { ...STATE, version: 2 }, '/version'],
    ['a key missing', { version: 1, sysctls: [], addresses: [] }, '/'],
    [
      'a sysctl without the value vipd applied',
      { ...STATE, sysctls: [{ key: 'net/ipv4/conf/eth0/arp_ignore', previous: '0' }] },
      '/sysctls/0',
    ],
    [
      'a prefix length that is not an integer',
      { ...STATE, addresses: [{ address: '192.0.2.10', prefixLength: 32.5, interface: 'lo' }] },
      '/addresses/0/prefixLength',
    ],
    [
      'a scope vipd never sets',
      {
        ...STATE,
        addresses: [{ address: '192.0.2.10', prefixLength: 32, interface: 'lo', scope: 'link' }],
      },
      '/addresses/0/scope',
    ],
    ['a sysctl file that is not a path', { ...STATE, sysctlFile: 5 }, '/sysctlFile'],
    ['not an object', [STATE], '/'],
  ] as const) {
    it(`${name}: REALSERVER_STATE_INVALID naming ${where}`, async () => {
      await assert.rejects(loadState(files({ [PATH]: JSON.stringify(state) }), PATH), {
        code: 'REALSERVER_STATE_INVALID',
        message: new RegExp(`^${PATH}: ${where} must `),
      });
    });
  }
});
