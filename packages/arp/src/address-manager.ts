// VIPs on interfaces through rtnetlink, marked with IFA_PROTO so vipd can tell its own
// addresses from an operator's, find ones a crashed predecessor left behind, and never
// remove anything it did not add. Netlink rather than `ip`: an `ip addr add` costs a
// fork+exec (milliseconds) where a netlink request costs tens of microseconds, and this sits
// between "become master" and the first gratuitous ARP.
import { ArpError } from './errors.js';
import {
  IFA_F_NODAD,
  RTM_DELADDR,
  RTM_GETADDR,
  RTM_NEWADDR,
  SCOPE_VALUES,
  decodeAddress,
  encodeAddressDump,
  encodeAddressRequest,
  type InterfaceAddress,
} from './netlink/address.js';
import { RTM_GETLINK, decodeLink, encodeLinkRequest } from './netlink/link.js';
import { NLM_F_CREATE, NLM_F_DUMP, NLM_F_ECHO, NLM_F_EXCL } from './netlink/message.js';
import { NetlinkRequestError, RouteSocket } from './netlink/route-socket.js';
import type { AddressManager, Vip, VipScope } from './types.js';
import { checkVip, type CheckedVip } from './vip.js';

/** IFA_PROTO value marking vipd's addresses: 0x56, "V". `ip -d addr` (iproute2 6.3+) shows it. */
export const VIPD_ADDRESS_PROTOCOL = 0x56;

export type AddOutcome = 'added' | 'already-managed' | 'present-unmanaged';
export type RemoveOutcome = 'removed' | 'absent' | 'left-unmanaged';

export interface AddressManagerOptions {
  /** Named network namespace (`ip netns`) to manage addresses in; default: the current one. */
  readonly netns?: string;
  /** IFA_PROTO value that marks managed addresses (1..255, not 1-3 which the kernel uses). */
  readonly addressProtocol?: number;
}

export interface NetlinkAddressManager extends AddressManager {
  /**
   * add() without the promise, for the takeover path (netlink answers synchronously), and
   * saying what it found. "present-unmanaged": someone else put the address there; it stays
   * theirs and vipd will never remove it.
   */
  addNow(vip: Vip): AddOutcome;
  /** remove() likewise; "left-unmanaged": present but not added by vipd, so left in place. */
  removeNow(vip: Vip): RemoveOutcome;
  listManagedNow(): Vip[];
  close(): void;
}

const SCOPE_NAMES = new Map<number, VipScope>(
  Object.entries(SCOPE_VALUES).map(([name, value]) => [value, name as VipScope]),
);

export function createAddressManager(options: AddressManagerOptions = {}): NetlinkAddressManager {
  const protocol = options.addressProtocol ?? VIPD_ADDRESS_PROTOCOL;
  if (!Number.isInteger(protocol) || protocol < 4 || protocol > 255) {
    throw new ArpError(
      'INVALID_VIP',
      `address protocol ${protocol} must be 4..255 (0-3 are the kernel's)`,
    );
  }
  return new NetlinkAddresses(
    RouteSocket.open(options.netns === undefined ? {} : { netns: options.netns }),
    protocol,
  );
}

class NetlinkAddresses implements NetlinkAddressManager {
  private readonly interfaceIndexes = new Map<string, number>();

  constructor(
    private readonly socket: RouteSocket,
    private readonly protocol: number,
  ) {}

  add(vip: Vip): Promise<void> {
    return settle(() => {
      this.addNow(vip);
    });
  }

  remove(vip: Vip): Promise<void> {
    return settle(() => {
      this.removeNow(vip);
    });
  }

  listManaged(): Promise<readonly Vip[]> {
    return settle(() => this.listManagedNow());
  }

  addNow(vip: Vip): AddOutcome {
    const checked = checkVip(vip);
    return this.withInterface(checked, (interfaceIndex) => {
      const what = `adding ${describe(checked)}`;
      let echoed: InterfaceAddress | undefined;
      try {
        // ECHO makes the kernel send the created IPv4 address back: verification for free.
        const replies = this.socket.request(
          RTM_NEWADDR,
          NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO,
          encodeAddressRequest({
            family: checked.family,
            address: checked.address,
            prefixLength: checked.prefixLength,
            interfaceIndex,
            scope: SCOPE_VALUES[checked.scope],
            flags: checked.family === 6 ? IFA_F_NODAD : 0,
            ...(checked.label === undefined ? {} : { label: checked.label }),
            protocol: this.protocol,
          }),
          what,
        );
        echoed = replies
          .map((reply) => decodeAddress(reply.body))
          .find((a) => a?.address === checked.address);
      } catch (error) {
        if (!(error instanceof NetlinkRequestError && error.errno === 'EEXIST')) throw error;
        const existing = this.lookup(checked, interfaceIndex);
        if (existing === undefined) throw error; // removed again in between; let the caller retry
        return existing.protocol === this.protocol ? 'already-managed' : 'present-unmanaged';
      }
      const present = echoed ?? this.lookup(checked, interfaceIndex);
      if (present?.protocol !== this.protocol || present.prefixLength !== checked.prefixLength) {
        throw new ArpError(
          'ADDRESS_VERIFY_FAILED',
          present === undefined
            ? `${describe(checked)} is not on the interface after the kernel acknowledged adding it`
            : `${describe(checked)} came back with prefix /${present.prefixLength} and protocol ` +
                `${present.protocol}, not ${this.protocol} (IFA_PROTO needs Linux 5.18+)`,
        );
      }
      return 'added';
    });
  }

