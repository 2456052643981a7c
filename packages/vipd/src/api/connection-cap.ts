// The API's connection cap. A hard cap alone hands the API to whoever opens connections
// fastest: a slowloris client that fills every slot with requests it never finishes locks the
// operator and Prometheus out until the headers timeout, and again at once after it. So at the
// cap a newcomer is let in by shedding the connection that costs least to lose: one that has
// not sent a request yet (or waits between requests), from the source address holding the
// most connections, oldest first. A flood then churns its own connections while a client that
// sends its request promptly gets through. A connection in the middle of a request (a takeover
// waiting for its answer) is never shed; only when every one is is the newcomer refused.

import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export type CapDropReason = 'max-connections' | 'evicted';

export class ConnectionCap {
  #max: number;
  /** Every open connection, with its source address. */
  readonly #open = new Map<Socket, string>();
  /** Connections with no request in progress, in the order they became so. */
  readonly #waiting = new Set<Socket>();
  readonly #perSource = new Map<string, number>();

  constructor(
    max: number,
    private readonly dropped: (reason: CapDropReason) => void,
  ) {
    this.#max = max;
  }

  /** A reload may lower or raise it; open connections beyond a lowered cap stay until shed. */
  set max(max: number) {
    this.#max = max;
  }

  get open(): number {
    return this.#open.size;
  }

  /** A connection arrived: make room for it, or refuse it. */
  admit(socket: Socket): void {
    while (this.#open.size >= this.#max) {
      const victim = this.#victim();
      if (victim === undefined) {
        this.dropped('max-connections');
        socket.destroy();
        return;
      }
      this.#forget(victim);
      victim.destroy();
      this.dropped('evicted');
    }
    const source = socket.remoteAddress ?? '';
    this.#open.set(socket, source);
    this.#waiting.add(socket);
    this.#perSource.set(source, (this.#perSource.get(source) ?? 0) + 1);
    socket.once('close', () => {
      this.#forget(socket);
    });
  }

  /** Its request's headers arrived: it is doing work now, not to be shed. */
  requestStarted(socket: Socket): void {
    this.#waiting.delete(socket);
  }

  /** Its answer went out: it waits for the next request, newest in the queue. */
  requestFinished(socket: Socket): void {
    if (!this.#open.has(socket)) return;
    this.#waiting.delete(socket);
    this.#waiting.add(socket);
  }

  /** The oldest waiting connection of the source that holds the most connections. */
  #victim(): Socket | undefined {
    let victim: Socket | undefined;
    let most = 0;
    for (const socket of this.#waiting) {
      const count = this.#perSource.get(this.#open.get(socket) ?? '') ?? 0;
      if (count > most) {
        victim = socket;
        most = count;
      }
    }
    return victim;
  }

  #forget(socket: Socket): void {
    const source = this.#open.get(socket);
    if (source === undefined) return;
    this.#open.delete(socket);
    this.#waiting.delete(socket);
    const left = (this.#perSource.get(source) ?? 1) - 1;
    if (left === 0) this.#perSource.delete(source);
    else this.#perSource.set(source, left);
  }
}

const caps = new WeakMap<Server, ConnectionCap>();

/** Puts the cap on the server: every connection passes through it. */
export function capConnections(server: Server, cap: ConnectionCap): void {
  caps.set(server, cap);
  server.on('connection', (socket: Socket) => {
    cap.admit(socket);
  });
}

/** A reload's new api.max_connections, for the server the app listens with. */
export function setConnectionCap(server: Server, max: number): void {
  const cap = caps.get(server);
  if (cap !== undefined) cap.max = max;
}
