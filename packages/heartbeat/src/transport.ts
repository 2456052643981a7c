// Sockets only: the listening endpoint (plain or TLS with client certificates) and
// outgoing connections. No protocol here — the mesh sees WebSocket objects.
//
// TCP_NODELAY, so a heartbeat is never held back by Nagle waiting for the ACK of the
// previous one: ws calls socket.setNoDelay() on every connection once upgraded (client and
// server, lib/websocket.js setSocket); the accepting TCP server sets it on accept, and
// dialed sockets get it at connect (noDelay below). test/nodelay.test.ts reads it back.

import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Socket,
  type SocketConstructorOpts,
  type TcpSocketConnectOpts,
} from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Clock, TimerHandle } from '@vipd/clock';
import { WebSocket, WebSocketServer, type ClientOptions } from 'ws';
import { formatHostPort, type HostPort } from './address.js';
import type { AdmissionControl, AdmissionSlot } from './admission.js';
import { certificateNodeIds } from './cert-identity.js';
import { HeartbeatConfigError } from './errors.js';
import { MAX_FRAME_BYTES } from './frame.js';
import type { ConnectionDropReason, TlsOptions } from './types.js';

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
      throw new HeartbeatConfigError('TLS_UNREADABLE', `tls.${what} "${path}": ${reason}`);
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
  /** New TLS material for connections accepted from now on (a reload); open ones keep theirs. */
  setTls(tls: TlsMaterial): void;
  /** Stop accepting and drop every connection still open. */
  close(): Promise<void>;
}

export interface EndpointHandlers {
  /** An upgraded connection; `slot` is its admission slot, to release once it authenticates. */
  connection(ws: WebSocket, request: IncomingMessage, slot: AdmissionSlot): void;
  tlsFailure(error: Error, remote: string): void;
  /** Refused at accept, or cut for not upgrading in time. */
  dropped(reason: ConnectionDropReason, remote: string): void;
  /** An error of the listening socket after it was up (e.g. EMFILE on accept). */
  serverError(error: Error): void;
}

export interface ListenOptions {
  readonly address: HostPort;
  readonly tls: TlsMaterial | null;
  /** TCP accept to WebSocket upgrade (TLS handshake and HTTP request included) must fit in this. */
  readonly preauthTimeoutMs: number;
  readonly admission: AdmissionControl;
  /** Times the preauth deadline. */
  readonly clock: Clock;
}

/** A socket from its TCP accept until it closes. */
interface Accepted {
  readonly socket: Socket;
  readonly slot: AdmissionSlot;
  /** Cleared at the upgrade; the mesh's auth timer takes over from there. */
  readonly deadline: TimerHandle;
}

/**
 * The port is a plain TCP server that admits or refuses each socket before anything reads
 * from it, and only then hands it to the HTTP(S) server (which never listens itself). So
 * every stage before authentication is bounded: the count by admission, the time by one
 * deadline from accept to upgrade (Node's own headersTimeout/requestTimeout are enforced
 * only every connectionsCheckingInterval, 30 s, and a TLS handshake only after 120 s),
 * then by the mesh's auth timer from upgrade to authentication.
 */
