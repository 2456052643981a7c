// The machine's floor under the heartbeat benchmark: a Node process that does nothing but
// wake up as often as a mesh node must — once per interval for its own tick and once per
// interval for each peer's heartbeat arriving — with empty callbacks and no sockets. What
// this row costs is Node's event loop and the VM's price for every sleep and wakeup; no
// heartbeat implementation in Node can cost less at the same rate.

import { floorResult, send, serveBenchNode } from './node-process.js';
import type { Measure, NodeConfig } from './protocol.js';
import { startWindow } from './window.js';

let nodeId = '';

/** An empty callback every intervalMs at a fixed phase, on an absolute schedule. */
function wakeEvery(intervalMs: number, phaseMs: number): void {
  const startedAt = performance.now() + phaseMs;
  let due = 0;
  const wake = (): void => {
    due++;
    setTimeout(wake, Math.max(0, startedAt + due * intervalMs - performance.now()));
  };
  setTimeout(wake, phaseMs);
}

function configure(config: NodeConfig): void {
  nodeId = config.nodeId;
  // The tick and one arrival per peer, spread over the interval as unsynchronised peers'
  // heartbeats are, so each is a wakeup of its own.
  const sources = config.peers.length + 1;
  for (let i = 0; i < sources; i++) {
    wakeEvery(config.intervalMs, Math.floor((i * config.intervalMs) / sources));
  }
  send({ type: 'ready', clockOffsetMs: 0, frameBytes: 0 });
}

function measure(request: Measure): void {
  const finish = startWindow();
  setTimeout(() => {
    send(floorResult(nodeId, finish(), []));
  }, request.durationMs);
}

serveBenchNode({ configure, measure });
