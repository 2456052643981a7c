// What an operator set on this node that must outlive a restart: maintenance. A drained
// node that is rebooted for its patch must come back drained, not take its groups back
// (with preempt) before the operator says so. One small JSON file, replaced atomically and
// flushed to disk; a file that is there but unreadable keeps the node drained too.

import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { writeFileAtomically } from '../atomic-file.js';

/** The file as vipd writes it. */
const nodeStateSchema = Type.ReadonlyObject(
  Type.Object({
    maintenance: Type.Boolean(),
    changedAt: Type.String({
      description: 'When maintenance was last turned on or off (ISO 8601).',
    }),
  }),
);
export type NodeState = Static<typeof nodeStateSchema>;

/**
 * What a file must hold to be understood: the setting itself. A missing or odd `changedAt`
 * (a hand-edited file) costs only the date in the log line, so it does not make the file
 * unreadable, which would drain the node.
 */
const understood = Compile(
  Type.Object({
    maintenance: nodeStateSchema.properties.maintenance,
    changedAt: Type.Optional(Type.Unknown()),
  }),
);

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
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { kind: 'unreadable', reason: `not JSON: ${(error as Error).message}` };
  }
  if (!understood.Check(parsed)) {
    return { kind: 'unreadable', reason: 'no boolean "maintenance" in it' };
  }
  return {
    kind: 'read',
    state: {
      maintenance: parsed.maintenance,
      changedAt: typeof parsed.changedAt === 'string' ? parsed.changedAt : 'unknown',
    },
  };
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

  /**
   * Whether this node starts in maintenance: as the operator left it, and also when the file
   * exists but cannot be read or understood. That fails closed: an empty or cut-short file
   * after a power loss must not bring a drained node back into the election.
   */
  async wasOn(): Promise<boolean> {
    const file = this.file();
    const reading = await readNodeState(file);
    if (reading.kind === 'absent') return false;
    if (reading.kind === 'unreadable') {
      this.log.error(
        { file, reason: reading.reason, code: 'NODE_STATE_UNREADABLE', event: 'maintenance-kept' },
        `cannot read ${file} (${reading.reason}); starting IN maintenance, so this node claims no group. ` +
          `It may have been in maintenance before: check why, then \`vipctl maintenance off\` (which rewrites ${file}), ` +
          `or delete ${file} before the next start`,
      );
      return true;
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
