import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderConfigurationMarkdown } from '../../src/config/docs.js';
import { CONFIG_SCHEMA } from '../../src/config/schema.js';

const CONFIGURATION_DOC = new URL('../../../../../docs/configuration.md', import.meta.url);

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` generates from the schema (not stale)', () => {
    const committed = readFileSync(CONFIGURATION_DOC, 'utf8');
    assert.ok(
      committed === renderConfigurationMarkdown(),
      'docs/configuration.md is stale: run `npm run build && npm run docs:config` and commit it',
    );
  });

  it('mentions every top-level key of the schema', () => {
    const markdown = renderConfigurationMarkdown();
    for (const key of Object.keys(CONFIG_SCHEMA['properties'])) {
      assert.match(markdown, new RegExp(`^## \`${key}(\\[\\])?\``, 'm'), key);
    }
  });
});
