// The deterministic cluster simulator, its own export path (`@vipd/election/simulator`) so the
// daemon's import of the election never carries it, as raft keeps rafttest apart.
export { ClusterSimulator } from './cluster-simulator.js';
export type {
  ClusterSimulatorOptions,
  SimTransition,
  SimCommandResult,
  SimLifecycle,
} from './cluster-simulator.js';
export { SeededRandom } from './random.js';
export { EventQueue } from './event-queue.js';
export { EventQueueRunner } from './event-queue-runner.js';
export { NetworkedSimulator } from './networked-simulator.js';
export type { NetworkedSimulatorOptions } from './networked-simulator.js';
export { SimulatedNetwork, DEFAULT_LINK } from './network.js';
export type { LinkProfile, LinkChange } from './network.js';
export {
  masterIntervals,
  masterOverlaps,
  mastersAt,
  reliableSpans,
  mutuallyReliableMs,
  longestMutuallyReliableMs,
} from './timeline.js';
export type { MasterInterval, MasterOverlap } from './timeline.js';
