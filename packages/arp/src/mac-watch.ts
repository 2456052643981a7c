// Tells the daemon when a watched interface's MAC changes, so a master re-announces its VIPs
// at once (hosts would otherwise keep sending to the old MAC until their entries expire).
// It subscribes to rtnetlink link notifications (RTMGRP_LINK) rather than polling
// /sys/class/net/IF/address: the kernel pushes RTM_NEWLINK the moment the address changes,
// nothing runs while nothing changes, and a netlink socket opened in a namespace sees that
// namespace's links, which sysfs does not unless it is remounted there.
import { ArpError } from './errors.js';
import { RTM_DELLINK, RTM_GETLINK, RTM_NEWLINK, RTMGRP_LINK, decodeLink } from './netlink/link.js';
import { encodeLinkRequest } from './netlink/link.js';
import { NetlinkRequestError, RouteSocket } from './netlink/route-socket.js';
import { watchReadable, type FdWatch } from './sys/libc.js';
import type { MacAddress, MacChangeEvent } from './types.js';

export interface MacWatchOptions {
  readonly onChange: (event: MacChangeEvent) => void;
  /**
   * Every link notification the kernel pushes (flags, carrier, address, for any interface,
   * watched or not), for callers that re-read link state at once rather than polling for
   * it; `null` when notifications were lost and any interface may have changed.
   */
  readonly onLinkNotification?: (interfaceName: string | null) => void;
  readonly onError?: (error: ArpError) => void;
  /** Named network namespace of the interfaces. */
  readonly netns?: string;
}

export interface MacWatch {
  /** Starts watching; returns the interface's MAC now (undefined if it has none yet). */
  watch(interfaceName: string): MacAddress | undefined;
  unwatch(interfaceName: string): void;
  /** Last MAC seen for a watched interface. */
  current(interfaceName: string): MacAddress | undefined;
  close(): void;
}

export function createMacWatch(options: MacWatchOptions): MacWatch {
  const netns = options.netns === undefined ? {} : { netns: options.netns };
  // Two sockets: notifications and request replies would otherwise interleave on one.
  const notifications = RouteSocket.open({ ...netns, groups: RTMGRP_LINK });
  let requests: RouteSocket;
  try {
    requests = RouteSocket.open(netns);
  } catch (error) {
    notifications.close();
    throw error;
  }
  return new LinkMacWatch(notifications, requests, options);
}

class LinkMacWatch implements MacWatch {
  /** Interface name -> last MAC seen (undefined: none / interface absent). */
  private readonly macs = new Map<string, MacAddress | undefined>();
  private readonly poll: FdWatch;
  private closed = false;

  constructor(
    private readonly notifications: RouteSocket,
    private readonly requests: RouteSocket,
    private readonly options: MacWatchOptions,
  ) {
    this.poll = watchReadable(
      notifications.descriptor,
      () => {
        this.drain();
      },
      (status) => {
        this.report(
          new ArpError('SYSCALL_FAILED', `poll on the link notification socket: status ${status}`),
        );
      },
    );
  }

  watch(interfaceName: string): MacAddress | undefined {
    if (this.closed) throw new ArpError('SOCKET_CLOSED', 'MAC watch is closed');
    const mac = this.ask(interfaceName);
    this.macs.set(interfaceName, mac);
    return mac;
  }

  unwatch(interfaceName: string): void {
    this.macs.delete(interfaceName);
  }

  current(interfaceName: string): MacAddress | undefined {
    return this.macs.get(interfaceName);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.poll.close();
    this.notifications.close();
    this.requests.close();
    this.macs.clear();
  }

  private drain(): void {
    if (this.closed) return;
    let messages;
    try {
      messages = this.notifications.readQueued();
    } catch (error) {
      if (error instanceof ArpError && error.errno === 'ENOBUFS') {
        // The kernel dropped notifications we were too slow to read: re-ask for every MAC.
        this.resynchronize();
        this.options.onLinkNotification?.(null);
        return;
      }
      this.report(
        error instanceof ArpError ? error : new ArpError('SYSCALL_FAILED', String(error)),
      );
      return;
    }
    for (const message of messages) {
      if (message.type !== RTM_NEWLINK && message.type !== RTM_DELLINK) continue;
      const link = decodeLink(message.body);
      if (link === undefined) continue;
      if (link.name !== '') this.options.onLinkNotification?.(link.name);
      if (message.type === RTM_NEWLINK && link.mac !== undefined) this.update(link.name, link.mac);
    }
  }

  private resynchronize(): void {
    for (const name of [...this.macs.keys()]) {
      try {
        const mac = this.ask(name);
        if (mac !== undefined) this.update(name, mac);
      } catch (error) {
        this.report(
          error instanceof ArpError ? error : new ArpError('SYSCALL_FAILED', String(error)),
        );
      }
    }
  }

  private update(name: string, mac: MacAddress): void {
    if (!this.macs.has(name)) return;
    const old = this.macs.get(name);
    if (old === mac) return;
    this.macs.set(name, mac);
    // First sighting (the interface appeared after watch()) is not a change.
    if (old !== undefined) this.options.onChange({ interface: name, oldMac: old, newMac: mac });
  }

  private ask(name: string): MacAddress | undefined {
    try {
      const replies = this.requests.request(
        RTM_GETLINK,
        0,
        encodeLinkRequest(name),
        `looking up interface ${name}`,
      );
      return replies.map((reply) => decodeLink(reply.body)).find((link) => link?.name === name)
        ?.mac;
    } catch (error) {
      if (error instanceof NetlinkRequestError && error.errno === 'ENODEV') return undefined;
      throw error;
    }
  }

  private report(error: ArpError): void {
    this.options.onError?.(error);
  }
}
