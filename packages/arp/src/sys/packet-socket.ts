// An AF_PACKET socket bound to one interface: sends whole Ethernet frames (the codec builds
// them), and, when asked, receives ARP and neighbour discovery frames on the event loop
// through libuv's poll (epoll) — no thread, no busy loop, no spawned arping.
import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';
import { ArpError } from '../errors.js';
import { readMac } from '../codec/address-text.js';
import { isInterfaceName } from '../interface-name.js';
import type { MacAddress } from '../types.js';
import { ARP_AND_NEIGHBOR_DISCOVERY } from './bpf.js';
import {
  AF_PACKET,
  ETH_P_ALL,
  MSG_DONTWAIT,
  MSG_TRUNC,
  PACKET_IGNORE_OUTGOING,
  SIOCGSTAMPNS,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_PACKET,
  SOL_SOCKET,
  SO_RCVBUF,
  SO_RCVBUFFORCE,
  SO_ATTACH_FILTER,
  failure,
  lastErrno,
  setIntOption,
  sys,
  watchReadable,
  type FdWatch,
  type SockFilter,
  type Timespec,
} from './libc.js';
import { inNetns } from './netns.js';

// struct sockaddr_ll, 20 bytes:
//   0 family u16 | 2 protocol u16 (network order) | 4 ifindex i32 | 8 hatype u16
//  10 pkttype u8 | 11 halen u8 | 12 addr[8]
const SOCKADDR_LL_BYTES = 20;
const OFFSET_LL_FAMILY = 0;
const OFFSET_LL_PROTOCOL = 2;
const OFFSET_LL_IFINDEX = 4;
const OFFSET_LL_PKTTYPE = 10;
const OFFSET_LL_HALEN = 11;
const OFFSET_LL_ADDR = 12;

/** Frames read per readiness callback before yielding back to the event loop. */
const MAX_FRAMES_PER_WAKE = 64;
/**
 * After a poll error, how long before watching the socket again. The kernel raises one
 * error per event (link down, device gone) and the read that follows clears it, so this
 * only bounds the rate should an interface flap without pause.
 */
const REARM_AFTER_ERROR_MS = 100;
const RECEIVE_BUFFER_BYTES = 2048;

export type PacketDirection = 'host' | 'broadcast' | 'multicast' | 'otherhost' | 'outgoing';
const DIRECTIONS: readonly PacketDirection[] = [
  'host',
  'broadcast',
  'multicast',
  'otherhost',
  'outgoing',
];

export interface ReceivedFrame {
  readonly bytes: Buffer;
  readonly direction: PacketDirection;
  /** Kernel receive time, CLOCK_REALTIME nanoseconds; only with `timestamps: true`. */
  readonly receivedAtNs?: bigint;
}

export interface PacketSocketOptions {
  /** Named network namespace (`ip netns`) the interface lives in; default: the current one. */
  readonly netns?: string;
  /** Deliver received ARP and ICMPv6 NS/NA frames here; without it the socket only sends. */
  readonly onFrame?: (frame: ReceivedFrame) => void;
  /** The kernel filter of a receiving socket; default: ARP and neighbour discovery. */
  readonly filter?: readonly SockFilter[];
  /** Receive failures after open (the socket keeps running). */
  readonly onError?: (error: ArpError) => void;
  /** Read the kernel's receive timestamp for each frame (benchmarks). */
  readonly timestamps?: boolean;
  /** Kernel receive buffer; raise it where bursts of announcements must not be dropped. */
  readonly receiveBufferBytes?: number;
  /** Times the pause before a receiving socket watches again after an error. */
  readonly clock?: Clock;
}

export interface PacketSocket {
  readonly interface: string;
  readonly interfaceIndex: number;
  /** The interface's current MAC, asked of the kernel on every call (it can change). */
  macAddress(): MacAddress;
  /**
   * Sends one Ethernet frame. Returns false when the socket's send buffer is full
   * (EAGAIN/ENOBUFS) so the caller can retry later; throws on any other failure.
   */
  send(frame: Uint8Array): boolean;
  close(): void;
}

