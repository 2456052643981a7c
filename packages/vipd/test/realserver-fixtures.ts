// Shared by the real-server unit tests: a config and a fake host to run it against.

import { parseRealServerSection } from '../src/realserver/config.js';
import { InMemoryFileStore, InMemorySystemOps } from '../src/realserver/memory-ops.js';
import type { RealServerConfig, RealServerDeps } from '../src/realserver/types.js';

export const VIP4 = '10.213.0.100';
export const VIP6 = 'fd00:213::100';
export const STATE_FILE = '/var/lib/vipd/realserver-state.json';

export function config(overrides: Record<string, unknown> = {}): RealServerConfig {
  return parseRealServerSection({
    vips: [VIP4, VIP6],
    interfaces: ['eth0'],
    state_file: STATE_FILE,
    ...overrides,
  });
}

export interface FakeHost {
  readonly ops: InMemorySystemOps;
  readonly files: InMemoryFileStore;
  readonly deps: RealServerDeps;
}

/** A host as a fresh kernel leaves it: lo and eth0 with their own addresses, sysctls 0. */
export function fakeHost(interfaces: readonly string[] = ['lo', 'eth0']): FakeHost {
  const ops = new InMemorySystemOps(interfaces);
  ops.addresses.push(
    { interface: 'lo', address: '127.0.0.1', family: 4, prefixLength: 8, scope: 'host' },
    { interface: 'eth0', address: '10.213.0.11', family: 4, prefixLength: 24, scope: 'global' },
  );
  const files = new InMemoryFileStore();
  const deps: RealServerDeps = {
    ops,
    files,
    now: () => new Date('2025-01-02T03:04:05.000Z'),
  };
  return { ops, files, deps };
}

export function reasons(report: {
  vips: readonly { problems: readonly { reason: string }[] }[];
}): string[] {
  return report.vips.flatMap((v) => v.problems.map((p) => p.reason)).sort();
}
