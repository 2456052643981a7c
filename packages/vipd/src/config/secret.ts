import { timingSafeEqual, createHash } from 'node:crypto';
import { inspect } from 'node:util';

const REDACTED = '[REDACTED]';

/**
 * A key or token. Serialising or inspecting it (JSON.stringify, a logger, console.log)
 * prints [REDACTED]; only `reveal()` gives the bytes, so a leak has to be written on purpose.
 */
export class Secret {
  readonly #value: Buffer;

  constructor(value: string | Uint8Array) {
    this.#value = Buffer.from(value);
  }

  reveal(): Buffer {
    return this.#value;
  }

  get byteLength(): number {
    return this.#value.length;
  }

  /** Constant-time comparison; hashing first hides the length too. */
  equals(candidate: string): boolean {
    const a = createHash('sha256').update(this.#value).digest();
    const b = createHash('sha256').update(candidate).digest();
    return timingSafeEqual(a, b);
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