export function openPacketSocket(
  interfaceName: string,
  options: PacketSocketOptions = {},
): PacketSocket {
  if (!isInterfaceName(interfaceName)) {
    throw new ArpError('INTERFACE_NOT_FOUND', `"${interfaceName}" is not a valid interface name`);
  }
  const receiving = options.onFrame !== undefined;
  const { fd, interfaceIndex } = inNetns(options.netns, () => {
    // Protocol 0 receives nothing until bind, so the filter is in place before any frame.
    const fd = sys.socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) throw failure('socket(AF_PACKET, SOCK_RAW)', 'CAP_NET_RAW');
    try {
      const interfaceIndex = sys.ifNameToIndex(interfaceName);
      if (interfaceIndex === 0) {
        throw new ArpError(
          'INTERFACE_NOT_FOUND',
          `no interface "${interfaceName}"${options.netns === undefined ? '' : ` in network namespace "${options.netns}"`}`,
        );
      }
      if (receiving) prepareReceive(fd, options);
      const address = linkAddress(receiving ? ETH_P_ALL : 0, interfaceIndex);
      if (sys.bind(fd, address, SOCKADDR_LL_BYTES) !== 0) {
        throw failure('bind(AF_PACKET)', 'CAP_NET_RAW', ` to ${interfaceName}`);
      }
      return { fd, interfaceIndex };
    } catch (error) {
      sys.close(fd);
      throw error;
    }
  });
  return new BoundPacketSocket(interfaceName, interfaceIndex, fd, options);
}

