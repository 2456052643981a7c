// The real-server role: hidden VIPs for direct-routing load balancing.

export { applyRealServer, removeRealServer } from './apply.js';
export type { AppliedChange, ApplyResult, ChangeAction, RemoveResult } from './apply.js';
export { checkRealServer, IPV6_NOTE } from './check.js';
export { buildRealServerCommand } from './cli.js';
export type { RealServerCliOptions } from './cli.js';
export {
  DEFAULT_STATE_FILE,
  parseRealServerSection,
  REALSERVER_SCHEMA,
  toRealServerConfig,
} from './config.js';
export type { RealServerSection } from './config.js';
export { RealServerError } from './errors.js';
export type { RealServerErrorCode } from './errors.js';
export {
  EXIT_ERROR,
  EXIT_OK,
  EXIT_PROBLEMS,
  formatApplyResult,
  formatJson,
  formatRemoveResult,
  formatReport,
  reportExitCode,
} from './format.js';
export { arpAnnounceHidesVip, arpIgnoreVerdict, effectiveSysctl, rpFilterMode } from './kernel.js';
export type { ArpIgnoreVerdict, RpFilterMode } from './kernel.js';
export { LinuxSystemOps } from './linux-ops.js';
export type { LinuxSystemOpsOptions } from './linux-ops.js';
export { InMemoryFileStore, InMemorySystemOps } from './memory-ops.js';
export { createRealServerPromMetrics, problemSamples } from './metrics.js';
export type { RealServerMetricsSink } from './metrics.js';
export { NodeFileStore } from './node-files.js';
export { renderSysctlFile, SYSCTL_FILE_MARKER } from './sysctl-file.js';
export { daemonRealServerConfig, RealServerRole } from './role.js';
export type { RealServerRoleOptions } from './role.js';
export { RealServerWatcher } from './watcher.js';
export type { RealServerLog, RealServerWatcherOptions, WatchCycle } from './watcher.js';
export { PROBLEM_REASONS } from './types.js';
export type {
  AddressSpec,
  EffectiveSysctl,
  FileStore,
  HostAddress,
  InterfaceReport,
  IpFamily,
  Problem,
  ProblemReason,
  RealServerConfig,
  RealServerDeps,
  RealServerReport,
  SystemOps,
  SysctlKey,
  VipReport,
} from './types.js';
