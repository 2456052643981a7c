// The process side of every bench node kind (mesh, bare ws, idle): answers the driver's
// config / measure / stop messages over IPC and exits when the driver goes away.

import type { DriverMessage, Measure, NodeConfig, NodeMessage, Result } from './protocol.js';
import type { WindowFigures } from './window.js';

export interface BenchNode {
  /** Set up and send 'ready' (through `send`). */
  configure(config: NodeConfig): Promise<void> | void;
  /** Measure for request.durationMs, then send 'result'. */
  measure(request: Measure): void;
  stop?(): Promise<void>;
}

export function send(message: NodeMessage): void {
  process.send?.(message);
}

export function serveBenchNode(node: BenchNode): void {
  process.on('message', (message: DriverMessage) => {
    switch (message.type) {
      case 'config':
        Promise.resolve(node.configure(message)).catch((error: unknown) => {
          console.error(error);
          process.exit(1);
        });
        break;
      case 'measure':
        node.measure(message);
        break;
      case 'stop':
        void (node.stop?.() ?? Promise.resolve()).then(() => process.exit(0));
        break;
    }
  });
  process.on('disconnect', () => {
    process.exit(0);
  });
}

/** The result of a floor node: no mesh, so no RTT, peer-downs, rejections or skips. */
export function floorResult(
  nodeId: string,
  figures: WindowFigures,
  latenciesMs: readonly number[],
): Result {
  return {
    type: 'result',
    nodeId,
    ...figures,
    latenciesMs: Float64Array.from(latenciesMs),
    rttMs: [],
    peerDowns: 0,
    rejected: 0,
    skipped: 0,
  };
}
