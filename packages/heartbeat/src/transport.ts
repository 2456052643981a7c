// Sockets only: the listening endpoint (plain or TLS with client certificates) and
// outgoing connections. No protocol here — the mesh sees WebSocket objects.
//
// TCP_NODELAY, so a heartbeat is never held back by Nagle waiting for the ACK of the
// previous one: ws calls socket.setNoDelay() on every connection once upgraded (client and
// server, lib/websocket.js setSocket); Node's http(s) servers set it on accept, and dialed
// sockets get it at connect (noDelay below). test/nodelay.test.ts reads it back.

import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, SocketConstructorOpts, TcpSocketConnectOpts } from 'node:net';
import { WebSocket, WebSocketServer, type ClientOptions } from 'ws';
import { formatHostPort, type HostPort } from './address.js';
import { HeartbeatConfigError } from './errors.js';
import { MAX_FRAME_BYTES } from './frame.js';
import type { TlsOptions } from './types.js';

export const HEARTBEAT_PATH = '/vipd/heartbeat';

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

export async function loadTls(tls: TlsOptions): Promise<TlsMaterial> {
  const read = async (path: string, what: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new HeartbeatConfigError('tls-unreadable', `tls.${what} "${path}": ${reason}`);
    }
  };
  return {
    cert: await read(tls.certFile, 'certFile'),
    key: await read(tls.keyFile, 'keyFile'),
    ca: await read(tls.caFile, 'caFile'),
  };
}

export interface Endpoint {
  readonly port: number;
  /** Stop accepting and drop connections that never upgraded. */
  close(): Promise<void>;
}

export interface EndpointHandlers {
  connection(ws: WebSocket, request: IncomingMessage): void;
  tlsFailure(error: Error, remote: string): void;
  /** An error of the listening socket after it was up (e.g. EMFILE on accept). */
  serverError(error: Error): void;
}

export async function listen(
  address: HostPort,
  tls: TlsMaterial | null,
  headersTimeoutMs: number,
  handlers: EndpointHandlers,
): Promise<Endpoint> {
  let server: Server;
  if (tls === null) {
    server = createHttpServer();
  } else {
    const httpsServer = createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: true });
    httpsServer.on('tlsClientError', (error, socket) => {
      handlers.tlsFailure(error, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
    });
    server = httpsServer;
  }
  // A client that opens TCP and never sends its upgrade request is dropped as fast as one
  // that never authenticates.
  server.headersTimeout = headersTimeoutMs;
  server.requestTimeout = headersTimeoutMs;
  server.on('request', (_request, response) => {
    response.writeHead(426, { connection: 'close' }).end('vipd heartbeat: WebSocket only\n');
  });
  const wss = new WebSocketServer({
    server,
    path: HEARTBEAT_PATH,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    clientTracking: false,
  });
  wss.on('connection', (ws, request) => {
    handlers.connection(ws, request);
  });
  // ws re-emits the server's errors; unhandled, one would take the process down.
  wss.on('error', (error) => {
    handlers.serverError(error);
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      wss.close();
      server.close();
      reject(
        new HeartbeatConfigError(
          'listen-failed',
          `cannot listen on ${formatHostPort(address)}: ${error.message}`,
        ),
      );
    };
    wss.once('error', fail);
    server.listen(address.port, address.host, () => {
      wss.off('error', fail);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        wss.close();
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

export function dial(
  address: HostPort,
  tls: TlsMaterial | null,
  handshakeTimeoutMs: number,
): WebSocket {
  const scheme = tls === null ? 'ws' : 'wss';
  const options: ClientOptions & Pick<SocketConstructorOpts & TcpSocketConnectOpts, 'noDelay'> = {
    handshakeTimeout: handshakeTimeoutMs,
    maxPayload: MAX_FRAME_BYTES,
    perMessageDeflate: false,
    followRedirects: false,
    // From the first byte: ws hands its options to net/tls.connect, and itself sets
    // TCP_NODELAY only once the upgrade completes.
    noDelay: true,
    // RFC 6455 client masking protects HTTP intermediaries from script-crafted bytes; these
    // are node-to-node links and every frame is MAC'd. An all-zero mask makes ws skip the
    // XOR pass and the copy on both ends (the frame format is unchanged).
    generateMask: (mask: Buffer) => {
      mask.fill(0);
    },
    ...(tls === null ? {} : { ...tls, rejectUnauthorized: true }),
  };
  return new WebSocket(`${scheme}://${formatHostPort(address)}${HEARTBEAT_PATH}`, options);
}

export function remoteOf(request: IncomingMessage): string {
  const host = request.socket.remoteAddress ?? '?';
  return formatHostPort({ host, port: request.socket.remotePort ?? 0 });
}
