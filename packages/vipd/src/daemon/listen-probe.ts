// Before a starting node touches the host, make sure it can have its ports. The first thing
// start-up does is remove VIPs marked as vipd's, on the grounds that a crashed predecessor
// left them; a second `vipd run` next to a live one (an operator debugging by hand next to
// the service) would take the live node's VIPs away and only then fail on its ports. Binding
// each listen address for a moment first turns that into a clean refusal.

import { createServer } from 'node:net';
import { VipdError } from '../errors.js';
import type { HostPort } from '@vipd/heartbeat';

export interface ListenAddress {
  /** What listens there, for the message: "heartbeat listener", "API listener". */
  readonly what: string;
  /** As written in the config, for the message. */
  readonly address: string;
  readonly endpoint: HostPort;
}

/** Resolves when every address could be bound (port 0 is skipped: any port is free). */
export async function probeListenAddresses(addresses: readonly ListenAddress[]): Promise<void> {
  for (const { what, address, endpoint } of addresses) {
    const { host, port } = endpoint;
    if (port === 0) continue;
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) => {
        const busy = error.code === 'EADDRINUSE';
        reject(
          new VipdError(
            'LISTEN_FAILED',
            `${what} on ${address}: ${error.message}` +
              (busy ? ' (is another vipd running on this host? nothing was changed)' : ''),
            { cause: error },
          ),
        );
      });
      server.listen({ host, port, exclusive: true }, () => {
        server.close(() => {
          resolve();
        });
      });
    });
  }
}
