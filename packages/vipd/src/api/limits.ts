// What one client may hold of the API server: connections, and time to send a request.
// fastify's and Node's defaults suit a server behind a proxy, not a daemon whose port anyone
// on the management network can reach: no connection cap, no idle cut, no request timeout
// (fastify sets 0), 72 s of keep-alive, 60 s for headers, and timeouts checked only every
// 30 s. Here every phase of a connection has a bound, so a client that opens connections
// and sends nothing, or one byte a second (slowloris), holds each for seconds, and the
// number it can hold at once is capped.

import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyHttpOptions } from 'fastify';
import { ERROR_CATALOG, VipdError, type ErrorCode } from '../errors.js';
import type { ApiDropReason } from '../metrics/metrics.js';
import { capConnections, ConnectionCap } from './connection-cap.js';
import { LONGEST_WAIT_MS } from './schemas.js';

export interface ApiLimits {
  /**
   * Connections open at once (api.max_connections). At the cap a newcomer sheds a connection
   * that has no request in progress, or is refused when every one has (connection-cap.ts).
   */
  readonly maxConnections: number;
  /** From a connection's (or request's) first byte until its headers are complete. */
  readonly headersTimeoutMs: number;
  /** Until the whole request, body included, has arrived. Not the time to answer it. */
  readonly requestTimeoutMs: number;
  /** A kept-alive connection waiting for its next request. */
  readonly keepAliveTimeoutMs: number;
  /** No byte either way; the backstop for a client that stops reading the answer. */
  readonly idleTimeoutMs: number;
  /** How often Node checks the header and request timeouts (its default is 30 s). */
  readonly timeoutCheckIntervalMs: number;
  /** At most one warning per interval about refused requests (bad token, wrong Host). */
  readonly refusalLogIntervalMs: number;
}

export const DEFAULT_API_LIMITS: ApiLimits = {
  maxConnections: 64,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 15_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: LONGEST_WAIT_MS + 10_000,
  timeoutCheckIntervalMs: 1_000,
  refusalLogIntervalMs: 10_000,
};

/** fastify's server options for these limits (the cap goes on the server afterwards). */
export function serverOptions(limits: ApiLimits): FastifyHttpOptions<Server> {
  return {
    // fastify copies these three onto the server it creates ...
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // ... and hands these to http.createServer, which reads them only there.
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.timeoutCheckIntervalMs,
    },
  };
}

/** Cap the connections and count every connection the server cuts. */
export function enforceConnectionLimits(
  server: Server,
  limits: ApiLimits,
  dropped: (reason: ApiDropReason) => void,
): void {
  const cap = new ConnectionCap(limits.maxConnections, dropped);
  capConnections(server, cap);
  // The end of a keep-alive wait arrives as a timeout too: a client done with its requests,
  // not one that stalled, so it is not counted.
  const betweenRequests = new WeakSet<Socket>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    betweenRequests.delete(socket);
    cap.requestStarted(socket);
    response.once('finish', () => {
      betweenRequests.add(socket);
      cap.requestFinished(socket);
    });
  });
  // With a listener here, Node leaves the idle socket to us.
  server.on('timeout', (socket: Socket) => {
    if (!betweenRequests.has(socket)) dropped('idle');
    socket.destroy();
  });
}

/**
 * Node reports a request that timed out or is not HTTP as a client error on the socket, with
 * no request object to route. Answer it as the routes answer errors, then close.
 */
export function answerClientError(
  dropped: (reason: ApiDropReason) => void,
): (error: Error & { code?: string }, socket: Socket) => void {
  return (error, socket) => {
    // The client went away: nothing to answer, nothing it did wrong.
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    dropped(timedOut ? 'timeout' : 'malformed');
    const code: ErrorCode = timedOut
      ? 'REQUEST_TIMEOUT'
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? 'HEADERS_TOO_LARGE'
        : 'INVALID_REQUEST';
    const message =
      code === 'INVALID_REQUEST'
        ? `not a valid HTTP request (${error.code ?? 'parse error'})`
        : undefined;
    const body = JSON.stringify(new VipdError(code, message).toBody());
    const status = ERROR_CATALOG[code].httpStatus;
    if (socket.writable)
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    socket.destroy();
  };
}
