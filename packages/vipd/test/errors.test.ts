import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CATALOG, ERROR_CODES, VipdError } from '../src/errors.js';

const ERRORS_DOC = new URL('../../../../docs/errors.md', import.meta.url);

/** Rows of the docs tables: | `CODE` | status | text | */
function documentedCodes(): Map<string, number> {
  const rows = new Map<string, number>();
  for (const match of readFileSync(ERRORS_DOC, 'utf8').matchAll(
    /^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm,
  )) {
    rows.set(match[1]!, Number(match[2]));
  }
  return rows;
}

describe('error catalog', () => {
  it('documents every code in docs/errors.md with its HTTP status', () => {
    const documented = documentedCodes();
    for (const code of ERROR_CODES) {
      assert.equal(documented.get(code), ERROR_CATALOG[code].httpStatus, `docs/errors.md: ${code}`);
    }
  });

  it('documents no code that does not exist', () => {
    for (const code of documentedCodes().keys()) {
      assert.ok(ERROR_CODES.includes(code as never), `docs/errors.md lists unknown code ${code}`);
    }
  });

  it('gives every code a valid HTTP status and a message', () => {
    for (const code of ERROR_CODES) {
      const { httpStatus, message } = ERROR_CATALOG[code];
      assert.ok(httpStatus >= 400 && httpStatus <= 599, code);
      assert.ok(message.length > 0, code);
    }
  });

  it('builds the REST error body from code and message', () => {
    const error = new VipdError('NO_QUORUM', 'hears 1 of 3 voters');
    assert.deepEqual(error.toBody(), { code: 'NO_QUORUM', message: 'hears 1 of 3 voters' });
    assert.equal(error.httpStatus, 409);
    assert.equal(new VipdError('UNAUTHORIZED').message, ERROR_CATALOG.UNAUTHORIZED.message);
  });
});
