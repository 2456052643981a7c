// @vipd/vipd: the daemon as a library, for the lab, the deploy checks and embedding.

export { VIPD_VERSION } from './version.js';

// Errors
export { ERROR_CATALOG, ERROR_CODES, VipdError, isErrorCode } from './errors.js';
export type { ErrorCode, ErrorSpec } from './errors.js';

// Configuration
export { CONFIG_SCHEMA, TRACKER_TYPES } from './config/schema.js';
export type { JsonSchema } from './config/schema.js';
export { fullConfigSchema } from './config/validate.js';
export {
  ConfigError,
  loadConfigFile,
  parseConfig,
  formatProblem,
  formatProblemAt,
  MIN_CLUSTER_KEY_BYTES,
  MIN_API_TOKEN_BYTES,
} from './config/load.js';
export type { LoadOptions, LoadedConfig } from './config/load.js';
export { renderConfigurationMarkdown } from './config/docs.js';
export { parseDurationMs, formatDuration } from './config/duration.js';
export { Secret } from './config/secret.js';
export type {
  VipdConfig,
  GroupSpec,
  TrackerSpec,
  TrackerType,
  TrackRef,
  ConfigProblem,
  LogLevel,
  LogFormat,
} from './config/types.js';

// REST API
export { buildApp, BODY_LIMIT_BYTES } from './api/app.js';
export type { ApiDeps } from './api/app.js';
export type {
  DaemonControl,
  DaemonPhase,
  StatusView,
  GroupView,
  PeerView,
  TrackerView,
  CommandOutcome,
  TakeoverResult,
} from './api/control.js';

// Metrics and logs
export { VipdMetrics, GROUP_STATES } from './metrics/metrics.js';
export type { MetricsSources, TrackerReading as MetricsTrackerReading } from './metrics/metrics.js';
export { createLogger, silentLogger, REDACT_PATHS } from './log/logger.js';
export type { LoggerOptions, Logger } from './log/logger.js';

// The driver loop
export {
  Driver,
  toElectionConfig,
  ADDRESS_RETRY_MS,
  RESIGN_GRACE_MS,
  VIP_FAULT_TRACKER,
} from './driver/driver.js';
export { stopBudget, stopTiming, TEARDOWN_SLACK_MS } from './daemon/stop-budget.js';
export type { StopBudget, StopTiming } from './daemon/stop-budget.js';
export type { DriverDeps } from './driver/driver.js';
export { VipHolder } from './driver/vip-holder.js';
export type { AddressPort, AnnouncerPort } from './driver/vip-holder.js';

// Trackers and hooks
export { TrackerSet, createCheck, interfaceTrackerName } from './trackers/tracker-set.js';
export type { TrackerEffectOnGroup, TrackerState } from './trackers/tracker-set.js';
export { Tracker } from './trackers/tracker.js';
export type { TrackerReading } from './trackers/tracker.js';
export { trackEffect } from './trackers/effect.js';
export { NotifyRunner } from './hooks/notify.js';
export type { NotifyTransition } from './hooks/notify.js';

// The daemon and the CLIs
export { Daemon } from './daemon/daemon.js';
export type { DaemonOptions } from './daemon/daemon.js';
export { HOST_PARTS } from './daemon/parts.js';
export type { DaemonParts } from './daemon/parts.js';
export { planReload } from './daemon/reload-plan.js';
export type { ReloadPlan } from './daemon/reload-plan.js';
export { EXIT, NO_RESTART_EXITS, startFailureExit } from './cli/exit-codes.js';
export { buildVipdProgram, DEFAULT_CONFIG_FILE } from './cli/vipd.js';
export { buildVipctlProgram, renderStatus, DEFAULT_API } from './cli/vipctl.js';
