// A NETLINK_ROUTE socket used synchronously: rtnetlink handles a request inside sendto(), so
// the answer is already queued when sendto returns and one non-blocking read collects it.
// That keeps adding an address on the takeover path free of a child process and of an
// event-loop hop (what it costs: docs/benchmarks.md, bench:arp). A short poll() covers the
// case where the kernel has not answered yet.
import { ArpError, PrivilegeError } from '../errors.js';
import {
  AF_NETLINK,
  MSG_DONTWAIT,
  MSG_TRUNC,
  NETLINK_CAP_ACK,
  NETLINK_EXT_ACK,
  NETLINK_GET_STRICT_CHK,
  NETLINK_ROUTE,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOL_NETLINK,
  errnoName,
  failure,
  lastErrno,
  setIntOption,
  sys,
  waitReadable,
} from '../sys/libc.js';
import { inNetns } from '../sys/netns.js';
import {
  NLMSG_DONE,
  NLMSG_ERROR,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  decodeAck,
  decodeMessages,
  encodeMessage,
  type NetlinkMessage,
} from './message.js';

// struct sockaddr_nl, 12 bytes: 0 family u16 | 2 pad | 4 port u32 | 8 groups u32
const SOCKADDR_NL_BYTES = 12;
const RECEIVE_BUFFER_BYTES = 64 * 1024;
const REPLY_TIMEOUT_MS = 1000;

/** A kernel refusal, with errno ("EEXIST") and the kernel's own explanation if any. */
export class NetlinkRequestError extends ArpError {
  override readonly name = 'NetlinkRequestError';
}

export interface RouteSocketOptions {
  readonly netns?: string;
  /** RTMGRP_* bit mask of notifications to subscribe to (0: requests only). */
  readonly groups?: number;
}

export class RouteSocket {
  private fd: number;
  private sequence = Math.floor(Math.random() * 0x7fff_ffff);
  private readonly receiveBuffer = Buffer.alloc(RECEIVE_BUFFER_BYTES);

  private constructor(fd: number) {
    this.fd = fd;
  }

  static open(options: RouteSocketOptions = {}): RouteSocket {
    const fd = inNetns(options.netns, () => {
      const fd = sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
      if (fd < 0) throw failure('socket(AF_NETLINK)', undefined);
      const local = Buffer.alloc(SOCKADDR_NL_BYTES);
      local.writeUInt16LE(AF_NETLINK, 0);
      local.writeUInt32LE(options.groups ?? 0, 8);
      if (sys.bind(fd, local, SOCKADDR_NL_BYTES) !== 0) {
        const error = failure('bind(AF_NETLINK)', undefined);
        sys.close(fd);
        throw error;
      }
      return fd;
    });
    // Best effort: explanations in errors, short acks, and kernel-side dump filtering (4.20+).
    setIntOption(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    setIntOption(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
    setIntOption(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
    return new RouteSocket(fd);
  }

  get descriptor(): number {
    return this.fd;
  }

  /**
   * Sends one request and returns every reply message up to the ack (or NLMSG_DONE for a
   * dump). A negative ack throws NetlinkRequestError; EPERM becomes a PrivilegeError.
   */
  request(type: number, flags: number, body: Buffer, what: string): NetlinkMessage[] {
    this.assertOpen();
    this.sequence = (this.sequence + 1) >>> 0;
    const sequence = this.sequence;
    const message = encodeMessage(type, flags | NLM_F_REQUEST | NLM_F_ACK, sequence, body);
    const kernel = Buffer.alloc(SOCKADDR_NL_BYTES);
    kernel.writeUInt16LE(AF_NETLINK, 0);
    if (sys.sendto(this.fd, message, message.length, 0, kernel, SOCKADDR_NL_BYTES) < 0) {
      throw failure('sendto(AF_NETLINK)', 'CAP_NET_ADMIN', ` for ${what}`);
    }
    const dump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
    const replies: NetlinkMessage[] = [];
    for (;;) {
      for (const reply of this.receive(what)) {
        if (reply.sequence !== sequence) continue; // a late answer to an earlier request
        if (reply.type === NLMSG_ERROR) {
          const ack = decodeAck(reply);
          if (ack.error === 0) return replies;
          throw refusal(-ack.error, what, ack.explanation);
        }
        if (reply.type === NLMSG_DONE && dump) return replies;
        replies.push(reply);
      }
    }
  }

  /** Whatever notifications are queued now (subscription sockets); never blocks. */
  readQueued(): NetlinkMessage[] {
    this.assertOpen();
    const messages: NetlinkMessage[] = [];
    for (;;) {
      const received = sys.recvfrom(
        this.fd,
        this.receiveBuffer,
        this.receiveBuffer.length,
        MSG_DONTWAIT,
        null,
        null,
      );
      if (received < 0) {
        const name = lastErrno();
        if (name === 'EAGAIN' || name === 'EINTR') return messages;
        // ENOBUFS: the kernel dropped notifications; the caller must re-read the state.
        throw new ArpError('SYSCALL_FAILED', `recv on netlink socket failed: ${name}`, name);
      }
      messages.push(...decodeMessages(Buffer.from(this.receiveBuffer.subarray(0, received))));
    }
  }

  close(): void {
    if (this.fd < 0) return;
    sys.close(this.fd);
    this.fd = -1;
  }

  private receive(what: string): NetlinkMessage[] {
    for (;;) {
      const received = sys.recvfrom(
        this.fd,
        this.receiveBuffer,
        this.receiveBuffer.length,
        MSG_DONTWAIT | MSG_TRUNC,
        null,
        null,
      );
      if (received >= 0) {
        if (received > this.receiveBuffer.length) {
          throw new ArpError(
            'NETLINK_BAD_MESSAGE',
            `netlink reply of ${received} bytes for ${what} was truncated`,
          );
        }
        return decodeMessages(Buffer.from(this.receiveBuffer.subarray(0, received)));
      }
      const name = lastErrno();
      if (name === 'EINTR') continue;
      if (name !== 'EAGAIN')
        throw new ArpError('SYSCALL_FAILED', `recv for ${what} failed: ${name}`, name);
      if (!waitReadable(this.fd, REPLY_TIMEOUT_MS)) {
        throw new ArpError(
          'NETLINK_NO_REPLY',
          `the kernel did not answer ${what} within ${REPLY_TIMEOUT_MS} ms`,
        );
      }
    }
  }

  private assertOpen(): void {
    if (this.fd < 0) throw new ArpError('SOCKET_CLOSED', 'netlink socket is closed');
  }
}

function refusal(code: number, what: string, explanation: string | undefined): ArpError {
  const name = errnoName(code);
  if (name === 'EPERM' || name === 'EACCES') return new PrivilegeError('CAP_NET_ADMIN', what, name);
  return new NetlinkRequestError(
    'SYSCALL_FAILED',
    `${what}: ${name}${explanation === undefined ? '' : ` (${explanation})`}`,
    name,
  );
}
