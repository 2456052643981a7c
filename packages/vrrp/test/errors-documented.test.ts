// Every error code the package can raise (codec, transport, virtual router) is explained in
// the package README's error table.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { VRRP_ERROR_CODES } from '../src/errors.js';

it('the README documents every error code', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  // A row of the error table: | `CODE` | meaning | (padding is prettier's).
  const missing = Object.keys(VRRP_ERROR_CODES).filter(
    (code) => !new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`, 'm').test(readme),
  );
  assert.deepEqual(missing, []);
});
