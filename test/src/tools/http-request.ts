// A one-shot HTTP request from inside a namespace (the vipd API listens on each node's own
// loopback, which the harness cannot reach from its namespace). Prints one JSON line:
//   {"status":200,"body":…,"elapsedMs":3.2}   or   {"error":"…"}
//
//   node http-request.js METHOD URL [TOKEN_FILE|-] [JSON_BODY]
import { readFileSync } from 'node:fs';

const [method, url, tokenFile, body] = process.argv.slice(2);
if (method === undefined || url === undefined) {
  process.stderr.write('usage: http-request METHOD URL [TOKEN_FILE|-] [JSON_BODY]\n');
  process.exit(2);
}
const headers: Record<string, string> = {};
if (tokenFile !== undefined && tokenFile !== '-') {
  headers['authorization'] = `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`;
}
if (body !== undefined) headers['content-type'] = 'application/json';
const startedAt = performance.now();
try {
  const response = await fetch(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON (e.g. /metrics): keep the text.
  }
  process.stdout.write(
    `${JSON.stringify({ status: response.status, body: parsed, elapsedMs: performance.now() - startedAt })}\n`,
  );
} catch (error) {
  process.stdout.write(`${JSON.stringify({ error: String(error) })}\n`);
}
