// The kernel's link and address tables, read and changed the way `ip link show`, `ip addr
// show`, `ip addr add` and `ip addr del` do it, over one NETLINK_ROUTE socket. For addresses
// someone else owns the rules for — the real-server role's VIPs on lo, which carry a label and
// scope host and no IFA_PROTO mark: marked, the daemon's address manager would take them for
// its own VIPs and remove them as stale.
import {
  RTM_DELADDR,
  RTM_GETADDR,
  RTM_NEWADDR,
  SCOPE_VALUES,
  decodeAddress,
  encodeAddressDump,
  encodeAddressRequest,
  type AddressScope,
} from './address.js';
import { lookUpInterfaceIndex } from './interface-index.js';
import { RTM_GETLINK, decodeLink, encodeLinkRequest } from './link.js';
import { NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL } from './message.js';
import { RouteSocket } from './route-socket.js';

export interface LinkEntry {
  readonly interfaceIndex: number;
  readonly name: string;
}

/** One address as the kernel reports it, with its interface's name. */
export interface AddressEntry {
  readonly interface: string;
  readonly family: 4 | 6;
  /** IPv6 compressed and lower case (RFC 5952). */
  readonly address: string;
  readonly prefixLength: number;
  /** rtnetlink's number: 0 global, 200 site, 253 link, 254 host. */
  readonly scope: number;
  /** IFA_LABEL: IPv4 only, the interface's name unless one was given. */
  readonly label: string | undefined;
}

/** An address to add or delete, in `ip addr add ADDRESS/PREFIX dev IF [scope S] [label L]` terms. */
export interface PlainAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
  readonly interface: string;
  /** Sent only when given, as `ip` does; the kernel derives an IPv6 address's scope itself. */
  readonly scope?: AddressScope;
  readonly label?: string;
}

export interface AddressTable {
  /** Every link, in the kernel's order (`ip link show`). */
  links(): LinkEntry[];
  /** Every address of every link: link by link, IPv4 before IPv6 (`ip addr show`). */
  addresses(): AddressEntry[];
  /**
   * Adds the address, unmarked, refusing one already there (EEXIST) like `ip addr add`.
   * Throws ArpError INTERFACE_NOT_FOUND, PrivilegeError, or NetlinkRequestError with the errno.
   */
  add(address: PlainAddress): void;
  /** Deletes the address like `ip addr del`; one that is not there is EADDRNOTAVAIL. */
  remove(address: PlainAddress): void;
  close(): void;
}

export interface AddressTableOptions {
  /** Named network namespace (`ip netns`); default: the current one. */
  readonly netns?: string;
}

export function openAddressTable(options: AddressTableOptions = {}): AddressTable {
  return new KernelAddressTable(
    RouteSocket.open(options.netns === undefined ? {} : { netns: options.netns }),
  );
}

class KernelAddressTable implements AddressTable {
  constructor(private readonly socket: Pick<RouteSocket, 'request' | 'close'>) {}

  links(): LinkEntry[] {
    const replies = this.socket.request(
      RTM_GETLINK,
      NLM_F_DUMP,
      encodeLinkRequest(undefined),
      'listing interfaces',
    );
    return replies.flatMap((reply) => {
      const link = decodeLink(reply.body);
      return link === undefined ? [] : [{ interfaceIndex: link.interfaceIndex, name: link.name }];
    });
  }

  addresses(): AddressEntry[] {
    const links = this.links();
    const found = [4, 6].flatMap((family) =>
      this.socket
        .request(
          RTM_GETADDR,
          NLM_F_DUMP,
          encodeAddressDump(family === 4 ? 4 : 6, 0),
          `listing IPv${family} addresses`,
        )
        .flatMap((reply) => {
          const address = decodeAddress(reply.body);
          // Old kernels ignore the family filter; check it here too.
          return address?.family === family ? [address] : [];
        }),
    );
    return links.flatMap((link) =>
      found
        .filter((a) => a.interfaceIndex === link.interfaceIndex)
        .map((a) => ({
          interface: link.name,
          family: a.family,
          address: a.address,
          prefixLength: a.prefixLength,
          scope: a.scope,
          label: a.label,
        })),
    );
  }

  add(address: PlainAddress): void {
    this.socket.request(
      RTM_NEWADDR,
      NLM_F_CREATE | NLM_F_EXCL,
      encodeAddressRequest({
        family: address.family,
        address: address.address,
        prefixLength: address.prefixLength,
        interfaceIndex: this.interfaceIndex(address.interface),
        ...(address.scope === undefined ? {} : { scope: SCOPE_VALUES[address.scope] }),
        ...(address.label === undefined ? {} : { label: address.label }),
      }),
      `adding ${describe(address)}`,
    );
  }

  remove(address: PlainAddress): void {
    this.socket.request(
      RTM_DELADDR,
      0,
      encodeAddressRequest({
        family: address.family,
        address: address.address,
        prefixLength: address.prefixLength,
        interfaceIndex: this.interfaceIndex(address.interface),
      }),
      `removing ${describe(address)}`,
    );
  }

  close(): void {
    this.socket.close();
  }

  private interfaceIndex(name: string): number {
    return lookUpInterfaceIndex(this.socket, name);
  }
}

function describe(address: PlainAddress): string {
  return `${address.address}/${address.prefixLength} on ${address.interface}`;
}
