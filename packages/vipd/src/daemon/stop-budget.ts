// How long `vipd run` can take from SIGTERM to exit, from the code's own waits. systemd
// SIGKILLs a service still running after TimeoutStopSec: a node killed while it hands its
// VIPs over, or while its notify hooks tell the rest of the system, leaves both half done.
// deploy/test/systemd-unit.test.ts checks the shipped unit's TimeoutStopSec against the
// default config's budget; `vipd check` prints a config's own budget.

import type { VipdConfig } from '../config/types.js';
import { RESIGN_GRACE_MS } from '../driver/resign.js';
import { COMMAND_TIMEOUT_MS } from '../realserver/linux-ops.js';

/**
 * Closing what has no timeout of its own (the API, the heartbeat listener and connections,
 * packet and netlink sockets): all local and immediate; one second of slack for a loaded host.
 */
export const TEARDOWN_SLACK_MS = 1000;

export interface StopTiming {
  readonly downMultiplier: number;
  readonly heartbeatIntervalMs: number;
  readonly notifyTimeoutMs: number;
  /** Notify scripts of the group with the most (top-level and its own): run one by one. */
  readonly notifyScriptsPerTransition: number;
  /** A real-server check may be in flight when the watcher stops. */
  readonly realServer: boolean;
  /**
   * The longest advert interval of a VRRP group (0: none). A resigning VRRP master waits at
   * most Master_Down_Interval (3 intervals plus the skew time, under one more) for the backup.
   */
  readonly vrrpAdvertIntervalMs?: number;
}

export interface StopBudget {
  /** driver.resign(): keep the VIPs until a backup took over, at most this. */
  readonly resignMs: number;
  /** The resign's transition runs each script of a group in turn, each killed at timeout. */
  readonly hooksMs: number;
  /** The real-server check in flight: one `ip` command at most before it fails. */
  readonly realServerMs: number;
  readonly teardownMs: number;
  readonly totalMs: number;
}

/**
 * The sum is an upper bound: hooks run while the rest is torn down. Not covered: runs a
 * flapping group had already queued before the stop (at most MAX_QUEUED_PER_GROUP of them).
 */
export function stopBudget(timing: StopTiming): StopBudget {
  const resignMs =
    Math.max(
      timing.downMultiplier * timing.heartbeatIntervalMs,
      4 * (timing.vrrpAdvertIntervalMs ?? 0),
    ) + RESIGN_GRACE_MS;
  const hooksMs = timing.notifyScriptsPerTransition * timing.notifyTimeoutMs;
  const realServerMs = timing.realServer ? COMMAND_TIMEOUT_MS : 0;
  const teardownMs = TEARDOWN_SLACK_MS;
  return {
    resignMs,
    hooksMs,
    realServerMs,
    teardownMs,
    totalMs: resignMs + hooksMs + realServerMs + teardownMs,
  };
}

export function stopTiming(config: VipdConfig): StopTiming {
  return {
    downMultiplier: config.cluster.downMultiplier,
    heartbeatIntervalMs: config.cluster.heartbeatIntervalMs,
    notifyTimeoutMs: config.notifyTimeoutMs,
    notifyScriptsPerTransition: Math.max(0, ...config.groups.map((g) => g.notify.length)),
    realServer: config.realserver !== undefined,
    vrrpAdvertIntervalMs: Math.max(0, ...config.groups.map((g) => g.vrrp?.advertIntervalMs ?? 0)),
  };
}
