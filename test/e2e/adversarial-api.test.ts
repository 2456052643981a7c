// The adversarial suite (docs/security.md): the REST API cannot be exhausted from outside. The API listens on the
// node's loopback, so the attacker runs inside n1's namespace: slowloris (headers a byte at
// a time on hundreds of connections) and a flood of takeovers with a wrong bearer token.
// The node keeps one master and no peer-down, a legitimate GET /v1/status answers quickly
// throughout, and the bad tokens cost at most a handful of log lines (they are counted).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startAttack } from '../src/attacks/attacker.js';
import { API_PORT } from '../src/vipd-cluster.js';
import {
  assertOneMaster,
  assertUndisturbed,
  counterTotal,
  note,
  noteWatch,
  pairCluster,
  sampleStatus,
  underAttack,
  type StatusSample,
} from './adversarial-support.js';
import { e2eSkipReason, runScenario, wallClockMs } from './support.js';

const skip = e2eSkipReason();
const ATTACK_TIMEOUT_MS = 90_000;
/** "Quickly" for one GET on a loaded 2-core machine (it takes a few ms when idle). */
const STATUS_BOUND_MS = 1_000;
/** "A handful": what a rate-limited warning may print over a flood of a few seconds. */
const MAX_WARNINGS = 10;
const BAD_TOKEN_CALLS = 2_000;

function assertAnswered(label: string, samples: readonly StatusSample[]): void {
  assert.ok(samples.length >= 3, `${label}: too few status samples (${samples.length})`);
  for (const sample of samples) {
    assert.ok(
      sample.status === 200 && sample.elapsedMs <= STATUS_BOUND_MS,
      `${label}: GET /v1/status answered ${String(sample.status)} in ${sample.elapsedMs} ms: ${JSON.stringify(samples)}`,
    );
  }
}

describe('adversarial: REST API', { skip }, () => {
  it('slowloris: 300 connections sending headers a byte at a time; /v1/status still answers', async () => {
    await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
      let result: Record<string, unknown> = {};
      let samples: StatusSample[] = [];
      const attacked = await underAttack(s, async () => {
        const attack = startAttack(
          s.lab,
          s.n1,
          'connection-flood',
          [
            ...['--host', '127.0.0.1', '--port', String(API_PORT), '--mode', 'http-slow'],
            ...['--count', '300', '--total', '1500', '--trickle-ms', '200'],
            ...['--duration-ms', '8000', '--path', '/v1/status'],
          ],
          ATTACK_TIMEOUT_MS,
        );
        await attack.ready;
        samples = await sampleStatus(s, s.n1, attack.result);
        result = await attack.result;
      });
      note('slowloris attacker (lifetimes in ms)', result);
      note(
        'slowloris: legitimate GET /v1/status (ms)',
        samples.map((x) => x.elapsedMs),
      );
      noteWatch('slowloris', attacked);
      assert.ok(Number(result['opened']) > 0, 'the attacker opened nothing');
      assertAnswered('slowloris', samples);
      assertUndisturbed(attacked, 'slowloris');
      await assertOneMaster(s, 'slowloris');
    });
  });

  it(`bad-token flood: ${BAD_TOKEN_CALLS} takeovers with a wrong token are refused, counted, and barely logged`, async () => {
    await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
      let result: Record<string, unknown> = {};
      let samples: StatusSample[] = [];
      let counted = 0;
      let floodStartMs = 0;
      const attacked = await underAttack(s, async () => {
        const rejectedBefore = await counterTotal(s, s.n1, 'vipd_api_requests_rejected_total');
        floodStartMs = wallClockMs();
        const attack = startAttack(
          s.lab,
          s.n1,
          'api-bad-token',
          [
            ...['--url', `http://127.0.0.1:${API_PORT}/v1/groups/web/takeover`],
            ...['--count', String(BAD_TOKEN_CALLS), '--concurrency', '20'],
          ],
          ATTACK_TIMEOUT_MS,
        );
        await attack.ready;
        samples = await sampleStatus(s, s.n1, attack.result, 200);
        result = await attack.result;
        counted =
          (await counterTotal(s, s.n1, 'vipd_api_requests_rejected_total')) - rejectedBefore;
      });
      // From the first call to the end of the watch (a second after the flood): lines the
      // logger wrote late still count.
      const warnings = attacked.watch.warnings(floodStartMs).filter((w) => w.node === 'n1');
      note('bad-token attacker', result);
      note(
        'bad-token: legitimate GET /v1/status (ms)',
        samples.map((x) => x.elapsedMs),
      );
      note('bad-token: counted in vipd_api_requests_rejected_total', counted);
      note(
        'bad-token: warning lines logged during the flood',
        `${warnings.length}${warnings.length > 0 ? ` (first: ${JSON.stringify(warnings[0])})` : ''}`,
      );
      noteWatch('bad-token', attacked);
      const statuses = result['statuses'] as Record<string, number>;
      assert.equal(result['sent'], BAD_TOKEN_CALLS);
      const refused = Object.entries(statuses)
        .filter(([status]) => status === '401' || status === '429')
        .reduce((sum, [, n]) => sum + n, 0);
      assert.equal(refused, BAD_TOKEN_CALLS, `not every call refused: ${JSON.stringify(statuses)}`);
      assert.ok(counted >= BAD_TOKEN_CALLS, `only ${counted} refusals counted in the metric`);
      assert.ok(
        warnings.length <= MAX_WARNINGS,
        `${warnings.length} warning lines for one flood (at most ${MAX_WARNINGS})`,
      );
      assertAnswered('bad-token flood', samples);
      assertUndisturbed(attacked, 'bad-token flood');
      await assertOneMaster(s, 'bad-token flood');
    });
  });
});
