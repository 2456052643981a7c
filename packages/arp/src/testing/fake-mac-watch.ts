// A MAC watch with no netlink socket: the test changes an interface's MAC and, like the real
// one, a watched interface whose MAC differs is reported.
import { normalizeMac } from '../codec/address-text.js';
import type { MacWatch } from '../mac-watch.js';
import type { MacAddress, MacChangeEvent } from '../types.js';

export interface FakeMacWatch extends MacWatch {
  /** Changes an interface's MAC, firing onChange if it is watched and the MAC differs. */
  setMac(interfaceName: string, mac: MacAddress): void;
}

export function createFakeMacWatch(
  onChange: (event: MacChangeEvent) => void,
  initial: Record<string, MacAddress> = {},
): FakeMacWatch {
  const links = new Map<string, MacAddress>(
    Object.entries(initial).map(([name, mac]) => [name, normalizeMac(mac)]),
  );
  const watched = new Set<string>();
  return {
    watch: (name) => {
      watched.add(name);
      return links.get(name);
    },
    unwatch: (name) => {
      watched.delete(name);
    },
    current: (name) => (watched.has(name) ? links.get(name) : undefined),
    close: () => {
      watched.clear();
    },
    setMac: (name, mac) => {
      const next = normalizeMac(mac);
      const old = links.get(name);
      links.set(name, next);
      if (watched.has(name) && old !== undefined && old !== next)
        onChange({ interface: name, oldMac: old, newMac: next });
    },
  };
}
