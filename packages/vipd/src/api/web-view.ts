// The web view at /ui/: one page that reads /v1/status and the event stream of this node and
// sends the operator's takeover, release and maintenance calls with the token typed into it.
// Its files ship inside the package (ui/ for the page and its style, dist/ui/ for the script
// compiled from ui/src), are read once when the app is built and served from memory under a
// fixed list of names, so no request path ever reaches the file system.
//
// The page's Content-Security-Policy allows nothing but this origin's own script, style and
// API: no inline script (an injected event detail cannot run), no other origin to send the
// token to, no framing (clickjacking of the takeover button), no form posts elsewhere.

import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const WEB_VIEW_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** One file of the page, as it is served. */
export interface WebAsset {
  readonly contentType: string;
  readonly body: Buffer;
}

/** Where the page's files are in the installed package, relative to this compiled module. */
const PAGE_DIR = new URL('../../../ui/', import.meta.url);
const SCRIPT_DIR = new URL('../../ui/', import.meta.url);

function readAssets(dir: URL, names: readonly string[]): [string, WebAsset][] {
  return names.map((name) => [
    name,
    {
      contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
      body: readFileSync(new URL(name, dir)),
    },
  ]);
}

/**
 * The page's files by the name they are served under (`index.html` for /ui/ itself). Empty
 * when the package was built without them: /ui/ then answers 404 and the API works as before.
 */
export function loadWebAssets(
  pageDir: URL = PAGE_DIR,
  scriptDir: URL = SCRIPT_DIR,
): ReadonlyMap<string, WebAsset> {
  if (!existsSync(new URL('index.html', pageDir)) || !existsSync(scriptDir)) return new Map();
  const scripts = readdirSync(scriptDir).filter((name) => name.endsWith('.js'));
  return new Map([
    ...readAssets(pageDir, ['index.html', 'style.css', 'icon.svg']),
    ...readAssets(scriptDir, scripts),
  ]);
}

function sendAsset(reply: FastifyReply, asset: WebAsset) {
  return (
    reply
      .header('content-security-policy', WEB_VIEW_CSP)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      // The page is a few kilobytes; an upgraded node must never run yesterday's script.
      .header('cache-control', 'no-cache')
      .type(asset.contentType)
      .send(asset.body)
  );
}

/** GET /ui/ and its files; unknown names fall through to the API's 404. */
export function registerWebView(
  app: FastifyInstance,
  assets: ReadonlyMap<string, WebAsset>,
  notFound: (reply: FastifyReply, path: string) => FastifyReply,
): void {
  const hide = { schema: { hide: true } };
  app.get('/ui', hide, (_request, reply) => reply.redirect('/ui/', 308));
  const serve = (name: string, reply: FastifyReply) => {
    const asset = assets.get(name);
    return asset === undefined ? notFound(reply, `/ui/${name}`) : sendAsset(reply, asset);
  };
  app.get('/ui/', hide, (_request, reply) => serve('index.html', reply));
  app.get<{ Params: { file: string } }>('/ui/:file', hide, (request, reply) =>
    serve(request.params.file, reply),
  );
}
