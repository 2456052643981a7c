import { readFile } from 'node:fs/promises';
import { errorText, type Check } from './check.js';

/**
 * keepalived's track_file: the file holds an integer the group multiplies by its weight.
 * A missing file reads as 0 (nothing to report yet); unreadable or non-numeric content is a
 * failure, because a half-written file must not silently mean "healthy".
 */
export function fileCheck(path: string): Check {
  return async () => {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return { ok: true, value: 0, detail: `${path} missing, reads as 0` };
      }
      return { ok: false, detail: errorText(error) };
    }
    const trimmed = text.trim();
    if (!/^[+-]?[0-9]{1,9}$/.test(trimmed)) {
      return {
        ok: false,
        detail: `${path} holds ${JSON.stringify(trimmed.slice(0, 20))}, not an integer`,
      };
    }
    const value = Number.parseInt(trimmed, 10);
    return { ok: true, value, detail: `value ${value}` };
  };
}
