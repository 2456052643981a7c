// A bad-token flood against the vipd REST API: `--count` mutating calls with a wrong
// bearer token, `--concurrency` at a time over keep-alive connections. Reports the status
// codes the API answered with.
//
//   node api-bad-token.js --url http://127.0.0.1:7411/v1/groups/web/takeover
//        [--count 2000] [--concurrency 20] [--duration-ms 60000 (hard limit)]
import { randomBytes } from 'node:crypto';
import { AttackFlags, hardDeadline, report } from './attack-io.js';

const flags = new AttackFlags();
const url = flags.text('url');
const count = flags.count('count', 20_000, 2_000);
const concurrency = flags.count('concurrency', 100, 20);
const durationMs = flags.count('duration-ms', 120_000, 60_000);
hardDeadline(durationMs);

const statuses: Record<string, number> = {};
let sent = 0;
const startedAt = performance.now();

async function worker(): Promise<void> {
  while (sent < count) {
    sent += 1;
    let key: string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${randomBytes(24).toString('hex')}` },
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      key = String(response.status);
    } catch (error) {
      key = error instanceof Error ? error.name : 'error';
    }
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
}

report({ t: 'ready' });
await Promise.all(Array.from({ length: concurrency }, () => worker()));
report({
  t: 'result',
  sent,
  statuses,
  elapsedMs: Math.round(performance.now() - startedAt),
});
process.exit(0);
