// A real HTTP receiver on 127.0.0.1:0 for the webhook tests: records every request's headers
// and raw body, and answers as the test's `answer` says (a status, or never).

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A status to answer with, or 'hold' to keep the request open until the receiver closes. */
export type Answer = number | 'hold';

export class Receiver {
  readonly received: Received[] = [];
  answer: (request: Received, index: number) => Answer = () => 200;
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        receiver.received.push(request);
        const answer = receiver.answer(request, receiver.received.length - 1);
        if (answer !== 'hold') res.writeHead(answer).end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    return receiver;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/hook`;
  }

  /** Sequence numbers of the events received, in arrival order (retries repeat). */
  get seqs(): number[] {
    return this.received.map((r) => (JSON.parse(r.body) as { seq: number }).seq);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((done) =>
      this.#server.close(() => {
        done();
      }),
    );
  }
}

/** A URL nothing listens on: a port a server held a moment ago. */
export async function deadUrl(): Promise<string> {
  const receiver = await Receiver.start();
  const url = receiver.url;
  await receiver.close();
  return url;
}
