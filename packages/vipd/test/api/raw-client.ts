// A raw TCP client for the API's connection-level tests: what an HTTP client library hides
// (partial headers, unsent bodies, who closed the connection) is what these tests are about.

import { connect, type Socket } from 'node:net';

/** A raw TCP client that records what the server sends and when it closes. */
export class RawClient {
  static readonly #open: Socket[] = [];

  /** Test cleanup: whatever the test left open. */
  static destroyAll(): void {
    for (const socket of RawClient.#open.splice(0)) socket.destroy();
  }

  readonly socket: Socket;
  received = '';
  closed = false;
  readonly #opened: Promise<void>;
  readonly #closedAt: Promise<void>;

  /** `localAddress` (127.0.0.2, …) makes the connection come from another source. */
  constructor(port: number, localAddress?: string) {
    this.socket = connect({
      port,
      host: '127.0.0.1',
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    RawClient.#open.push(this.socket);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => (this.received += chunk));
    this.socket.on('error', () => {});
    this.#opened = new Promise((resolve) =>
      this.socket.once('connect', () => {
        resolve();
      }),
    );
    this.#closedAt = new Promise((resolve) =>
      this.socket.once('close', () => {
        this.closed = true;
        resolve();
      }),
    );
  }

  opened(): Promise<void> {
    return this.#opened;
  }

  /** Resolves true once the server closed the connection, false if it still has not after ms. */
  async closedWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => {
        resolve(false);
      }, ms);
    });
    const result = await Promise.race([this.#closedAt.then(() => true), waited]);
    clearTimeout(timer);
    return result;
  }

  /** GET path with this Host header, on this connection; resolves with the answer. */
  get(
    path: string,
    host = '127.0.0.1',
  ): Promise<{ status: number; headers: string; body: string }> {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    return this.response(10_000);
  }

  /** Resolves once a whole response (headers and Content-Length body) arrived. */
  response(ms: number): Promise<{ status: number; headers: string; body: string }> {
    return new Promise((resolve, reject) => {
      // Looked at on every chunk and on close (their listeners, added in the constructor,
      // have already updated `received` and `closed`), so nothing polls.
      const look = () => {
        const answer = this.#takeResponse();
        if (answer !== null) {
          stop();
          resolve(answer);
        } else if (this.closed) {
          fail();
        }
      };
      const fail = () => {
        stop();
        reject(
          new Error(`no complete response within ${ms} ms; got ${JSON.stringify(this.received)}`),
        );
      };
      const timer = setTimeout(fail, ms);
      const stop = () => {
        clearTimeout(timer);
        this.socket.off('data', look);
        this.socket.off('close', look);
      };
      this.socket.on('data', look);
      this.socket.on('close', look);
      look();
    });
  }

  /** The first whole response in `received`, taken out of it; null while it is incomplete. */
  #takeResponse(): { status: number; headers: string; body: string } | null {
    const end = this.received.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const headers = this.received.slice(0, end);
    const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
    const body = this.received.slice(end + 4);
    if (Buffer.byteLength(body) < length) return null;
    this.received = body.slice(length);
    return { status: Number(headers.split(' ')[1]), headers, body: body.slice(0, length) };
  }
}
