import { readFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { systemClock, type Clock } from '@vipd/clock';
import { errorText, type Check, type CheckResult } from './check.js';

export interface HttpCheckOptions {
  readonly url: string;
  readonly expectStatus: readonly number[];
  readonly tlsVerify: boolean;
  /** CA bundle (PEM) to verify the server against instead of the system store. */
  readonly caFile?: string;
  readonly timeoutMs: number;
}

/** GET the URL (no redirects followed); healthy when the status is one of expectStatus. */
export function httpCheck(options: HttpCheckOptions, clock: Clock = systemClock): Check {
  const url = new URL(options.url);
  const https = url.protocol === 'https:';
  const request = https ? httpsRequest : httpRequest;
  const caFile = https && options.tlsVerify ? options.caFile : undefined;
  return async (signal) => {
    let ca: Buffer | undefined;
    if (caFile !== undefined) {
      // Read at every check: a renewed CA takes effect without a reload.
      try {
        ca = await readFile(caFile);
      } catch (error) {
        return { ok: false, detail: `cannot read ca_file ${caFile}: ${errorText(error)}` };
      }
    }
    return get(request, url, options, signal, ca, clock);
  };
}

function get(
  request: typeof httpRequest | typeof httpsRequest,
  url: URL,
  options: HttpCheckOptions,
  signal: AbortSignal,
  ca: Buffer | undefined,
  clock: Clock,
): Promise<CheckResult> {
  return new Promise((resolve) => {
    // AbortSignal.timeout, on the injected clock (same reason, so the same error surfaces).
    const timeout = new AbortController();
    const timer = clock.setTimeout(() => {
      timeout.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, options.timeoutMs);
    const finish = (result: CheckResult) => {
      clock.clearTimeout(timer);
      resolve(result);
    };
    const req = request(url, {
      method: 'GET',
      signal: AbortSignal.any([signal, timeout.signal]),
      rejectUnauthorized: options.tlsVerify,
      ...(ca === undefined ? {} : { ca }),
      headers: { 'user-agent': 'vipd-tracker', connection: 'close' },
      agent: false,
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      // Drain and drop the body: only the status matters.
      res.resume();
      res.on('end', () => {
        finish(
          options.expectStatus.includes(status)
            ? { ok: true, detail: `HTTP ${status}` }
            : {
                ok: false,
                detail: `HTTP ${status}, expected ${options.expectStatus.join(' or ')}`,
              },
        );
      });
      res.on('error', (error) => {
        finish({ ok: false, detail: errorText(error) });
      });
    });
    req.on('error', (error) => {
      finish({
        ok: false,
        detail: timeout.signal.aborted
          ? `no answer within ${options.timeoutMs}ms`
          : errorText(error),
      });
    });
    req.end();
  });
}
