// What an operator set on this node that must outlive a restart: maintenance. A drained
// node that is rebooted for its patch must come back drained, not take its groups back
// (with preempt) before the operator says so. One small JSON file, replaced atomically and
// flushed to disk; a file that is there but unreadable keeps the node drained too. A write
// that fails (full disk, read-only directory) keeps the node drained in memory and says so:
// in the log, in the API's answer and in vipd_maintenance_persisted.

import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { overwriteInPlace, writeFileAtomically } from '../atomic-file.js';

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

/** What became of a write: kept (and how), or why not. */
export type NodeStateWrite =
  | { readonly persisted: true; readonly how: 'replaced' | 'rewritten-in-place' }
  | { readonly persisted: false; readonly reason: string; readonly code: string };

function failure(error: unknown): { persisted: false; reason: string; code: string } {
  const code = (error as NodeJS.ErrnoException).code ?? 'error';
  return { persisted: false, reason: `${code}: ${(error as Error).message}`, code };
}

/**
 * Writes the state atomically. When that fails and the state turns maintenance ON, the old
 * file (which says off, or it would not matter) is rewritten where it lies: on a full disk
 * that still works, and a torn result cannot be read, which starts the node drained too —
 * every outcome fails closed. Turning maintenance off is never written that way: a failed
 * write there leaves a file that still says on, which is the safe side already.
 */
export async function writeNodeState(file: string, state: NodeState): Promise<NodeStateWrite> {
  const text = `${JSON.stringify(state)}\n`;
  try {
    await writeFileAtomically(file, text);
    return { persisted: true, how: 'replaced' };
  } catch (error) {
    if (!state.maintenance) return failure(error);
    try {
      await overwriteInPlace(file, text);
      return { persisted: true, how: 'rewritten-in-place' };
    } catch {
      // The first error says why (ENOSPC, EROFS, EACCES); the fallback's ENOENT would not.
      return failure(error);
    }
  }
}

/** The series the record keeps current. */
export interface MaintenanceMetrics {
  /** 1 while the state file holds the maintenance setting the node runs with. */
  readonly maintenancePersisted: Gauge;
  readonly stateFileWriteFailures: Counter<'code'>;
}

/** What the API says of a maintenance change beyond the setting itself. */
export interface MaintenancePersistence {
  readonly persisted: boolean;
  /** Why the setting is not in the state file ("ENOSPC: …"); absent when it is. */
  readonly persistError?: string;
}

/** The daemon's use of the file: maintenance as the operator last set it. */
export class MaintenanceRecord {
  constructor(
    /** The configured path now (node.state_file may change on reload). */
    private readonly file: () => string,
    private readonly log: Logger,
    private readonly metrics: MaintenanceMetrics,
  ) {
    metrics.maintenancePersisted.set(1);
  }

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
      // Drained, but not because the file says so: the next `maintenance off` must rewrite it.
      this.metrics.maintenancePersisted.set(0);
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

  /**
   * Keep the setting for the next start. The setting itself is already in force: a failed
   * write never undoes it (a drain that cannot be saved is still a drain), it is reported.
   */
  async keep(maintenance: boolean): Promise<MaintenancePersistence> {
    const file = this.file();
    const changedAt = new Date().toISOString();
    const written = await writeNodeState(file, { maintenance, changedAt });
    if (written.persisted) {
      this.metrics.maintenancePersisted.set(1);
      if (written.how === 'rewritten-in-place')
        this.log.warn(
          { file, event: 'maintenance-persisted-in-place' },
          `maintenance ${maintenance ? 'on' : 'off'} kept by rewriting ${file} in place: replacing it failed (full disk or no room for a new file?)`,
        );
      return { persisted: true };
    }
    this.metrics.maintenancePersisted.set(0);
    this.metrics.stateFileWriteFailures.inc({ code: written.code });
    this.log.error(
      {
        file,
        reason: written.reason,
        code: 'NODE_STATE_NOT_PERSISTED',
        event: 'maintenance-not-persisted',
      },
      `maintenance is ${maintenance ? 'ON' : 'off'} now, but NOT kept across a restart: cannot write ${file} (${written.reason}). ` +
        (maintenance
          ? 'A restart before this is fixed brings the node back OUT of maintenance unless the old file says on; free the space or fix the directory, then run `vipctl maintenance on` again'
          : 'The old file still says on, so a restart comes back drained; fix the directory, then run `vipctl maintenance off` again'),
    );
    return { persisted: false, persistError: written.reason };
  }
}
