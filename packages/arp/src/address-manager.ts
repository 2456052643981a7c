// VIPs on interfaces through rtnetlink, marked with IFA_PROTO so vipd can tell its own
// addresses from an operator's, find ones a crashed predecessor left behind, and never
// remove anything it did not add. Netlink rather than `ip`: an `ip addr add` costs a
// fork+exec (milliseconds) where a netlink request costs tens of microseconds, and this sits
// between "become master" and the first gratuitous ARP.
import { release } from 'node:os';
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
import { lookUpInterfaceIndex } from './netlink/interface-index.js';
import { RTM_GETLINK, decodeLink, encodeLinkRequest } from './netlink/link.js';
import { NLM_F_CREATE, NLM_F_DUMP, NLM_F_ECHO, NLM_F_EXCL } from './netlink/message.js';
import type { NetlinkMessage } from './netlink/message.js';
import { NetlinkRequestError, RouteSocket } from './netlink/route-socket.js';
import type { AddressManager, Vip, VipScope } from './types.js';
import { checkVip, type CheckedVip } from './vip.js';

/** IFA_PROTO value marking vipd's addresses: 0x56, "V". `ip -d addr` (iproute2 6.3+) shows it. */
export const VIPD_ADDRESS_PROTOCOL = 0x56;

/**
 * What checkMarking() adds and removes again: loopback exists in every namespace, 127.0.0.0/8
 * is local there already (so the /32 changes where nothing is routed), and Linux never
 * answers ARP for a loopback address, so the probe is never visible on a LAN.
 */
export const MARKING_PROBE_VIP: Vip = { address: '127.86.68.1', prefixLength: 32, interface: 'lo' };

/** The part of a NETLINK_ROUTE socket the address manager uses. */
export type RouteRequests = Pick<RouteSocket, 'request' | 'close'>;

export type AddOutcome = 'added' | 'already-managed' | 'present-unmanaged';
export type RemoveOutcome = 'removed' | 'absent' | 'left-unmanaged';

export interface AddressManagerOptions {
  /** Named network namespace (`ip netns`) to manage addresses in; default: the current one. */
  readonly netns?: string;
  /** IFA_PROTO value that marks managed addresses (1..255, not 1-3 which the kernel uses). */
  readonly addressProtocol?: number;
  /**
   * Wraps the netlink socket: a test seam, e.g. to act like a kernel older than 5.18
   * (@vipd/arp/testing: withoutAddressProtocol) or one that fails a request after the add.
   */
  readonly socketLayer?: (socket: RouteRequests) => RouteRequests;
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
  /**
   * Adds MARKING_PROBE_VIP (or `probe`) with the mark, reads it back and removes it again:
   * throws ADDRESS_MARK_UNSUPPORTED when the kernel does not keep IFA_PROTO (before Linux
   * 5.18), having left nothing behind. Without the mark vipd cannot tell its addresses from
   * an operator's, so the daemon runs this before it touches any address.
   */
  checkMarking(probe?: Vip): void;
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
  const socket = RouteSocket.open(options.netns === undefined ? {} : { netns: options.netns });
  return new NetlinkAddresses(options.socketLayer?.(socket) ?? socket, protocol);
}

class NetlinkAddresses implements NetlinkAddressManager {
  private readonly interfaceIndexes = new Map<string, number>();

  constructor(
    private readonly socket: RouteRequests,
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
      let replies: NetlinkMessage[];
      try {
        // ECHO makes the kernel send the created IPv4 address back: verification for free.
        replies = this.socket.request(
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
          `adding ${describe(checked)}`,
        );
      } catch (error) {
        if (!(error instanceof NetlinkRequestError && error.errno === 'EEXIST')) throw error;
        const existing = this.lookup(checked, interfaceIndex);
        if (existing === undefined) throw error; // removed again in between; let the caller retry
        return existing.protocol === this.protocol ? 'already-managed' : 'present-unmanaged';
      }
      // NLM_F_EXCL succeeded, so this request created the address. Whatever fails from here
      // on takes it off again: left behind unverified (or unmarked) it could never be told
      // from an operator's, and a retry would take it for one.
      try {
        const echoed = replies
          .map((reply) => decodeAddress(reply.body))
          .find((a) => a?.address === checked.address);
        this.verifyAdded(checked, echoed ?? this.lookup(checked, interfaceIndex));
      } catch (error) {
        throw this.undoAdd(checked, interfaceIndex, error);
      }
      return 'added';
    });
  }

  checkMarking(probe: Vip = MARKING_PROBE_VIP): void {
    const outcome = this.addNow(probe);
    if (outcome === 'present-unmanaged') {
      throw new ArpError(
        'ADDRESS_VERIFY_FAILED',
        `cannot check that the kernel keeps vipd's address mark: ${describe(checkVip(probe))} ` +
          'is already there and vipd did not add it; remove it and start again',
      );
    }
    // 'already-managed': a probe a killed predecessor left; it came back marked all the same.
    this.removeNow(probe);
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

  private verifyAdded(vip: CheckedVip, present: InterfaceAddress | undefined): void {
    if (present === undefined) {
      throw new ArpError(
        'ADDRESS_VERIFY_FAILED',
        `${describe(vip)} is not on the interface after the kernel acknowledged adding it`,
      );
    }
    if (present.protocol === 0) {
      throw new ArpError(
        'ADDRESS_MARK_UNSUPPORTED',
        `${describe(vip)} came back without vipd's IFA_PROTO mark: this kernel (${release()}) ` +
          'does not keep it, and without it vipd cannot tell its addresses from anyone ' +
          "else's; Linux 5.18 or newer is needed",
      );
    }
    if (present.protocol !== this.protocol || present.prefixLength !== vip.prefixLength) {
      throw new ArpError(
        'ADDRESS_VERIFY_FAILED',
        `${describe(vip)} came back with prefix /${present.prefixLength} and protocol ` +
          `${present.protocol}, not ${this.protocol}`,
      );
    }
  }

  /**
   * Removes the address this add created, and returns the error to throw: `cause`, or one
   * that also says the address may still be there if removing it failed too.
   */
  private undoAdd(vip: CheckedVip, interfaceIndex: number, cause: unknown): Error {
    const error = cause instanceof Error ? cause : new Error(String(cause));
    try {
      this.socket.request(
        RTM_DELADDR,
        0,
        encodeAddressRequest({
          family: vip.family,
          address: vip.address,
          prefixLength: vip.prefixLength,
          interfaceIndex,
        }),
        `removing ${describe(vip)} again`,
      );
      return error;
    } catch (undoError) {
      // Gone already (with its interface, say): nothing is left behind.
      if (
        undoError instanceof NetlinkRequestError &&
        (undoError.errno === 'EADDRNOTAVAIL' || undoError.errno === 'ENODEV')
      ) {
        return error;
      }
      return new ArpError(
        error instanceof ArpError ? error.code : 'ADDRESS_VERIFY_FAILED',
        `${error.message}; removing it again failed too (${(undoError as Error).message}), ` +
          `so it may still be on ${vip.interface}`,
        error instanceof ArpError ? error.errno : undefined,
      );
    }
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
    const index = lookUpInterfaceIndex(this.socket, name);
    this.interfaceIndexes.set(name, index);
    return index;
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
