import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorText, type Check, type CheckResult } from './check.js';

const IFF_UP = 0x1;

/**
 * Link state from sysfs: up when the interface is administratively up and has carrier.
 * `ip netns exec` remounts /sys, so inside a namespace this reads that namespace's links.
 *
 * Read synchronously: sysfs attributes are generated from kernel memory and never wait on a
 * disk, and fs.promises would send each open/stat/read/close through libuv's thread pool,
 * each hand-off a wakeup that costs more than the read itself (docs/benchmarks.md, "Idle
 * wakeups").
 */
export function interfaceCheck(name: string, sysfsNetDir = '/sys/class/net'): Check {
  const dir = join(sysfsNetDir, name);
  return () => Promise.resolve(readLinkState(name, dir));
}

function readLinkState(name: string, dir: string): CheckResult {
  let flags: number;
  try {
    flags = Number.parseInt(readFileSync(join(dir, 'flags'), 'utf8').trim(), 16);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, detail: code === 'ENOENT' ? `no interface ${name}` : errorText(error) };
  }
  if ((flags & IFF_UP) === 0) return { ok: false, detail: `${name} is administratively down` };
  try {
    const carrier = readFileSync(join(dir, 'carrier'), 'utf8').trim();
    return carrier === '1'
      ? { ok: true, detail: `${name} up, carrier` }
      : { ok: false, detail: `${name} has no carrier` };
  } catch (error) {
    // The kernel answers EINVAL for carrier while the link is down.
    return { ok: false, detail: `${name} has no carrier (${errorText(error)})` };
  }
}
