// The deterministic VRRP link simulator, its own export path (`@vipd/vrrp/simulator`) so the
// daemon's import of the virtual router never carries it.
export { VrrpLinkSimulator } from './link-simulator.js';
export type {
  RouterId,
  SimAdvert,
  SimVrrpLifecycle,
  SimVrrpTransition,
  VrrpLinkSimulatorOptions,
} from './link-simulator.js';
export { firstMasterAfter, vrrpMasterIntervals, vrrpMastersAt } from './timeline.js';
export type { VrrpMasterInterval } from './timeline.js';
