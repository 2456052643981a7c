import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

export type LabSupport = { readonly ok: true } | { readonly ok: false; readonly reason: string };

function effectiveCapabilities(): bigint {
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
  return match?.[1] === undefined ? 0n : BigInt(`0x${match[1]}`);
}

function hasCapability(caps: bigint, bit: bigint): boolean {
  return (caps & (1n << bit)) !== 0n;
}

/**
 * Whether this process may build a lab: `ip netns add` needs CAP_SYS_ADMIN (it mounts the
 * namespace) and every link change needs CAP_NET_ADMIN. Tests skip with `reason`; the demo
 * prints it and exits non-zero.
 */
export function labSupport(): LabSupport {
  if (process.platform !== 'linux') {
    return { ok: false, reason: 'the lab needs Linux network namespaces' };
  }
  const caps = effectiveCapabilities();
  if (!hasCapability(caps, CAP_NET_ADMIN) || !hasCapability(caps, CAP_SYS_ADMIN)) {
    return {
      ok: false,
      reason:
        'the lab builds network namespaces, which needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN); run it as root',
    };
  }
  if (spawnSync('ip', ['-V'], { stdio: 'ignore' }).status !== 0) {
    return { ok: false, reason: 'the lab needs iproute2 (`ip`), which is not installed' };
  }
  return { ok: true };
}

/** Whether an external tool is on PATH (tcpdump, keepalived, ping, nft). */
export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$0"`, name], { stdio: 'ignore' }).status === 0;
}

/**
 * Why namespace tests cannot run here (privileges, `ip`, or one of `tools` missing), or
 * false when they can: the `skip` option of a lab suite.
 */
export function netnsSkipReason(tools: readonly string[] = []): string | false {
  const support = labSupport();
  if (!support.ok) return `needs root: ${support.reason}`;
  const missing = tools.find((tool) => !hasTool(tool));
  return missing === undefined ? false : `needs ${missing}`;
}
