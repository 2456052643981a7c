// `npm run docs:api`: writes docs/api.md from the OpenAPI document of the built daemon.
// `--check` exits 1 instead when the committed file is stale.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fetchOpenApiDocument } from './openapi-document.js';
import { renderApiMarkdown } from './openapi-markdown.js';

export const API_DOC = fileURLToPath(new URL('../../../docs/api.md', import.meta.url));

const markdown = renderApiMarkdown(await fetchOpenApiDocument());
if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(API_DOC, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (committed !== markdown) {
    console.error(`${API_DOC} is stale: run \`npm run build && npm run docs:api\``);
    process.exitCode = 1;
  }
} else {
  writeFileSync(API_DOC, markdown);
  console.log(`wrote ${API_DOC}`);
}
