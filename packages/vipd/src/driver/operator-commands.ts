// What an operator asks of the driver (REST API, startup maintenance): the command goes to
// the election as an event, its answer comes back as an action in the same step, and a
// takeover or release then waits until the VIPs have actually moved.

import type { ElectionAction, ElectionEvent, OperatorCommand, RefusalCode } from '@vipd/election';
import type { Clock } from '@vipd/clock';
import type { CommandOutcome, GroupView, TakeoverResult } from '../api/control.js';
import type { VipHolder } from './vip-holder.js';
import type { Waiters } from './waiters.js';

export type CommandResult =
  { ok: true; message: string } | { ok: false; code: RefusalCode | undefined; message: string };

export interface OperatorCommandDeps {
  readonly clock: Clock;
  /** Hands an event to the driver loop (which steps it before returning, once started). */
  readonly submit: (event: ElectionEvent) => void;
  readonly waiters: Waiters;
  readonly holder: Pick<VipHolder, 'isHeld' | 'isLingering'>;
  readonly stateOf: (group: string) => string | undefined;
  readonly group: (name: string) => GroupView | null;
  /** Maintenance as the election has it now; undefined once stopped. */
  readonly maintenance: () => boolean | undefined;
}

export class OperatorCommands {
  readonly #deps: OperatorCommandDeps;
  #nextCommandId = 1;
  readonly #pending = new Map<string, (result: CommandResult) => void>();

  constructor(deps: OperatorCommandDeps) {
    this.#deps = deps;
  }

  send(operator: OperatorCommand): Promise<CommandResult> {
    const commandId = `op-${this.#nextCommandId++}`;
    return new Promise((resolve) => {
      this.#pending.set(commandId, resolve);
      this.#deps.submit({ type: 'operator', nowMs: this.#deps.clock.now(), commandId, operator });
      if (this.#pending.has(commandId)) {
        // The election answers every command in the step that receives it.
        this.#pending.delete(commandId);
        resolve({ ok: false, code: undefined, message: 'the election did not answer the command' });
      }
    });
  }

  /** The election's answer to a command sent with send(). */
  answer(action: Extract<ElectionAction, { type: 'command-result' }>): void {
    const resolve = this.#pending.get(action.commandId);
    this.#pending.delete(action.commandId);
    resolve?.(
      action.ok
        ? { ok: true, message: action.message }
        : { ok: false, code: action.code, message: action.message },
    );
  }

  async takeover(group: string, timeoutMs: number): Promise<CommandOutcome<TakeoverResult>> {
    const { clock, holder } = this.#deps;
    const startedAt = clock.now();
    const result = await this.send({ command: 'takeover', group });
    if (!result.ok) return refused(result);
    const announced = await this.#deps.waiters.waitUntil(
      () => this.#deps.stateOf(group) === 'MASTER' && holder.isHeld(group),
      timeoutMs,
    );
    const view = this.#deps.group(group);
    if (!announced || view === null) {
      return {
        ok: false,
        code: 'TAKEOVER_TIMEOUT',
        message: `${group} was not master with its VIPs announced within ${timeoutMs}ms (state ${view?.state ?? 'unknown'}); see the log`,
      };
    }
    return { ok: true, value: { group: view, durationMs: clock.now() - startedAt } };
  }

  async release(group: string, timeoutMs: number): Promise<CommandOutcome<GroupView>> {
    const { holder } = this.#deps;
    const result = await this.send({ command: 'release', group });
    if (!result.ok) return refused(result);
    const released = await this.#deps.waiters.waitUntil(
      () => !holder.isHeld(group) && !holder.isLingering(group),
      timeoutMs,
    );
    const view = this.#deps.group(group);
    if (!released || view === null) {
      return {
        ok: false,
        code: 'RELEASE_TIMEOUT',
        message: `${group} still holds its VIPs after ${timeoutMs}ms: no other node took over yet`,
      };
    }
    return { ok: true, value: view };
  }

  async setMaintenance(
    enabled: boolean,
  ): Promise<CommandOutcome<{ readonly maintenance: boolean }>> {
    const result = await this.send({ command: 'maintenance', enabled });
    if (!result.ok) return refused(result);
    return { ok: true, value: { maintenance: this.#deps.maintenance() ?? enabled } };
  }
}

function refused(result: { ok: false; code: RefusalCode | undefined; message: string }): {
  ok: false;
  code: RefusalCode | 'INTERNAL';
  message: string;
} {
  return { ok: false, code: result.code ?? 'INTERNAL', message: result.message };
}
