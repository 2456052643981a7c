import { connect } from 'node:net';
import { systemClock, type Clock } from '@vipd/clock';
import { formatHostPort, type HostPort } from '@vipd/heartbeat';
import { errorText, type Check } from './check.js';

/** Healthy when a TCP connection to host:port is accepted within the timeout. */
export function tcpCheck(endpoint: HostPort, timeoutMs: number, clock: Clock = systemClock): Check {
  return (signal) =>
    new Promise((resolve) => {
      const socket = connect({ host: endpoint.host, port: endpoint.port, signal });
      const timer = clock.setTimeout(() => {
        socket.destroy();
        resolve({ ok: false, detail: `no connection within ${timeoutMs}ms` });
      }, timeoutMs);
      socket.once('connect', () => {
        clock.clearTimeout(timer);
        socket.destroy();
        resolve({ ok: true, detail: `connected to ${formatHostPort(endpoint)}` });
      });
      socket.once('error', (error) => {
        clock.clearTimeout(timer);
        resolve({ ok: false, detail: errorText(error) });
      });
    });
}
