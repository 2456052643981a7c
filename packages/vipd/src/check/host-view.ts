// What `vipd check` needs to know about the host it runs on: its interfaces and addresses, and
// which of the addresses vipd added (a VIP this node holds right now is no conflict). Read over
// netlink like `ip link` / `ip addr`, which needs no privilege.

import { createAddressManager, normalizeIp, openAddressTable } from '@vipd/arp';

export interface HostAddress {
  readonly interface: string;
  readonly family: 4 | 6;
  /** Canonical text (IPv6 compressed, lower case), as parseVip writes it. */
  readonly address: string;
  readonly prefixLength: number;
  /** Marked as vipd's own (IFA_PROTO): a VIP this host holds now. */
  readonly addedByVipd: boolean;
}

export interface HostView {
  /** Every interface name, in the kernel's order. */
  readonly interfaces: readonly string[];
  readonly addresses: readonly HostAddress[];
}

/** The host's interfaces and addresses, now; throws the netlink error when they cannot be read. */
export function readHostView(options: { readonly netns?: string } = {}): HostView {
  const table = openAddressTable(options);
  try {
    const manager = createAddressManager(options);
    let managed: Set<string>;
    try {
      managed = new Set(
        manager.listManagedNow().map((v) => `${v.interface} ${normalizeIp(v.address)}`),
      );
    } finally {
      manager.close();
    }
    return {
      interfaces: table.links().map((link) => link.name),
      addresses: table.addresses().map((entry) => ({
        interface: entry.interface,
        family: entry.family,
        address: entry.address,
        prefixLength: entry.prefixLength,
        addedByVipd: managed.has(`${entry.interface} ${entry.address}`),
      })),
    };
  } finally {
    table.close();
  }
}
