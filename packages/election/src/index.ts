export type {
  NodeId,
  GroupName,
  GroupState,
  Priority,
  GroupConfig,
  ElectionConfig,
  PeerGroupState,
  PeerLostReason,
  OperatorCommand,
  ElectionEvent,
  TransitionReason,
  RefusalCode,
  ElectionAction,
  GroupStatus,
  ElectionStatus,
} from './types.js';
export { Election, majorityOf } from './election.js';
export {
  validateElectionConfig,
  assertValidElectionConfig,
  InvalidElectionConfigError,
  MIN_DOWN_MULTIPLIER,
  MAX_DOWN_MULTIPLIER,
  MAX_INTERVAL_MS,
  MAX_PREEMPT_DELAY_MS,
} from './config.js';
export type { ElectionConfigError, ElectionConfigErrorCode } from './config.js';
export { IllegalTransitionError, isLegalTransition } from './transitions.js';
export {
  PRIORITY_OWNER,
  PRIORITY_RESIGN,
  weightedPriority,
  compareCandidates,
  compareClaims,
} from './priority.js';
export type { MasterClaim } from './priority.js';
export { isValidAdvert } from './peer-advert.js';
