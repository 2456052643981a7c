// The few libc calls the package needs, bound once through koffi (an FFI with prebuilt
// binaries, so no compiler at install time). Every wrapper returns the raw result; callers
// turn -1 into a typed error with `failure()`, which reads errno right after the call.
import koffi from 'koffi';
import { ArpError, PrivilegeError, type Capability } from '../errors.js';

const libc = koffi.load('libc.so.6');

export const AF_PACKET = 17;
export const AF_NETLINK = 16;
export const SOCK_RAW = 3;
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_NONBLOCK = 0o4000;
export const SOL_SOCKET = 1;
export const SOL_PACKET = 263;
export const SO_RCVBUF = 8;
export const SO_RCVBUFFORCE = 33;
export const SO_ATTACH_FILTER = 26;
export const PACKET_IGNORE_OUTGOING = 23;
export const MSG_DONTWAIT = 0x40;
export const MSG_TRUNC = 0x20;
export const SIOCGSTAMPNS = 0x8907;
export const CLONE_NEWNET = 0x40000000;
export const CLOCK_REALTIME = 0;
export const ETH_P_ALL = 0x0003;
export const NETLINK_ROUTE = 0;
export const SOL_NETLINK = 270;
export const NETLINK_CAP_ACK = 10;
export const NETLINK_EXT_ACK = 11;
export const NETLINK_GET_STRICT_CHK = 12;
export const POLLIN = 0x1;

const sockFilter = koffi.struct('vipd_sock_filter', {
  code: 'uint16_t',
  jt: 'uint8_t',
  jf: 'uint8_t',
  k: 'uint32_t',
});
koffi.struct('vipd_sock_fprog', { len: 'uint16_t', filter: koffi.pointer(sockFilter) });
koffi.struct('vipd_timespec', { tv_sec: 'int64_t', tv_nsec: 'int64_t' });

export interface SockFilter {
  readonly code: number;
  readonly jt: number;
  readonly jf: number;
  readonly k: number;
}

export interface Timespec {
  tv_sec: bigint | number;
  tv_nsec: bigint | number;
}

type Fn<A extends unknown[], R> = (...args: A) => R;

export const sys = {
  socket: libc.func('int socket(int domain, int type, int protocol)') as Fn<
    [number, number, number],
    number
  >,
  bind: libc.func('int bind(int fd, const void *addr, uint32_t len)') as Fn<
    [number, Buffer, number],
    number
  >,
  sendto: libc.func(
    'intptr_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)',
  ) as Fn<[number, Uint8Array, number, number, Buffer | null, number], number>,
  recvfrom: libc.func(
    'intptr_t recvfrom(int fd, void *buf, size_t len, int flags, void *addr, _Inout_ uint32_t *addrlen)',
  ) as Fn<[number, Buffer, number, number, Buffer | null, number[] | null], number>,
  getsockname: libc.func('int getsockname(int fd, void *addr, _Inout_ uint32_t *len)') as Fn<
    [number, Buffer, number[]],
    number
  >,
  setsockopt: libc.func(
    'int setsockopt(int fd, int level, int name, const void *value, uint32_t len)',
  ) as Fn<[number, number, number, Buffer, number], number>,
  setsockoptFilter: libc.func('setsockopt', 'int', [
    'int',
    'int',
    'int',
    koffi.pointer('vipd_sock_fprog'),
    'uint32_t',
  ]) as Fn<
    [number, number, number, { len: number; filter: readonly SockFilter[] }, number],
    number
  >,
  ioctlTimespec: libc.func('ioctl', 'int', [
    'int',
    'unsigned long',
    koffi.out(koffi.pointer('vipd_timespec')),
  ]) as Fn<[number, number, Timespec], number>,
  poll: libc.func('int poll(void *fds, unsigned long nfds, int timeout)') as Fn<
    [Buffer, number, number],
    number
  >,
  close: libc.func('int close(int fd)') as Fn<[number], number>,
  ifNameToIndex: libc.func('unsigned int if_nametoindex(const char *name)') as Fn<[string], number>,
  setns: libc.func('int setns(int fd, int nstype)') as Fn<[number, number], number>,
  clockGettime: libc.func('clock_gettime', 'int', [
    'int',
    koffi.out(koffi.pointer('vipd_timespec')),
  ]) as Fn<[number, Timespec], number>,
};

// Several names share a number on Linux (EWOULDBLOCK = EAGAIN, ENOTSUP = EOPNOTSUPP,
// EDEADLOCK = EDEADLK); callers compare against the POSIX spelling, so that one wins.
const PREFERRED_NAMES = ['EAGAIN', 'EOPNOTSUPP', 'EDEADLK'];
const errnoNames = new Map<number, string>(
  Object.entries(koffi.os.errno)
    .sort(([a], [b]) => Number(PREFERRED_NAMES.includes(a)) - Number(PREFERRED_NAMES.includes(b)))
    .map(([name, value]) => [value, name]),
);

/** errno of the call just made, by name ("EPERM"). */
export function lastErrno(): string {
  const code = koffi.errno();
  return errnoNames.get(code) ?? `errno ${code}`;
}

/**
 * The typed error for a failed call: EPERM/EACCES become a PrivilegeError naming the
 * capability the call needs; anything else SYSCALL_FAILED with the call and errno.
 */
export function failure(call: string, capability: Capability | undefined, detail = ''): ArpError {
  const name = lastErrno();
  if (capability !== undefined && (name === 'EPERM' || name === 'EACCES')) {
    return new PrivilegeError(capability, `${call}${detail}`, name);
  }
  return new ArpError('SYSCALL_FAILED', `${call}${detail} failed: ${name}`, name);
}

/** Watches a descriptor with libuv's poll (epoll on Linux): a callback per readiness, no threads. */
export interface FdWatch {
  close(): void;
  unref(): void;
}

export function watchReadable(
  fd: number,
  onReadable: () => void,
  onError: (status: number) => void,
): FdWatch {
  // koffi.node.poll wraps uv_poll_init_socket/uv_poll_start; the callback receives
  // (status, events) although koffi's typings only declare the events argument.
  const handle = koffi.node.poll(fd, { readable: true }, ((status: number) => {
    if (status < 0) onError(status);
    else onReadable();
  }) as unknown as (events: unknown) => void);
  return {
    close: () => {
      handle.close();
    },
    unref: () => {
      handle.unref();
    },
  };
}

/** CLOCK_REALTIME in nanoseconds, the clock packet receive timestamps use. */
export function realtimeNs(): bigint {
  const now: Timespec = { tv_sec: 0, tv_nsec: 0 };
  sys.clockGettime(CLOCK_REALTIME, now);
  return BigInt(now.tv_sec) * 1_000_000_000n + BigInt(now.tv_nsec);
}

/** Blocks up to `timeoutMs` for `fd` to become readable; true if it did. */
export function waitReadable(fd: number, timeoutMs: number): boolean {
  // struct pollfd: 0 fd i32 | 4 events i16 | 6 revents i16
  const entry = Buffer.alloc(8);
  entry.writeInt32LE(fd, 0);
  entry.writeInt16LE(POLLIN, 4);
  return sys.poll(entry, 1, timeoutMs) > 0;
}

export function errnoName(code: number): string {
  return errnoNames.get(code) ?? `errno ${code}`;
}

/** setsockopt for the common `int` options. */
export function setIntOption(fd: number, level: number, name: number, value: number): number {
  // Native byte order, as the kernel reads it.
  const bytes = Buffer.from(Int32Array.of(value).buffer);
  return sys.setsockopt(fd, level, name, bytes, bytes.length);
}
