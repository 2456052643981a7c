// Every refused VRRP packet is counted by reason and logged, at most one line per interface
// and reason per interval: a misconfigured router next door sends one every advert interval,
// and a line each would bury the transitions in the log.

import type { AdvertRejectReason } from '@vipd/vrrp';
import type { Logger } from 'pino';
import { RefusalLog } from '../api/refusal-log.js';
import type { VipdMetrics } from '../metrics/metrics.js';

/** One warning per interface and reason per this long; the counter has every packet. */
export const REJECT_LOG_INTERVAL_MS = 10_000;

export interface Rejection {
  readonly interfaceName: string;
  /** The group the packet was for, once its VRID named one. */
  readonly group?: string;
  readonly reason: AdvertRejectReason;
  readonly detail: string;
  readonly sourceAddress: string;
}

export class RejectionLog {
  readonly #metrics: VipdMetrics;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #logs = new Map<string, RefusalLog>();

  constructor(options: { metrics: VipdMetrics; log: Logger; now: () => number }) {
    this.#metrics = options.metrics;
    this.#log = options.log;
    this.#now = options.now;
  }

  reject(rejection: Rejection): void {
    const { interfaceName, reason, detail, sourceAddress } = rejection;
    const group = rejection.group ?? '';
    this.#metrics.vrrpAdvertsRejected.inc({ interface: interfaceName, group, reason });
    const key = `${interfaceName}|${reason}`;
    let log = this.#logs.get(key);
    if (log === undefined) {
      log = new RefusalLog({ log: this.#log, intervalMs: REJECT_LOG_INTERVAL_MS, now: this.#now });
      this.#logs.set(key, log);
    }
    log.warn(
      { interface: interfaceName, group: rejection.group, reason, detail, source: sourceAddress },
      `VRRP packet from ${sourceAddress} on ${interfaceName} refused (${reason}): ${detail}`,
    );
  }

  /** On close, say how many were not logged one by one. */
  flush(): void {
    for (const [key, log] of this.#logs) log.flush(`VRRP packets refused (${key})`);
  }
}
