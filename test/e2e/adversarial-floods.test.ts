// The adversarial suite (docs/security.md): connection floods on the heartbeat port cannot exhaust a node. Idle TCP
// sockets, WebSocket connections that never say hello, and (on a cluster with cluster.tls)
// TLS handshakes trickled a byte at a time: the node must close each within its auth
// timeout, and keep one master and no peer-down meanwhile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startAttack, type RunningAttack } from '../src/attacks/attacker.js';
import { enableHeartbeatTls } from '../src/attacks/heartbeat-tls.js';
import type { LabHost } from '../src/lab.js';
import { hasTool } from '@vipd/testkit';
import { HEARTBEAT_PORT } from '../src/vipd-cluster.js';
import {
  assertLinkBack,
  assertOneMaster,
  assertUndisturbed,
  AUTH_TIMEOUT_MS,
  cutLinkOnce,
  longestHeldMs,
  note,
  noteWatch,
  pairCluster,
  SLACK_MS,
  underAttack,
  type FloodResult,
  type LinkCut,
} from './adversarial-support.js';
import { e2eSkipReason, runScenario, sleep, type Scenario } from './support.js';

const skip = e2eSkipReason();
const tlsSkip = hasTool('openssl') ? false : 'needs openssl for the throwaway CA';
const ATTACK_TIMEOUT_MS = 60_000;
/** Long enough to see every connection of the first wave closed, or not. */
const FLOOD_MS = 6_000;
const HELD_BOUND_MS = AUTH_TIMEOUT_MS + SLACK_MS;

/** More than the node's 20 shared unauthenticated slots (16 + 4 per peer). */
const SILENT_WS = 30;

/** A connection-flood run from the client against a node's heartbeat port. */
function heartbeatFlood(
  s: Scenario,
  target: LabHost,
  mode: 'tcp' | 'ws',
  count: number,
  total: number,
  durationMs: number,
): RunningAttack {
  return startAttack(
    s.lab,
    s.lab.client,
    'connection-flood',
    [
      ...['--host', target.ipv4, '--port', String(HEARTBEAT_PORT), '--mode', mode],
      ...['--count', String(count), '--total', String(total), '--reopen-delay-ms', '100'],
      ...['--duration-ms', String(durationMs), '--path', '/vipd/heartbeat'],
    ],
    ATTACK_TIMEOUT_MS,
  );
}

function assertClosedInTime(label: string, result: FloodResult): void {
  assert.ok(result.opened > 0, `${label}: the flood opened nothing`);
  assert.ok(
    longestHeldMs(result) <= HELD_BOUND_MS,
    `${label}: a connection was held ${longestHeldMs(result)} ms (bound ${HELD_BOUND_MS} ms): ${JSON.stringify(result)}`,
  );
}

describe('adversarial: connection floods on the heartbeat port', { skip }, () => {
  it(`500 idle TCP sockets and ${SILENT_WS} silent WebSockets: each closed within the auth timeout`, async () => {
    await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
      const results: Record<string, FloodResult> = {};
      const attacked = await underAttack(s, async () => {
        const tcp = heartbeatFlood(s, s.n1, 'tcp', 500, 2_000, FLOOD_MS);
        const ws = heartbeatFlood(s, s.n1, 'ws', SILENT_WS, 3_000, FLOOD_MS);
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

  // Found while writing this suite: a keyless flood that kept every unauthenticated slot
  // taken on both nodes delayed their redials after a cut until a slot happened to be free
  // (0.1 s to over 5 s in six runs, n2 master meanwhile). Now a source gets at most 4 of the
  // shared slots and each configured peer address keeps 4 of its own, so the redial is let in.
  it(`${SILENT_WS} silent WebSockets on each node: a cut n1–n2 link still comes back at once`, async () => {
    await runScenario({ nodes: 2, cluster: pairCluster }, async (s) => {
      const results: Record<string, FloodResult> = {};
      let cut: LinkCut | undefined;
      const attacked = await underAttack(s, async (a) => {
        // Both nodes: each end redials the other after a cut, so both accept paths count.
        const floods = [s.n1, s.n2].map((node) => ({
          node,
          attack: heartbeatFlood(s, node, 'ws', SILENT_WS, 3_000, 8_000),
        }));
        await Promise.all(floods.map((f) => f.attack.ready));
        await sleep(2_000);
        cut = await cutLinkOnce(s, a);
        for (const f of floods) {
          results[f.node.name] = (await f.attack.result) as unknown as FloodResult;
        }
      });
      note('pending-slot flood (lifetimes in ms)', results);
      note('pending-slot flood: link back after the cut (ms)', cut?.backAfterMs);
      noteWatch('pending-slot flood', attacked);
      for (const [node, result] of Object.entries(results)) {
        assertClosedInTime(`silent WebSocket to ${node}`, result);
      }
      assertLinkBack('pending-slot flood', attacked, cut!);
      await assertOneMaster(s, 'pending-slot flood');
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
