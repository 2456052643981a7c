// The relaying attacker of docs/security.md's threat table: no key, but a place on the heartbeat network. It
// opens one connection to each of two nodes and copies every message from one to the
// other, so each node hears the other's genuine, correctly signed frames. drop() stops one
// direction, to make a link that relies on the relay fail one way.

import { WebSocket } from 'ws';
import { HEARTBEAT_PATH } from '../../src/index.js';

export class Relay {
  /** Messages copied, per direction. */
  readonly relayed = { toA: 0, toB: 0 };
  private dropping: 'toA' | 'toB' | null = null;
  readonly closed: Promise<void>;

  private constructor(
    private readonly toA: WebSocket,
    private readonly toB: WebSocket,
  ) {
    const closedA = new Promise<void>((resolve) =>
      toA.once('close', () => {
        resolve();
      }),
    );
    const closedB = new Promise<void>((resolve) =>
      toB.once('close', () => {
        resolve();
      }),
    );
    this.closed = Promise.all([closedA, closedB]).then(() => undefined);
    for (const ws of [toA, toB]) ws.on('error', () => undefined);
    this.pipe(toA, toB, 'toB');
    this.pipe(toB, toA, 'toA');
    // One side hanging up ends the relay, as a TCP relay would.
    void closedA.then(() => {
      toB.terminate();
    });
    void closedB.then(() => {
      toA.terminate();
    });
  }

  /** Connect to both ports. */
  static async open(portA: number, portB: number): Promise<Relay> {
    const connect = (port: number) => new WebSocket(`ws://127.0.0.1:${port}${HEARTBEAT_PATH}`);
    const toA = connect(portA);
    const toB = connect(portB);
    const relay = new Relay(toA, toB);
    await Promise.all(
      [toA, toB].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('open', () => {
              resolve();
            });
            ws.once('close', () => {
              resolve();
            });
          }),
      ),
    );
    return relay;
  }

  /** Send a frame of the attacker's own (say, a recorded one) to A or B. */
  inject(direction: 'toA' | 'toB', data: Buffer): void {
    (direction === 'toA' ? this.toA : this.toB).send(data);
  }

  drop(direction: 'toA' | 'toB'): void {
    this.dropping = direction;
  }

  terminate(): void {
    this.toA.terminate();
    this.toB.terminate();
  }

  private pipe(from: WebSocket, to: WebSocket, direction: 'toA' | 'toB'): void {
    // A node speaking first does so the moment its side opens; hold that until the other
    // side is open too, as a TCP relay's buffers would.
    const waiting: Buffer[] = [];
    to.once('open', () => {
      for (const data of waiting.splice(0)) this.forward(to, data, direction);
    });
    from.on('message', (data: Buffer) => {
      if (to.readyState === WebSocket.CONNECTING) waiting.push(data);
      else this.forward(to, data, direction);
    });
  }

  private forward(to: WebSocket, data: Buffer, direction: 'toA' | 'toB'): void {
    if (this.dropping === direction || to.readyState !== WebSocket.OPEN) return;
    this.relayed[direction]++;
    to.send(data, { binary: true });
  }
}
