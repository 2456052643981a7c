// The UDP side of a FaultProxy: bound to the proxy's port number on 127.0.0.1, it forwards
// each heartbeat datagram to the node behind the proxy, or drops it (one direction of a
// cut), and keeps the last one so a test can replay it. The node sees the relay's source
// address, 127.0.0.1, which is where it has its peers configured.

import { createSocket, type Socket } from 'node:dgram';

export class DatagramRelay {
  private dropping = false;
  private target: number | null = null;
  /** Datagrams forwarded and dropped since start. */
  forwarded = 0;
  dropped = 0;
  /** The last datagram that came through (forwarded or not). */
  last: Buffer | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on('message', (bytes) => {
      this.last = Buffer.from(bytes);
      if (this.dropping || this.target === null) {
        this.dropped++;
        return;
      }
      this.forwarded++;
      socket.send(bytes, this.target, '127.0.0.1');
    });
  }

  static async start(port: number): Promise<DatagramRelay> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    return new DatagramRelay(socket);
  }

  setTarget(port: number): void {
    this.target = port;
  }

  drop(): void {
    this.dropping = true;
  }

  forward(): void {
    this.dropping = false;
  }

  /** Sends `bytes` (default: the last datagram seen) to the node, as if from the peer. */
  inject(bytes: Buffer | null = this.last): void {
    if (bytes === null || this.target === null) throw new Error('nothing to inject, or no target');
    this.socket.send(bytes, this.target, '127.0.0.1');
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.close(() => {
        resolve();
      });
    });
  }
}
