import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errorText, type Check } from './check.js';

const IFF_UP = 0x1;

/**
 * Link state from sysfs: up when the interface is administratively up and has carrier.
 * `ip netns exec` remounts /sys, so inside a namespace this reads that namespace's links.
 */
export function interfaceCheck(name: string, sysfsNetDir = '/sys/class/net'): Check {
  const dir = join(sysfsNetDir, name);
  return async () => {
    let flags: number;
    try {
      flags = Number.parseInt((await readFile(join(dir, 'flags'), 'utf8')).trim(), 16);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ok: false, detail: code === 'ENOENT' ? `no interface ${name}` : errorText(error) };
    }
    if ((flags & IFF_UP) === 0) return { ok: false, detail: `${name} is administratively down` };
    try {
      const carrier = (await readFile(join(dir, 'carrier'), 'utf8')).trim();
      return carrier === '1'
        ? { ok: true, detail: `${name} up, carrier` }
        : { ok: false, detail: `${name} has no carrier` };
    } catch (error) {
      // The kernel answers EINVAL for carrier while the link is down.
      return { ok: false, detail: `${name} has no carrier (${errorText(error)})` };
    }
  };
}
