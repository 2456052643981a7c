// Every error code the transport can raise is explained in the package README.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { VRRP_ERROR_CODES } from '../../src/socket/errors.js';

it('the README documents every transport error code', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  // A row of the error table: | `CODE` | meaning | (padding is prettier's).
  const missing = Object.keys(VRRP_ERROR_CODES).filter(
    (code) => !new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`, 'm').test(readme),
  );
  assert.deepEqual(missing, []);
});
