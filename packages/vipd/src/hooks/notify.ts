// Notify hooks: scripts run on every state change of a group, with the change in their
// environment (runScript's: PATH, locale, TZ and the VIPD_* variables below, never a
// secret). Runs are queued per group so a group's scripts see its changes in order;
// different groups run concurrently; nothing here ever blocks the driver loop.

import { systemClock, type Clock } from '@vipd/clock';
import type { GroupState, TransitionReason } from '@vipd/election';
import type { VrrpTransitionReason } from '@vipd/vrrp';
import type { Logger } from 'pino';
import type { EventSink } from '../events/types.js';
import type { NotifyResult, VipdMetrics } from '../metrics/metrics.js';
import { runScript } from '../run-script.js';

export interface NotifyTransition {
  readonly group: string;
  readonly from: GroupState;
  readonly to: GroupState;
  readonly epoch: number;
  /** The election's reason for a mesh group, the virtual router's for a VRRP group. */
  readonly reason: TransitionReason | VrrpTransitionReason;
  /** The group's interface and VIPs (address/prefix), as keepalived scripts read them from their config. */
  readonly interface: string;
  readonly addresses: readonly string[];
  /** The master after the change as this node sees it: a node id (mesh), an address (VRRP), or null. */
  readonly master: string | null;
  /** This node's priority for the group now (keepalived's fourth notify argument). */
  readonly priority: number;
}

export interface NotifyOptions {
  readonly nodeId: string;
  readonly timeoutMs: number;
  readonly logger: Logger;
  readonly metrics?: VipdMetrics;
  /** Failed runs (not started, failed, killed, dropped) go to the event history. */
  readonly events?: EventSink;
  /** Times each run's deadline and the duration it logs; the scripts run in real time. */
  readonly clock?: Clock;
}

/** Runs queued beyond this per group are dropped (oldest first) so a flapping group cannot pile up work. */
export const MAX_QUEUED_PER_GROUP = 64;
const OUTPUT_TAIL_CHARS = 500;

interface Run {
  readonly script: string;
  readonly transition: NotifyTransition;
}

export class NotifyRunner {
  readonly #options: NotifyOptions;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #queues = new Map<string, Run[]>();
  readonly #active = new Map<string, Promise<void>>();
  #timeoutMs: number;

  constructor(options: NotifyOptions) {
    this.#options = options;
    this.#timeoutMs = options.timeoutMs;
    this.#log = options.logger.child({ component: 'notify' });
    this.#clock = options.clock ?? systemClock;
  }

  setTimeoutMs(timeoutMs: number): void {
    this.#timeoutMs = timeoutMs;
  }

  /** Queue every script for this transition; returns at once. */
  notify(scripts: readonly string[], transition: NotifyTransition): void {
    if (scripts.length === 0) return;
    const queue = this.#queues.get(transition.group) ?? [];
    this.#queues.set(transition.group, queue);
    for (const script of scripts) queue.push({ script, transition });
    while (queue.length > MAX_QUEUED_PER_GROUP) {
      const dropped = queue.shift();
      this.#options.metrics?.notifyRuns.inc({ result: 'dropped' });
      if (dropped !== undefined)
        this.#recordFailure(
          'dropped',
          dropped.script,
          dropped.transition,
          `notify queue of ${transition.group} full; the oldest run was dropped`,
        );
      this.#log.warn(
        { group: transition.group, script: dropped?.script },
        'notify queue full; dropped the oldest run',
      );
    }
    if (!this.#active.has(transition.group)) this.#drain(transition.group);
  }

  /** Resolves when every queued run has finished (shutdown). */
  async idle(): Promise<void> {
    while (this.#active.size > 0) await Promise.all(this.#active.values());
  }

  #drain(group: string): void {
    const work = (async () => {
      const queue = this.#queues.get(group) ?? [];
      for (let run = queue.shift(); run !== undefined; run = queue.shift()) {
        await this.#run(run);
      }
    })().finally(() => {
      this.#active.delete(group);
      this.#queues.delete(group);
    });
    this.#active.set(group, work);
  }

  #recordFailure(result: NotifyResult, script: string, t: NotifyTransition, detail: string): void {
    this.#options.events?.record({
      kind: 'hook-failure',
      group: t.group,
      from: t.from,
      to: t.to,
      reason: result,
      subject: script,
      detail,
    });
  }

  async #run(run: Run): Promise<void> {
    const { script, transition: t } = run;
    const startedAt = this.#clock.now();
    const timeoutMs = this.#timeoutMs;
    const outcome = await runScript({
      path: script,
      args: ['INSTANCE', t.group, t.to],
      env: {
        VIPD_NODE: this.#options.nodeId,
        VIPD_GROUP: t.group,
        VIPD_OLD_STATE: t.from,
        VIPD_NEW_STATE: t.to,
        VIPD_EPOCH: String(t.epoch),
        VIPD_REASON: t.reason,
        VIPD_INTERFACE: t.interface,
        VIPD_ADDRESSES: t.addresses.join(' '),
        VIPD_MASTER: t.master ?? '',
        VIPD_PRIORITY: String(t.priority),
      },
      timeoutMs,
      outputTailChars: OUTPUT_TAIL_CHARS,
      clock: this.#clock,
    });
    const output = outcome.kind === 'spawn-error' ? '' : outcome.output.trim();
    const finish = (result: NotifyResult, fields: Record<string, unknown>, message: string) => {
      this.#options.metrics?.notifyRuns.inc({ result });
      const entry = {
        group: t.group,
        script,
        from: t.from,
        to: t.to,
        epoch: t.epoch,
        result,
        durationMs: Math.round(this.#clock.now() - startedAt),
        ...(output === '' ? {} : { output }),
        ...fields,
      };
      if (result === 'ok') this.#log.info(entry, message);
      else {
        this.#log.warn(entry, message);
        this.#recordFailure(result, script, t, message);
      }
    };
    switch (outcome.kind) {
      case 'spawn-error':
        finish(
          'spawn-error',
          { error: outcome.error.message },
          `notify ${script} could not start: ${outcome.error.message}`,
        );
        return;
      case 'timeout':
      case 'aborted':
        finish('timeout', {}, `notify ${script} killed after ${timeoutMs}ms`);
        return;
      case 'exited':
        if (outcome.code === 0) {
          finish('ok', {}, `notify ${script} ${t.group} ${t.from}->${t.to} done`);
          return;
        }
        finish(
          'failed',
          { exitCode: outcome.code, signal: null },
          `notify ${script} failed (exit ${outcome.code})`,
        );
        return;
      case 'signalled':
        finish(
          'failed',
          { exitCode: null, signal: outcome.signal },
          `notify ${script} failed (${outcome.signal})`,
        );
        return;
    }
  }
}
