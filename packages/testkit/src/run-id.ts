import { randomBytes } from 'node:crypto';

/**
 * A short id unique to one lab run, used in every namespace, bridge and veth name the run
 * creates so parallel runs never collide. Interface names are limited to 15 bytes, so the
 * id stays at 6 hex characters.
 */
export function newRunId(): string {
  return randomBytes(3).toString('hex');
}