function prepareReceive(fd: number, options: PacketSocketOptions): void {
  const { receiveBufferBytes, timestamps } = options;
  if (receiveBufferBytes !== undefined) {
    // FORCE passes net.core.rmem_max with CAP_NET_ADMIN; without it the capped size will do.
    if (setIntOption(fd, SOL_SOCKET, SO_RCVBUFFORCE, receiveBufferBytes) !== 0) {
      setIntOption(fd, SOL_SOCKET, SO_RCVBUF, receiveBufferBytes);
    }
  }
  const filter = options.filter ?? ARP_AND_NEIGHBOR_DISCOVERY;
  const program = { len: filter.length, filter };
  if (sys.setsockoptFilter(fd, SOL_SOCKET, SO_ATTACH_FILTER, program, 16) !== 0) {
    throw failure('setsockopt(SO_ATTACH_FILTER)', undefined);
  }
  // Our own announcements are not evidence of a conflict; the kernel can skip them (4.20+).
  setIntOption(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
  if (timestamps === true) {
    // The first SIOCGSTAMPNS switches receive timestamps on (and finds none yet). Not
    // SO_TIMESTAMPNS: that routes stamps into control messages, which recvfrom drops.
    sys.ioctlTimespec(fd, SIOCGSTAMPNS, { tv_sec: 0, tv_nsec: 0 });
  }
}

function linkAddress(protocol: number, interfaceIndex: number): Buffer {
  const address = Buffer.alloc(SOCKADDR_LL_BYTES);
  address.writeUInt16LE(AF_PACKET, OFFSET_LL_FAMILY);
  address.writeUInt16BE(protocol, OFFSET_LL_PROTOCOL);
  address.writeInt32LE(interfaceIndex, OFFSET_LL_IFINDEX);
  return address;
}

class BoundPacketSocket implements PacketSocket {
  private fd: number;
  private watch: FdWatch | undefined;
  private rearmTimer: TimerHandle | undefined;
  private readonly clock: Clock;
  private readonly destinationByEtherType = new Map<number, Buffer>();
  private readonly receiveBuffer = Buffer.alloc(RECEIVE_BUFFER_BYTES);
  private readonly peerAddress = Buffer.alloc(SOCKADDR_LL_BYTES);
  private readonly nameBuffer = Buffer.alloc(SOCKADDR_LL_BYTES);

  readonly interface: string;

  constructor(
    interfaceName: string,
    readonly interfaceIndex: number,
    fd: number,
    private readonly options: PacketSocketOptions,
  ) {
    this.interface = interfaceName;
    this.fd = fd;
    this.clock = options.clock ?? systemClock;
    if (options.onFrame !== undefined) this.watchFrames(options.onFrame);
  }

  private watchFrames(onFrame: (frame: ReceivedFrame) => void): void {
    this.watch = watchReadable(
      this.fd,
      () => {
        this.drain(onFrame);
      },
      (status) => {
        this.report(
          new ArpError(
            'SYSCALL_FAILED',
            `poll on packet socket for ${this.interface}: status ${status}; watching again`,
          ),
        );
        // The socket's pending error (ENETDOWN when the link went down) makes poll report
        // POLLERR, and libuv stops the watch for good. The socket itself still works once
        // the link is back: take the error off it with a read and watch it again, or this
        // interface's frames would go unread for the rest of the process's life.
        this.watch?.close();
        this.watch = undefined;
        this.rearmTimer = this.clock.setTimeout(() => {
          this.rearmTimer = undefined;
          if (this.fd < 0) return;
          this.drain(onFrame);
          this.watchFrames(onFrame);
        }, REARM_AFTER_ERROR_MS);
      },
    );
  }

  macAddress(): MacAddress {
    this.assertOpen();
    // getsockname on a bound packet socket reports the device's current address by ifindex,
    // so a rename or a namespace does not matter and a MAC change shows at once.
    const length = [SOCKADDR_LL_BYTES];
    if (sys.getsockname(this.fd, this.nameBuffer, length) !== 0) {
      throw failure('getsockname(AF_PACKET)', undefined, ` on ${this.interface}`);
    }
    if (this.nameBuffer[OFFSET_LL_HALEN] !== 6) {
      throw new ArpError(
        'INTERFACE_NOT_FOUND',
        `${this.interface} has no Ethernet address (is it gone?)`,
      );
    }
    return readMac(this.nameBuffer, OFFSET_LL_ADDR);
  }

  send(frame: Uint8Array): boolean {
    this.assertOpen();
    const sent = sys.sendto(
      this.fd,
      frame,
      frame.length,
      0,
      this.destination(frame),
      SOCKADDR_LL_BYTES,
    );
    if (sent >= 0) return true;
    const name = lastErrno();
    if (name === 'EAGAIN' || name === 'ENOBUFS') return false;
    throw new ArpError('SYSCALL_FAILED', `sendto on ${this.interface} failed: ${name}`, name);
  }

  private destination(frame: Uint8Array): Buffer {
    const etherType = ((frame[12] ?? 0) << 8) | (frame[13] ?? 0);
    let destination = this.destinationByEtherType.get(etherType);
    if (destination === undefined) {
      destination = linkAddress(etherType, this.interfaceIndex);
      this.destinationByEtherType.set(etherType, destination);
    }
    return destination;
  }

  close(): void {
    if (this.fd < 0) return;
    if (this.rearmTimer !== undefined) this.clock.clearTimeout(this.rearmTimer);
    this.watch?.close();
    sys.close(this.fd);
    this.fd = -1;
  }

  private drain(onFrame: (frame: ReceivedFrame) => void): void {
    for (let count = 0; count < MAX_FRAMES_PER_WAKE && this.fd >= 0; count++) {
      const length = [SOCKADDR_LL_BYTES];
      const received = sys.recvfrom(
        this.fd,
        this.receiveBuffer,
        this.receiveBuffer.length,
        MSG_DONTWAIT | MSG_TRUNC,
        this.peerAddress,
        length,
      );
      if (received < 0) {
        const name = lastErrno();
        if (name !== 'EAGAIN' && name !== 'EINTR') {
          this.report(
            new ArpError('SYSCALL_FAILED', `recvfrom on ${this.interface} failed: ${name}`, name),
          );
        }
        return;
      }
      if (received > this.receiveBuffer.length) continue; // jumbo frame; not ARP or NDP
      const direction = DIRECTIONS[this.peerAddress[OFFSET_LL_PKTTYPE] ?? 0] ?? 'otherhost';
      if (direction === 'outgoing') continue;
      const bytes = Buffer.from(this.receiveBuffer.subarray(0, received));
      const receivedAtNs = this.options.timestamps === true ? this.lastTimestamp() : undefined;
      try {
        onFrame(
          receivedAtNs === undefined ? { bytes, direction } : { bytes, direction, receivedAtNs },
        );
      } catch (error) {
        // A consumer bug must not escape into libuv's callback and take the daemon down.
        this.report(
          error instanceof ArpError
            ? error
            : new ArpError(
                'SYSCALL_FAILED',
                `frame handler on ${this.interface} threw: ${String(error)}`,
              ),
        );
      }
    }
  }

  private lastTimestamp(): bigint | undefined {
    const time: Timespec = { tv_sec: 0, tv_nsec: 0 };
    if (sys.ioctlTimespec(this.fd, SIOCGSTAMPNS, time) !== 0) return undefined;
    return BigInt(time.tv_sec) * 1_000_000_000n + BigInt(time.tv_nsec);
  }

  private report(error: ArpError): void {
    this.options.onError?.(error);
  }

  private assertOpen(): void {
    if (this.fd < 0)
      throw new ArpError('SOCKET_CLOSED', `packet socket on ${this.interface} is closed`);
  }
}
