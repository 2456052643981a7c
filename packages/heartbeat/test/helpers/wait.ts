// Waiting for mesh events with a deadline, so a broken mesh fails a test instead of hanging.

import type { ManualClock } from '@vipd/clock';
import type { HeartbeatMesh, HeartbeatMeshEvents } from '../../src/index.js';

export function waitForEvent<E extends keyof HeartbeatMeshEvents>(
  mesh: HeartbeatMesh,
  event: E,
  matches: (...args: HeartbeatMeshEvents[E]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<HeartbeatMeshEvents[E]> {
  return new Promise((resolve, reject) => {
    const listener = (...args: HeartbeatMeshEvents[E]): void => {
      if (!matches(...args)) return;
      clearTimeout(timer);
      mesh.off(event, listener);
      resolve(args);
    };
    const timer = setTimeout(() => {
      mesh.off(event, listener);
      reject(new Error(`no matching '${event}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    mesh.on(event, listener);
  });
}

/** Records every emission of `event` until stop() (or forever). */
export function record<E extends keyof HeartbeatMeshEvents>(
  mesh: HeartbeatMesh,
  event: E,
): { readonly calls: HeartbeatMeshEvents[E][]; stop(): void } {
  const calls: HeartbeatMeshEvents[E][] = [];
  const listener = (...args: HeartbeatMeshEvents[E]): void => {
    calls.push(args);
  };
  mesh.on(event, listener);
  return {
    calls,
    stop: () => {
      mesh.off(event, listener);
    },
  };
}

export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
  pollMs = 5,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(pollMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One heartbeat interval on a manual clock shared by real meshes: advance it by intervalMs
 * (every node ticks once) and wait until each mesh has heard its peer `from[i]` over the
 * sockets. Rounds replace sleeping for "several heartbeats each way".
 */
export async function heartbeatRound(
  clock: ManualClock,
  intervalMs: number,
  pairs: readonly (readonly [mesh: HeartbeatMesh, from: string])[],
): Promise<void> {
  const heard = pairs.map(([mesh, from]) =>
    waitForEvent(mesh, 'heartbeat', (heartbeat) => heartbeat.from === from),
  );
  clock.advance(intervalMs);
  await Promise.all(heard);
}
