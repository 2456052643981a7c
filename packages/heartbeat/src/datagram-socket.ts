// The UDP socket of the datagram path (README "Datagram path"): bound to the listen address
// and the listener's port number, it sends each heartbeat once more as one datagram and
// hands every datagram received to the mesh with its source. No framing, no retries: a
// lost datagram is a lost copy, the stream still carries the heartbeat.

import { createSocket, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';
import { formatHostPort, type HostPort } from './address.js';
import { canonicalAddress, resolvePeerAddresses } from './admission.js';
import { HeartbeatConfigError } from './errors.js';

export interface DatagramHandlers {
  /** A datagram arrived from `address` (canonical: dotted IPv4, also when v4-mapped) and `port`. */
  message(bytes: Buffer, address: string, port: number): void;
  /** The socket reported an error outside a send (it stays open). */
  error(error: Error): void;
}

export interface DatagramSocket {
  /** Sends one datagram; `done` gets the error, if the kernel refused it. */
  send(bytes: Uint8Array, to: HostPort, done: (error: Error | null) => void): void;
  close(): Promise<void>;
}

/**
 * Binds UDP at `listen.host` and `port` (the port the WebSocket listener got), udp6 for an
 * IPv6 listen address (dual-stack on `::`, as the listener), udp4 otherwise.
 */
export async function openDatagramSocket(
  listen: HostPort,
  port: number,
  handlers: DatagramHandlers,
): Promise<DatagramSocket> {
  const v6 = isIPv6(listen.host);
  const socket = createSocket({ type: v6 ? 'udp6' : 'udp4' });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', (error) => {
      socket.close();
      reject(
        new HeartbeatConfigError(
          'LISTEN_FAILED',
          `cannot bind the heartbeat datagram socket on ${formatHostPort({ host: listen.host, port })}/udp: ${error.message}`,
        ),
      );
    });
    socket.bind(port, listen.host, () => {
      socket.removeAllListeners('error');
      resolve();
    });
  });
  socket.on('error', (error) => {
    handlers.error(error);
  });
  socket.on('message', (bytes, remote) => {
    handlers.message(bytes, canonicalAddress(remote.address) ?? remote.address, remote.port);
  });
  return {
    send: (bytes, to, done) => {
      sendTo(socket, v6, bytes, to, done);
    },
    close: () =>
      new Promise<void>((resolve) => {
        socket.close(() => {
          resolve();
        });
      }),
  };
}

function sendTo(
  socket: Socket,
  v6: boolean,
  bytes: Uint8Array,
  to: HostPort,
  done: (error: Error | null) => void,
): void {
  // A dual-stack udp6 socket reaches an IPv4 peer through its mapped address; a udp4
  // socket cannot reach an IPv6 one at all (the kernel says so, counted as a send error).
  const host = v6 && isIPv4(to.host) ? `::ffff:${to.host}` : to.host;
  try {
    socket.send(bytes, to.port, host, (error) => {
      done(error ?? null);
    });
  } catch (error) {
    // A socket closed under a send (shutdown) throws synchronously.
    done(error instanceof Error ? error : new Error(String(error)));
  }
}

/**
 * When a probe is sent again after the first, in ms. A process being killed closes its
 * descriptors one by one: its TCP connection (whose close made us probe) can go a moment
 * before its UDP port, and a first probe arriving in between is taken by the dying socket and
 * never answered (the failover bench saw crash detection fall from one round trip to a redial,
 * ~400 ms). The copies are the same signed heartbeat: a live peer drops them as duplicates.
 */
export const PROBE_RESEND_MS: readonly number[] = [2, 10, 30, 100, 300];

/**
 * Sends `bytes` from a UDP socket connected to `to` (an ephemeral port, at `listenHost`
 * unless that is a wildcard: the receiver takes the source address for the peer's identity),
 * at once and again at PROBE_RESEND_MS. Unlike the unconnected socket, a connected one is
 * told of the ICMP port unreachable the peer's kernel answers when no process listens there:
 * `refused` runs then. The socket closes at the first of that, or `lingerMs`.
 */
export function probeDatagram(
  listenHost: string,
  bytes: Uint8Array,
  to: HostPort,
  lingerMs: number,
  refused: () => void,
): void {
  const v6 = isIPv6(to.host);
  const socket = createSocket({ type: v6 ? 'udp6' : 'udp4' });
  const sameFamily = v6 ? isIPv6(listenHost) : isIPv4(listenHost);
  const bindHost = sameFamily && !isWildcard(listenHost) ? listenHost : undefined;
  let open = true;
  const linger = setTimeout(close, lingerMs);
  const resends: NodeJS.Timeout[] = [];
  function close(): void {
    if (!open) return;
    open = false;
    clearTimeout(linger);
    for (const resend of resends) clearTimeout(resend);
    socket.close();
  }
  socket.on('error', (error: NodeJS.ErrnoException) => {
    const wasOpen = open;
    close();
    if (wasOpen && error.code === 'ECONNREFUSED') refused();
  });
  socket.bind(0, bindHost, () => {
    if (!open) return;
    socket.connect(to.port, to.host, () => {
      if (!open) return;
      socket.send(bytes);
      for (const afterMs of PROBE_RESEND_MS) {
        if (afterMs >= lingerMs) break;
        resends.push(
          setTimeout(() => {
            if (open) socket.send(bytes);
          }, afterMs),
        );
      }
    });
  });
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

/** Each peer's resolved addresses, as the sources its datagrams may come from and go to. */
export interface DatagramRoute {
  readonly peerId: string;
  /** Where datagrams to the peer go: its configured host resolved, and port. */
  readonly to: HostPort;
  /**
   * Source addresses accepted as this peer (canonical). Not the port: a peer's datagrams
   * leave from its own listen port, which its peers need not know.
   */
  readonly sources: readonly string[];
}

/**
 * Resolves every peer's host once (a name costs a lookup here, not one per datagram). A peer
 * whose name does not resolve gets no route: no datagrams to or from it until the next
 * reload, and the caller logs why.
 */
export async function resolveDatagramRoutes(
  peers: readonly { readonly id: string; readonly hostPort: HostPort }[],
): Promise<{ routes: DatagramRoute[]; unresolved: { peerId: string; reason: string }[] }> {
  const routes: DatagramRoute[] = [];
  const unresolved: { peerId: string; reason: string }[] = [];
  for (const peer of peers) {
    const found = await resolvePeerAddresses([peer.hostPort.host]);
    const first = found.addresses[0];
    if (first === undefined) {
      unresolved.push({ peerId: peer.id, reason: found.unresolved[0]?.reason ?? 'no address' });
      continue;
    }
    routes.push({
      peerId: peer.id,
      to: { host: first, port: peer.hostPort.port },
      sources: found.addresses.map((address) => canonicalAddress(address) ?? address),
    });
  }
  return { routes, unresolved };
}
