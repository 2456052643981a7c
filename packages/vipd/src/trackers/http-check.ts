import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errorText, type Check } from './check.js';

export interface HttpCheckOptions {
  readonly url: string;
  readonly expectStatus: readonly number[];
  readonly tlsVerify: boolean;
  readonly timeoutMs: number;
}

/** GET the URL (no redirects followed); healthy when the status is one of expectStatus. */
export function httpCheck(options: HttpCheckOptions): Check {
  const url = new URL(options.url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return (signal) =>
    new Promise((resolve) => {
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const req = request(url, {
        method: 'GET',
        signal: AbortSignal.any([signal, timeout]),
        rejectUnauthorized: options.tlsVerify,
        headers: { 'user-agent': 'vipd-tracker', connection: 'close' },
        agent: false,
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        // Drain and drop the body: only the status matters.
        res.resume();
        res.on('end', () => {
          resolve(
            options.expectStatus.includes(status)
              ? { ok: true, detail: `HTTP ${status}` }
              : {
                  ok: false,
                  detail: `HTTP ${status}, expected ${options.expectStatus.join(' or ')}`,
                },
          );
        });
        res.on('error', (error) => {
          resolve({ ok: false, detail: errorText(error) });
        });
      });
      req.on('error', (error) => {
        resolve({
          ok: false,
          detail: timeout.aborted ? `no answer within ${options.timeoutMs}ms` : errorText(error),
        });
      });
      req.end();
    });
}
