// Config validation, done once up front (constructor and reconfigure) so the state machine
// never has to wonder whether a priority is 300 or an interval is NaN. Every problem is
// reported, each with the path of the field and why it is wrong.
import type { ElectionConfig } from './types.js';

export type ElectionConfigErrorCode =
  | 'NOT_AN_OBJECT'
  | 'MISSING'
  | 'WRONG_TYPE'
  | 'INVALID_NAME'
  | 'OUT_OF_RANGE'
  | 'NOT_AN_INTEGER'
  | 'DUPLICATE'
  | 'SELF_AS_PEER'
  /** reconfigure(): the field cannot change on a reload (the node id). */
  | 'IMMUTABLE';

export interface ElectionConfigError {
  readonly code: ElectionConfigErrorCode;
  /** Dotted path of the offending field, e.g. `groups[1].priority`. */
  readonly path: string;
  readonly message: string;
}

export class InvalidElectionConfigError extends Error {
  readonly code = 'ELECTION_CONFIG_INVALID';
  readonly errors: readonly ElectionConfigError[];

  constructor(errors: readonly ElectionConfigError[]) {
    super(`invalid election config: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.name = 'InvalidElectionConfigError';
    this.errors = errors;
  }
}

export const MIN_DOWN_MULTIPLIER = 2;
export const MAX_DOWN_MULTIPLIER = 100;
/** One hour: longer intervals or delays are a typo (ms vs s), not a design. */
export const MAX_INTERVAL_MS = 3_600_000;
export const MAX_PREEMPT_DELAY_MS = 3_600_000;
export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 255;
const MAX_NAME_LENGTH = 128;
// Names end up in metric labels, log lines and heartbeats: printable, no spaces.
const NAME_PATTERN = /^[\x21-\x7e]+$/;

type Report = (code: ElectionConfigErrorCode, path: string, message: string) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkName(value: unknown, path: string, what: string, report: Report): value is string {
  if (value === undefined) {
    report('MISSING', path, `${what} is required`);
    return false;
  }
  if (typeof value !== 'string') {
    report('WRONG_TYPE', path, `${what} must be a string, got ${typeof value}`);
    return false;
  }
  if (value in Object.prototype) {
    report(
      'INVALID_NAME',
      path,
      `${what} ${JSON.stringify(value)} is a built-in object property name; pick another`,
    );
    return false;
  }
  if (value.length === 0 || value.length > MAX_NAME_LENGTH || !NAME_PATTERN.test(value)) {
    report(
      'INVALID_NAME',
      path,
      `${what} must be 1-${MAX_NAME_LENGTH} printable characters without spaces, got ${JSON.stringify(value)}`,
    );
    return false;
  }
  return true;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value === null ? 'null' : typeof value;
}

function checkNumber(
  value: unknown,
  path: string,
  range: { min: number; max: number; integer: boolean; minExclusive?: boolean },
  why: string,
  report: Report,
): void {
  if (value === undefined) {
    report('MISSING', path, `is required (${why})`);
    return;
  }
  if (typeof value !== 'number' || Number.isNaN(value)) {
    report('WRONG_TYPE', path, `must be a number, got ${describeValue(value)}`);
    return;
  }
  if (range.integer && !Number.isInteger(value)) {
    report('NOT_AN_INTEGER', path, `must be a whole number, got ${value}`);
    return;
  }
  const belowMin = range.minExclusive === true ? value <= range.min : value < range.min;
  if (belowMin || value > range.max || !Number.isFinite(value)) {
    const lower = range.minExclusive === true ? `> ${range.min}` : `>= ${range.min}`;
    report('OUT_OF_RANGE', path, `must be ${lower} and <= ${range.max} (${why}), got ${value}`);
  }
}

function checkBoolean(value: unknown, path: string, report: Report): void {
  if (value === undefined) report('MISSING', path, 'is required (true or false)');
  else if (typeof value !== 'boolean')
    report('WRONG_TYPE', path, `must be true or false, got ${describeValue(value)}`);
}

function checkGroups(value: unknown, report: Report): void {
  if (value === undefined) {
    report('MISSING', 'groups', 'is required (an empty list makes a witness)');
    return;
  }
  if (!Array.isArray(value)) {
    report('WRONG_TYPE', 'groups', 'must be a list of groups');
    return;
  }
  const seen = new Map<string, number>();
  value.forEach((group: unknown, index) => {
    const path = `groups[${index}]`;
    if (!isRecord(group)) {
      report('NOT_AN_OBJECT', path, 'must be an object with name, priority, preempt, ...');
      return;
    }
    if (checkName(group.name, `${path}.name`, 'group name', report)) {
      const first = seen.get(group.name);
      if (first === undefined) seen.set(group.name, index);
      else
        report(
          'DUPLICATE',
          `${path}.name`,
          `group ${JSON.stringify(group.name)} is already defined at groups[${first}]`,
        );
    }
    checkNumber(
      group.priority,
      `${path}.priority`,
      { min: MIN_PRIORITY, max: MAX_PRIORITY, integer: true },
      '1-254 normal, 255 address owner, 0 never master',
      report,
    );
    checkBoolean(group.preempt, `${path}.preempt`, report);
    checkNumber(
      group.preemptDelayMs,
      `${path}.preemptDelayMs`,
      { min: 0, max: MAX_PREEMPT_DELAY_MS, integer: false },
      'milliseconds to wait before preempting',
      report,
    );
    if (group.syncGroup !== undefined)
      checkName(group.syncGroup, `${path}.syncGroup`, 'sync group name', report);
  });
}

function checkPeers(value: unknown, nodeId: unknown, report: Report): void {
  if (value === undefined) {
    report('MISSING', 'peers', 'is required (an empty list runs a single node)');
    return;
  }
  if (!Array.isArray(value)) {
    report('WRONG_TYPE', 'peers', 'must be a list of node ids');
    return;
  }
  const seen = new Map<string, number>();
  value.forEach((peer: unknown, index) => {
    const path = `peers[${index}]`;
    if (!checkName(peer, path, 'peer id', report)) return;
    if (peer === nodeId) {
      report('SELF_AS_PEER', path, `${JSON.stringify(peer)} is this node's own id (nodeId)`);
      return;
    }
    const first = seen.get(peer);
    if (first === undefined) seen.set(peer, index);
    else
      report(
        'DUPLICATE',
        path,
        `peer ${JSON.stringify(peer)} is already listed at peers[${first}]`,
      );
  });
}

