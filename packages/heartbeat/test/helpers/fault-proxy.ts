// A TCP proxy on 127.0.0.1 that sits on one dialing direction of a link and injects the
// faults the mesh must tell apart: delay (every chunk held back), blackhole (bytes read and
// dropped, closes not passed on either — the far end only sees silence), stall (nothing read, so TCP
// backpressure builds up at the sender), cut (both sockets destroyed — a lost connection)
// refuse (new connections closed at once, like a dead port), hold (new connections wait,
// unconnected, until release() — to make two dials race on purpose) and strand (the
// connections carried now deliver nothing any more while new ones work).

import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

type Mode = 'forward' | 'blackhole' | 'stall';

interface Pipe {
  readonly client: Socket;
  readonly upstream: Socket;
  /** One side closed during a blackhole; the other was not told (no FIN gets through). */
  orphaned: boolean;
  /** strand(): its bytes are dropped for good, whatever the mode. */
  stranded: boolean;
}

export class FaultProxy {
  private mode: Mode = 'forward';
  private delayMs = 0;
  private refusing = false;
  private holding = false;
  private readonly held: Socket[] = [];
  private target: number | null;
  private readonly pipes = new Set<Pipe>();
  /** Connections accepted since start (including refused ones). */
  accepted = 0;
  /** Chunks read and dropped (blackhole, strand): proof that bytes sent did reach the void. */
  dropped = 0;

  private constructor(
    private readonly server: Server,
    target: number | null,
  ) {
    this.target = target;
    server.on('connection', (client) => {
      this.onConnection(client);
    });
  }

  static async start(target: number | null = null): Promise<FaultProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FaultProxy(server, target);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Connections currently carried. */
  get open(): number {
    return this.pipes.size;
  }

  setTarget(port: number): void {
    this.target = port;
  }

  delay(ms: number): void {
    this.delayMs = ms;
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const pipe of this.pipes) {
      pipe.client.resume();
      pipe.upstream.resume();
    }
  }

  stall(): void {
    this.mode = 'stall';
    for (const pipe of this.pipes) {
      pipe.client.pause();
      pipe.upstream.pause();
    }
  }

  restore(): void {
    this.mode = 'forward';
    this.delayMs = 0;
    this.refusing = false;
    for (const pipe of this.pipes) {
      // Traffic flows again: the survivor of a half-closed pipe learns its peer is gone.
      if (pipe.orphaned) this.destroy(pipe);
      pipe.client.resume();
      pipe.upstream.resume();
    }
  }

  /**
   * The connections carried now drop every byte from here on, while new connections are
   * forwarded as the mode says — a stand-in for a connection whose TCP retransmission timer
   * backed off during an outage: the path is healed, but its data waits for a retransmission
   * seconds away. A close from either end still gets through (a RST is not held back).
   */
  strand(): void {
    for (const pipe of this.pipes) pipe.stranded = true;
  }

  refuse(): void {
    this.refusing = true;
  }

  hold(): void {
    this.holding = true;
  }

  /** Connections waiting in hold mode. */
  get waiting(): number {
    return this.held.length;
  }

  /** Connect every held connection upstream, all in the same tick. */
  release(): void {
    this.holding = false;
    for (const client of this.held.splice(0)) this.pipe(client);
  }

  /** Destroy every carried connection: both ends see the connection close. */
  cut(): void {
    for (const pipe of this.pipes) this.destroy(pipe);
  }

  private destroy(pipe: Pipe): void {
    this.pipes.delete(pipe);
    pipe.client.destroy();
    pipe.upstream.destroy();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private onConnection(client: Socket): void {
    this.accepted++;
    if (this.holding) {
      client.pause();
      this.held.push(client);
      return;
    }
    this.pipe(client);
  }

  private pipe(client: Socket): void {
    if (this.refusing || this.target === null || client.destroyed) {
      client.destroy();
      return;
    }
    client.resume();
    const upstream = connect(this.target, '127.0.0.1');
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const pipe: Pipe = { client, upstream, orphaned: false, stranded: false };
    this.pipes.add(pipe);
    const end = (): void => {
      if (this.mode === 'blackhole' && !(client.destroyed && upstream.destroyed)) {
        pipe.orphaned = true;
        return;
      }
      this.destroy(pipe);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    this.forward(pipe, client, upstream);
    this.forward(pipe, upstream, client);
    if (this.mode === 'stall') {
      client.pause();
      upstream.pause();
    }
  }

  private forward(pipe: Pipe, from: Socket, to: Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (this.mode === 'blackhole' || pipe.stranded) {
        this.dropped++;
        return;
      }
      if (this.delayMs === 0) {
        to.write(chunk);
        return;
      }
      // Equal delays fire in arrival order, so the stream stays intact.
      setTimeout(() => {
        if (!to.destroyed) to.write(chunk);
      }, this.delayMs);
    });
  }
}
