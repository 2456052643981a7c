// Issue #13, proof: connection floods on the heartbeat port cannot exhaust a node. Idle TCP
// sockets, WebSocket connections that never say hello, and (on a cluster with cluster.tls)
// TLS handshakes trickled a byte at a time: the node must close each within its auth
// timeout, and keep one master and no peer-down meanwhile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startAttack } from '../src/attacks/attacker.js';
import { enableHeartbeatTls } from '../src/attacks/heartbeat-tls.js';
import { hasTool } from '../src/privileges.js';
import { HEARTBEAT_PORT } from '../src/vipd-cluster.js';
import {
  assertOneMaster,
  assertUndisturbed,
  AUTH_TIMEOUT_MS,
  longestHeldMs,
  note,
  noteWatch,
  pairCluster,
  SLACK_MS,
  underAttack,
  type FloodResult,
} from './adversarial-support.js';
import { e2eSkipReason, runScenario } from './support.js';

const skip = e2eSkipReason();
const tlsSkip = hasTool('openssl') ? false : 'needs openssl for the throwaway CA';
const ATTACK_TIMEOUT_MS = 60_000;
/** Long enough to see every connection of the first wave closed, or not. */
const FLOOD_MS = 6_000;
const HELD_BOUND_MS = AUTH_TIMEOUT_MS + SLACK_MS;

function assertClosedInTime(label: string, result: FloodResult): void {
  assert.ok(result.opened > 0, `${label}: the flood opened nothing`);
  assert.ok(
    longestHeldMs(result) <= HELD_BOUND_MS,
    `${label}: a connection was held ${longestHeldMs(result)} ms (bound ${HELD_BOUND_MS} ms): ${JSON.stringify(result)}`,
  );
}

describe('adversarial: connection floods on the heartbeat port', { skip }, () => {
  it('500 idle TCP sockets and 100 silent WebSockets: each closed within the auth timeout', async () => {
    await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
      const results: Record<string, FloodResult> = {};
      const attacked = await underAttack(s, async () => {
        const flood = (mode: string, count: number, total: number) =>
          startAttack(
            s.lab,
            s.lab.client,
            'connection-flood',
            [
              ...['--host', s.n1.ipv4, '--port', String(HEARTBEAT_PORT), '--mode', mode],
              ...['--count', String(count), '--total', String(total)],
              ...['--duration-ms', String(FLOOD_MS), '--path', '/vipd/heartbeat'],
            ],
            ATTACK_TIMEOUT_MS,
          );
        const tcp = flood('tcp', 500, 2_000);
        const ws = flood('ws', 100, 1_000);
        results['tcp'] = (await tcp.result) as unknown as FloodResult;
        results['ws'] = (await ws.result) as unknown as FloodResult;
      });
      note('flood results (lifetimes in ms)', results);
      noteWatch('flood', attacked);
      assertClosedInTime('idle TCP', results['tcp']!);
      assertClosedInTime('silent WebSocket', results['ws']!);
      assertUndisturbed(attacked, 'connection flood');
      await assertOneMaster(s, 'connection flood');
    });
  });

  it(
    'cluster.tls: 200 TLS handshakes trickled a byte at a time are closed within the auth timeout',
    { skip: tlsSkip },
    async () => {
      await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
        enableHeartbeatTls(s.lab, s.cluster);
        let result: FloodResult | undefined;
        const attacked = await underAttack(s, async () => {
          const flood = startAttack(
            s.lab,
            s.lab.client,
            'connection-flood',
            [
              ...['--host', s.n1.ipv4, '--port', String(HEARTBEAT_PORT), '--mode', 'tls-slow'],
              ...['--count', '200', '--total', '1000', '--trickle-ms', '100'],
              ...['--duration-ms', String(FLOOD_MS)],
            ],
            ATTACK_TIMEOUT_MS,
          );
          result = (await flood.result) as unknown as FloodResult;
        });
        note('slow TLS flood (lifetimes in ms)', result);
        noteWatch('slow TLS', attacked);
        assertClosedInTime('slow TLS handshake', result!);
        assertUndisturbed(attacked, 'slow TLS flood');
        await assertOneMaster(s, 'slow TLS flood');
      });
    },
  );
});
