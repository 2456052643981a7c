// What an operator set on this node that must outlive a restart: maintenance. A drained
// node that is rebooted for its patch must come back drained, not take its groups back
// (with preempt) before the operator says so. One small JSON file, replaced atomically.

import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { writeFileAtomically } from '../atomic-file.js';

export interface NodeState {
  readonly maintenance: boolean;
  /** When maintenance was last turned on or off (ISO 8601). */
  readonly changedAt: string;
}

export type NodeStateReading =
  | { readonly kind: 'absent' }
  | { readonly kind: 'read'; readonly state: NodeState }
  | { readonly kind: 'unreadable'; readonly reason: string };

export async function readNodeState(file: string): Promise<NodeStateReading> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'absent' };
    return { kind: 'unreadable', reason: `${code ?? 'error'}: ${(error as Error).message}` };
  }
  try {
    const parsed = JSON.parse(text) as Partial<NodeState> | null;
    if (typeof parsed?.maintenance !== 'boolean') {
      return { kind: 'unreadable', reason: 'no boolean "maintenance" in it' };
    }
    return {
      kind: 'read',
      state: {
        maintenance: parsed.maintenance,
        changedAt: typeof parsed.changedAt === 'string' ? parsed.changedAt : 'unknown',
      },
    };
  } catch (error) {
    return { kind: 'unreadable', reason: `not JSON: ${(error as Error).message}` };
  }
}

/** Writes the state atomically; returns why it could not, or null. */
export async function writeNodeState(file: string, state: NodeState): Promise<string | null> {
  try {
    await writeFileAtomically(file, `${JSON.stringify(state)}\n`);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `${code ?? 'error'}: ${(error as Error).message}`;
  }
}

/** The daemon's use of the file: maintenance as the operator last set it. */
export class MaintenanceRecord {
  constructor(
    /** The configured path now (node.state_file may change on reload). */
    private readonly file: () => string,
    private readonly log: Logger,
  ) {}

  /** Whether an operator left this node in maintenance before it (re)started. */
  async wasOn(): Promise<boolean> {
    const file = this.file();
    const reading = await readNodeState(file);
    if (reading.kind === 'absent') return false;
    if (reading.kind === 'unreadable') {
      this.log.warn(
        { file, reason: reading.reason },
        `cannot read ${file} (${reading.reason}); starting out of maintenance`,
      );
      return false;
    }
    if (reading.state.maintenance) {
      this.log.warn(
        { file, since: reading.state.changedAt, event: 'maintenance-kept' },
        `starting in maintenance, as set at ${reading.state.changedAt}: no group will be claimed until \`vipctl maintenance off\``,
      );
    }
    return reading.state.maintenance;
  }

  /** Keep the setting for the next start; failing costs only that, with a warning. */
  async keep(maintenance: boolean): Promise<void> {
    const file = this.file();
    const changedAt = new Date().toISOString();
    const problem = await writeNodeState(file, { maintenance, changedAt });
    if (problem !== null) {
      this.log.warn(
        { file, reason: problem },
        `maintenance ${maintenance ? 'on' : 'off'} is not kept across a restart: cannot write ${file} (${problem})`,
      );
    }
  }
}
