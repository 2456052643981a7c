// The typed event surface shared by the real mesh and the loopback double. A listener that
// throws is logged, not propagated: it runs inside a socket callback, and one faulty
// listener must not take heartbeats to every other peer down with it.

import { EventEmitter } from 'node:events';
import type { HeartbeatMeshEvents, MeshLogger } from './types.js';

type Listener<E extends keyof HeartbeatMeshEvents> = (...args: HeartbeatMeshEvents[E]) => void;

export class MeshEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly logger: MeshLogger) {
    // One listener per event per consumer is normal; many consumers is not a leak here.
    this.emitter.setMaxListeners(0);
  }

  on<E extends keyof HeartbeatMeshEvents>(event: E, listener: Listener<E>): void {
    this.emitter.on(event, listener as (...args: unknown[]) => void);
  }

  off<E extends keyof HeartbeatMeshEvents>(event: E, listener: Listener<E>): void {
    this.emitter.off(event, listener as (...args: unknown[]) => void);
  }

  /** Skips the work of building arguments nobody listens to (hot path: 'sent'). */
  wanted(event: keyof HeartbeatMeshEvents): boolean {
    return this.emitter.listenerCount(event) > 0;
  }

  emit<E extends keyof HeartbeatMeshEvents>(event: E, ...args: HeartbeatMeshEvents[E]): void {
    try {
      this.emitter.emit(event, ...args);
    } catch (error) {
      this.logger.error({ event, err: error }, 'heartbeat mesh event listener threw');
    }
  }
}

export const silentLogger: MeshLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