  removeNow(vip: Vip): RemoveOutcome {
    const checked = checkVip(vip);
    let interfaceIndex: number;
    try {
      interfaceIndex = this.interfaceIndex(checked.interface);
    } catch (error) {
      // No interface, no address: removal is already done.
      if (error instanceof ArpError && error.code === 'INTERFACE_NOT_FOUND') return 'absent';
      throw error;
    }
    const existing = this.lookup(checked, interfaceIndex);
    if (existing === undefined) return 'absent';
    if (existing.protocol !== this.protocol) return 'left-unmanaged';
    try {
      this.socket.request(
        RTM_DELADDR,
        0,
        encodeAddressRequest({
          family: checked.family,
          address: checked.address,
          prefixLength: existing.prefixLength,
          interfaceIndex,
        }),
        `removing ${describe(checked)}`,
      );
    } catch (error) {
      if (error instanceof NetlinkRequestError && error.errno === 'EADDRNOTAVAIL') return 'absent';
      throw error;
    }
    return 'removed';
  }

  listManagedNow(): Vip[] {
    const names = new Map<number, string>();
    for (const reply of this.socket.request(
      RTM_GETLINK,
      NLM_F_DUMP,
      encodeLinkRequest(undefined),
      'listing interfaces',
    )) {
      const link = decodeLink(reply.body);
      if (link !== undefined) names.set(link.interfaceIndex, link.name);
    }
    const managed: Vip[] = [];
    for (const family of [4, 6] as const) {
      for (const address of this.dump(family, 0)) {
        const name = names.get(address.interfaceIndex);
        if (address.protocol !== this.protocol || name === undefined) continue;
        const scope = SCOPE_NAMES.get(address.scope) ?? 'global';
        managed.push({
          address: address.address,
          prefixLength: address.prefixLength,
          interface: name,
          ...(address.label !== undefined && address.label !== name
            ? { label: address.label }
            : {}),
          ...(scope === 'global' ? {} : { scope }),
        });
      }
    }
    return managed;
  }

  close(): void {
    this.socket.close();
  }

  /** The address as the kernel has it on that interface, whatever its prefix. */
  private lookup(vip: CheckedVip, interfaceIndex: number): InterfaceAddress | undefined {
    if (vip.family === 4) {
      // IPv4 has no single-address RTM_GETADDR; the kernel filters the dump by interface.
      return this.dump(4, interfaceIndex).find((a) => a.address === vip.address);
    }
    try {
      const replies = this.socket.request(
        RTM_GETADDR,
        0,
        encodeAddressRequest({ family: 6, address: vip.address, prefixLength: 0, interfaceIndex }),
        `looking up ${describe(vip)}`,
      );
      return replies
        .map((reply) => decodeAddress(reply.body))
        .find((a) => a?.address === vip.address);
    } catch (error) {
      if (
        error instanceof NetlinkRequestError &&
        (error.errno === 'EADDRNOTAVAIL' || error.errno === 'ENOENT')
      ) {
        return undefined;
      }
      throw error;
    }
  }

  private dump(family: 4 | 6, interfaceIndex: number): InterfaceAddress[] {
    const replies = this.socket.request(
      RTM_GETADDR,
      NLM_F_DUMP,
      encodeAddressDump(family, interfaceIndex),
      `listing IPv${family} addresses`,
    );
    const addresses: InterfaceAddress[] = [];
    for (const reply of replies) {
      const address = decodeAddress(reply.body);
      // Old kernels ignore the filter; check it here too.
      if (address === undefined || address.family !== family) continue;
      if (interfaceIndex !== 0 && address.interfaceIndex !== interfaceIndex) continue;
      addresses.push(address);
    }
    return addresses;
  }

  /** Runs `action` with the interface's index, re-resolving once if the cached one went stale. */
  private withInterface<T>(vip: CheckedVip, action: (interfaceIndex: number) => T): T {
    const cached = this.interfaceIndexes.get(vip.interface);
    try {
      return action(this.interfaceIndex(vip.interface));
    } catch (error) {
      const stale =
        error instanceof NetlinkRequestError && error.errno === 'ENODEV' && cached !== undefined;
      if (!stale) throw error;
      this.interfaceIndexes.delete(vip.interface);
      return action(this.interfaceIndex(vip.interface));
    }
  }

  private interfaceIndex(name: string): number {
    const cached = this.interfaceIndexes.get(name);
    if (cached !== undefined) return cached;
    let replies;
    try {
      replies = this.socket.request(
        RTM_GETLINK,
        0,
        encodeLinkRequest(name),
        `looking up interface ${name}`,
      );
    } catch (error) {
      if (error instanceof NetlinkRequestError && error.errno === 'ENODEV') {
        throw new ArpError('INTERFACE_NOT_FOUND', `no interface "${name}"`);
      }
      throw error;
    }
    const link = replies.map((reply) => decodeLink(reply.body)).find((l) => l?.name === name);
    if (link === undefined) throw new ArpError('INTERFACE_NOT_FOUND', `no interface "${name}"`);
    this.interfaceIndexes.set(name, link.interfaceIndex);
    return link.interfaceIndex;
  }
}

function describe(vip: CheckedVip): string {
  return `${vip.address}/${vip.prefixLength} on ${vip.interface}`;
}

function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
