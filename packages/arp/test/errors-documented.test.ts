// Every error code the package can raise is explained in its README.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CODES } from '../src/errors.js';

it('the README documents every error code', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  // A row of the error table: | `CODE` | meaning | (padding is prettier's).
  const missing = Object.keys(ERROR_CODES).filter(
    (code) => !new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`, 'm').test(readme),
  );
  assert.deepEqual(missing, []);
});
