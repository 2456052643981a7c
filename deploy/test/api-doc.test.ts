// docs/api.md is what `npm run docs:api` generates from the OpenAPI document the built
// daemon serves, so it cannot drift from the routes; and its links land on its headings.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fetchOpenApiDocument } from '../src/openapi-document.js';
import { renderApiMarkdown, type OpenApiDocument } from '../src/openapi-markdown.js';
import { headingAnchors } from './markdown.js';
import { DOCS_DIR } from './vipd-cli.js';

describe('docs/api.md', () => {
  let document: OpenApiDocument;
  let committed: string;
  before(async () => {
    document = await fetchOpenApiDocument();
    committed = readFileSync(join(DOCS_DIR, 'api.md'), 'utf8');
  });

  it('is what `npm run docs:api` generates from GET /openapi.json (not stale)', () => {
    assert.ok(
      committed === renderApiMarkdown(document),
      'docs/api.md is stale: run `npm run build && npm run docs:api` and commit it',
    );
  });

  it('has a section for every route of the document, the issue’s routes among them', () => {
    const anchors = headingAnchors(committed);
    const routes = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const route of [
      'GET /v1/status',
      'GET /v1/groups/{name}',
      'POST /v1/groups/{name}/takeover',
      'POST /v1/groups/{name}/release',
      'POST /v1/maintenance',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
    ])
      assert.ok(routes.includes(route), `the API has no ${route}`);
    for (const route of routes) {
      assert.match(committed, new RegExp(`^### ${route.replace(/[{}/]/g, '\\$&')}$`, 'm'), route);
    }
    for (const [, anchor] of committed.matchAll(/\]\(#([^)]+)\)/g)) {
      assert.ok(anchor !== undefined && anchors.has(anchor), `broken link #${anchor ?? ''}`);
    }
  });
});