/** Every problem with the config, or an empty list. Never throws, whatever `config` is. */
export function validateElectionConfig(config: unknown): ElectionConfigError[] {
  const errors: ElectionConfigError[] = [];
  const report: Report = (code, path, message) => errors.push({ code, path, message });
  if (!isRecord(config)) {
    report('NOT_AN_OBJECT', '', 'the election config must be an object');
    return errors;
  }
  checkName(config.nodeId, 'nodeId', 'node id', report);
  checkPeers(config.peers, config.nodeId, report);
  checkNumber(
    config.heartbeatIntervalMs,
    'heartbeatIntervalMs',
    { min: 0, max: MAX_INTERVAL_MS, integer: false, minExclusive: true },
    'the heartbeat interval must be > 0',
    report,
  );
  checkNumber(
    config.downMultiplier,
    'downMultiplier',
    { min: MIN_DOWN_MULTIPLIER, max: MAX_DOWN_MULTIPLIER, integer: true },
    'at least 2 so a late heartbeat does not fail the master over; 3 survives a lost one',
    report,
  );
  checkBoolean(config.quorum, 'quorum', report);
  checkGroups(config.groups, report);
  return errors;
}

/** The throwing form, used by the Election constructor and reconfigure(). */
export function assertValidElectionConfig(config: unknown): asserts config is ElectionConfig {
  const errors = validateElectionConfig(config);
  if (errors.length > 0) throw new InvalidElectionConfigError(errors);
}
