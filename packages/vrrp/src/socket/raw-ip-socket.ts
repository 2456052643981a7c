// A typed, promise-returning face on the `raw-socket` package (a native addon without types):
// one raw IP socket for protocol 112. raw-socket reports failures as strerror() text, which
// is turned into a typed VrrpError naming the interface and the step that failed.
import { createRequire } from 'node:module';
import { VRRP_PROTOCOL, type IpFamily } from '../codec/types.js';
import { VrrpError, type VrrpErrorCode } from '../errors.js';

interface RawSocketModule {
  createSocket(options: {
    protocol: number;
    addressFamily: number;
    bufferSize?: number;
  }): RawSocket;
  readonly AddressFamily: { readonly IPv4: number; readonly IPv6: number };
}

interface RawSocket {
  on(event: 'message', listener: (bytes: Buffer, source: string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'close', listener: () => void): void;
  setOption(level: number, option: number, value: number): void;
  setOption(level: number, option: number, value: Buffer, length: number): void;
  send(
    bytes: Buffer,
    offset: number,
    length: number,
    address: string,
    after: (error: Error | null, sentBytes: number) => void,
  ): void;
  close(): void;
}

/** Largest VRRP packet read: a full-size Ethernet payload. */
const RECEIVE_BUFFER_BYTES = 1500;

export interface RawIpSocketOptions {
  readonly family: IpFamily;
  readonly interfaceName: string;
  /** Every packet received (IPv4: header first; IPv6: payload only). The buffer is shared. */
  readonly onMessage: (bytes: Buffer) => void;
  /** A receive failure; raw-socket closes the socket itself after a poll error. */
  readonly onError: (error: VrrpError) => void;
}

/**
 * Every socket not yet closed. raw-socket's native wrapper is an ordinary garbage-collected
 * object: its poll handle does not keep it alive, and collecting it closes the descriptor. A
 * socket reachable only through its own pending send (a caller awaiting it, nothing else) was
 * collected mid-send and the send never settled: CI hung on it. An open socket is a resource
 * the caller closes, as a net.Socket is; this set holds it until then.
 */
const openSockets = new Set<RawIpSocket>();

export class RawIpSocket {
  private readonly socket: RawSocket;
  private closed = false;
  /**
   * Sends raw-socket has queued and not yet written. raw-socket forgets its queue when the
   * socket closes (after a poll error, or close()), so without this their promises would never
   * settle: a caller awaiting one would hang (seen once in CI, a test injector stuck for good).
   */
  private readonly pending = new Set<(error: VrrpError) => void>();

  constructor(private readonly options: RawIpSocketOptions) {
    const raw = loadRawSocket(options.interfaceName);
    const addressFamily = options.family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6;
    this.socket = this.step('socket(SOCK_RAW, 112)', () =>
      raw.createSocket({
        protocol: VRRP_PROTOCOL,
        addressFamily,
        bufferSize: RECEIVE_BUFFER_BYTES,
      }),
    );
    openSockets.add(this);
    this.socket.on('message', (bytes) => {
      options.onMessage(bytes);
    });
    this.socket.on('close', () => {
      this.gone('was closed');
    });
    this.socket.on('error', (error) => {
      // Reads are edge-driven: a spurious wake-up finds nothing to read, which is no failure.
      if (/temporarily unavailable|interrupted/i.test(error.message)) return;
      const lost = /^-?\d+$/.test(error.message); // a poll status: raw-socket has closed it
      if (lost) this.gone(`was lost (poll status ${error.message})`);
      options.onError(
        new VrrpError(
          'VRRP_RECEIVE',
          lost
            ? `VRRP socket on ${options.interfaceName} lost (poll status ${error.message}); reopen it`
            : `receive on ${options.interfaceName} failed: ${error.message}`,
          { cause: error },
        ),
      );
    });
  }

  /** setsockopt with an int, or with a struct's bytes. */
  setOption(name: string, level: number, option: number, value: number | Buffer): void {
    this.step(`setsockopt(${name})`, () => {
      if (typeof value === 'number') this.socket.setOption(level, option, value);
      else this.socket.setOption(level, option, value, value.length);
    });
  }

  /** Sends one whole packet (our IP header included) to `address`. */
  send(packet: Buffer, address: string): Promise<void> {
    if (this.closed) {
      return Promise.reject(
        new VrrpError(
          'VRRP_SOCKET_CLOSED',
          `VRRP socket on ${this.options.interfaceName} is closed`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const fail = (error: VrrpError): void => {
        reject(error);
      };
      this.pending.add(fail);
      this.socket.send(packet, 0, packet.length, address, (error) => {
        if (!this.pending.delete(fail)) return; // already failed by a close
        if (error === null) resolve();
        else reject(this.typed('VRRP_SEND', `send to ${address}`, error));
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.gone('was closed');
    this.socket.close();
  }

  /**
   * The socket is closed (by close(), or by raw-socket after a poll error): no more sends,
   * nothing holds it any more, and every queued send fails.
   */
  private gone(how: string): void {
    this.closed = true;
    openSockets.delete(this);
    const failures = [...this.pending];
    this.pending.clear();
    for (const fail of failures) {
      fail(
        new VrrpError(
          'VRRP_SOCKET_CLOSED',
          `VRRP socket on ${this.options.interfaceName} ${how} before the packet went out`,
        ),
      );
    }
  }

  /** Runs one set-up step, turning raw-socket's strerror text into a typed error. */
  step<T>(what: string, run: () => T): T {
    try {
      return run();
    } catch (error) {
      throw this.typed('VRRP_SOCKET_OPEN', what, error);
    }
  }

  private typed(fallback: VrrpErrorCode, what: string, error: unknown): VrrpError {
    const reason = error instanceof Error ? error.message : String(error);
    const where = `on ${this.options.interfaceName}`;
    if (/not permitted|permission denied/i.test(reason)) {
      return new VrrpError(
        'VRRP_PRIVILEGE',
        `${what} ${where} failed (${reason}): run as root or grant CAP_NET_RAW ` +
          '(systemd: AmbientCapabilities=CAP_NET_RAW)',
        { cause: error },
      );
    }
    if (/no such device/i.test(reason)) {
      return new VrrpError(
        'VRRP_INTERFACE_NOT_FOUND',
        `${what}: no interface ${this.options.interfaceName}`,
        {
          cause: error,
        },
      );
    }
    return new VrrpError(fallback, `${what} ${where} failed: ${reason}`, { cause: error });
  }
}

let rawSocketModule: RawSocketModule | undefined;

/**
 * Loaded on first use, not at import: a missing native build must not break vipd nodes that
 * have no VRRP group, and must say how to fix it where there is one.
 */
function loadRawSocket(interfaceName: string): RawSocketModule {
  try {
    rawSocketModule ??= createRequire(import.meta.url)('raw-socket') as RawSocketModule;
    return rawSocketModule;
  } catch (error) {
    throw new VrrpError(
      'VRRP_SOCKET_OPEN',
      `cannot open a VRRP socket on ${interfaceName}: the raw-socket native module did not load ` +
        `(${error instanceof Error ? error.message : String(error)}); install g++, make and ` +
        'python3, then `npm rebuild raw-socket`',
      { cause: error },
    );
  }
}