export async function listen(
  options: ListenOptions,
  handlers: EndpointHandlers,
): Promise<Endpoint> {
  const { address, tls, preauthTimeoutMs, admission, clock } = options;
  let server: Server;
  let setTls: (material: TlsMaterial) => void = () => undefined;
  if (tls === null) {
    server = createHttpServer();
  } else {
    const httpsServer = createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: true });
    setTls = (material) => {
      httpsServer.setSecureContext({ ...material });
    };
    httpsServer.on('tlsClientError', (error, socket) => {
      // Cut by the preauth deadline: counted as that, not as a failed handshake.
      if (error instanceof PreauthDeadline) return;
      handlers.tlsFailure(error, `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`);
    });
    server = httpsServer;
  }
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
  // Keyed by the far end's address and port: for TLS the upgraded socket is the TLSSocket
  // wrapping the one accepted, and both report the same remote.
  const accepted = new Map<string, Accepted>();
  wss.on('connection', (ws, request) => {
    const entry = accepted.get(remoteKey(request.socket));
    if (entry === undefined) {
      // Only sockets that came through admission reach the HTTP server; one that is gone
      // from the map has closed under us.
      ws.terminate();
      return;
    }
    clock.clearTimeout(entry.deadline);
    if (tls !== null) certify(ws, request.socket);
    handlers.connection(ws, request, entry.slot);
  });
  // ws re-emits the HTTP server's errors; unhandled, one would take the process down.
  wss.on('error', (error) => {
    handlers.serverError(error);
  });
  // noDelay as Node's HTTP server would set it had it accepted the socket itself.
  const tcp = createTcpServer({ noDelay: true }, (socket) => {
    // Until the HTTP server adds its own, a reset by the client must not be an uncaught error.
    socket.on('error', () => undefined);
    const remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    const slot = admission.admit(socket.remoteAddress);
    if (typeof slot === 'string') {
      handlers.dropped(slot, remote);
      // A reset, not a FIN: a flood leaves no TIME_WAIT behind on this side.
      socket.resetAndDestroy();
      return;
    }
    const key = remoteKey(socket);
    const deadline = clock.setTimeout(() => {
      handlers.dropped('preauth-timeout', remote);
      // With its reason rather than a reset: the TLS layer passes the error on to
      // tlsClientError, where it is told apart from a real handshake failure.
      socket.destroy(new PreauthDeadline(preauthTimeoutMs));
    }, preauthTimeoutMs);
    const entry = { socket, slot, deadline };
    accepted.set(key, entry);
    socket.once('close', () => {
      clock.clearTimeout(deadline);
      slot.release();
      // The key may be taken already by a newer socket from the same address and port.
      if (accepted.get(key) === entry) accepted.delete(key);
    });
    server.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error): void => {
      wss.close();
      server.close(() => undefined);
      reject(
        new HeartbeatConfigError(
          'LISTEN_FAILED',
          `cannot listen on ${formatHostPort(address)}: ${error.message}`,
        ),
      );
    };
    tcp.once('error', fail);
    tcp.listen(address.port, address.host, () => {
      tcp.off('error', fail);
      resolve();
    });
  });
  tcp.on('error', (error) => {
    handlers.serverError(error);
  });
  return {
    port: (tcp.address() as AddressInfo).port,
    setTls,
    close: () =>
      new Promise<void>((resolve) => {
        wss.close();
        // Never listened: this only stops its connections-checking interval.
        server.close(() => undefined);
        tcp.close(() => {
          resolve();
        });
        for (const { socket } of accepted.values()) socket.destroy();
      }),
  };
}

class PreauthDeadline extends Error {
  readonly code = 'preauth-timeout';
  constructor(timeoutMs: number) {
    super(`no WebSocket upgrade within ${timeoutMs} ms of accept`);
  }
}

function remoteKey(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
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
  const ws = new WebSocket(`${scheme}://${formatHostPort(address)}${HEARTBEAT_PATH}`, options);
  if (tls !== null) {
    ws.once('upgrade', (response) => {
      certify(ws, response.socket);
    });
  }
  return ws;
}

/** Node ids named by the far end's TLS certificate, per TLS connection (cert-identity.ts). */
const certified = new WeakMap<WebSocket, readonly string[]>();

function certify(ws: WebSocket, socket: Socket): void {
  certified.set(
    ws,
    socket instanceof TLSSocket ? certificateNodeIds(socket.getPeerCertificate()) : [],
  );
}

/**
 * The node ids the far end's certificate names: empty for a TLS connection whose
 * certificate names none (or that has not upgraded), undefined without TLS.
 */
export function certifiedNodeIds(ws: WebSocket, tls: boolean): readonly string[] | undefined {
  return tls ? (certified.get(ws) ?? []) : undefined;
}

export function remoteOf(request: IncomingMessage): string {
  const host = request.socket.remoteAddress ?? '?';
  return formatHostPort({ host, port: request.socket.remotePort ?? 0 });
}
