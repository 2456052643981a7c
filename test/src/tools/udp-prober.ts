// The client prober: sends a datagram to the VIP every INTERVAL_MS and records, for every
// reply, when its probe left, when the reply came and which node answered. Runs in the
// client namespace. Prints JSON lines on stdout:
//   {"t":"ready"}                                          once the socket is bound
//   {"t":"responder","at":ms,"node":"n2","previous":"n1"} when a different node answers
//   {"t":"gap","from":ms,"to":ms,"gapMs":ms,"node":"n2"}  a reply after a silence >= GAP_MS
//   {"t":"dump","sent":n,"replies":[[seq,sentAt,receivedAt,nodeIndex],…],"nodes":[…]}
//       on the stdin line "dump" (replies since the previous dump)
//   {"t":"reset"} on the stdin line "reset": forget the last responder, so the next reply
//       is reported as a responder change even if the same node answers
// and exits on stdin "exit", end of stdin or SIGTERM. Times are wall-clock epoch ms with
// microsecond precision, comparable with tcpdump -tt and ping -D in other namespaces.
//
//   node udp-prober.js TARGET PORT INTERVAL_MS GAP_MS
import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { createInterface } from 'node:readline';

const [target, portText, intervalText, gapText] = process.argv.slice(2);
const port = Number(portText);
const intervalMs = Number(intervalText);
const gapReportMs = Number(gapText);
if (target === undefined || !Number.isInteger(port) || !(intervalMs > 0) || !(gapReportMs > 0)) {
  process.stderr.write('usage: udp-prober TARGET PORT INTERVAL_MS GAP_MS\n');
  process.exit(2);
}

const now = (): number => performance.timeOrigin + performance.now();
const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const emit = (event: object): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

// Send times by sequence number, in a ring large enough for any reply still in flight.
const RING = 1 << 16;
const sentAt = new Float64Array(RING);
let sequence = 0;
let sentSinceDump = 0;
const nodes: string[] = [];
let replies: [number, number, number, number][] = [];
let lastReplyAt: number | undefined;
let lastNode: string | undefined;

const socket = createSocket(isIPv6(target) ? 'udp6' : 'udp4');
socket.on('message', (message) => {
  const receivedAt = now();
  if (message.length < 4) return;
  const seq = message.readUInt32BE(0);
  const node = message.subarray(4).toString('utf8');
  let nodeIndex = nodes.indexOf(node);
  if (nodeIndex < 0) nodeIndex = nodes.push(node) - 1;
  const probeSentAt = sentAt[seq % RING] ?? 0;
  replies.push([seq, round(probeSentAt), round(receivedAt), nodeIndex]);
  if (lastReplyAt !== undefined && receivedAt - lastReplyAt >= gapReportMs) {
    emit({
      t: 'gap',
      from: round(lastReplyAt),
      to: round(receivedAt),
      gapMs: round(receivedAt - lastReplyAt),
      node,
    });
  }
  if (node !== lastNode) {
    emit({ t: 'responder', at: round(receivedAt), node, previous: lastNode ?? null });
    lastNode = node;
  }
  lastReplyAt = receivedAt;
});
// An ICMP unreachable (no ARP answer yet) surfaces as a socket error; probing goes on.
socket.on('error', () => undefined);

function sendProbe(): void {
  const probe = Buffer.alloc(4);
  probe.writeUInt32BE(sequence >>> 0, 0);
  sentAt[sequence % RING] = now();
  sequence = (sequence + 1) >>> 0;
  sentSinceDump += 1;
  socket.send(probe, port, target);
}

function dump(): void {
  emit({ t: 'dump', sent: sentSinceDump, replies, nodes });
  replies = [];
  sentSinceDump = 0;
}

socket.bind(0, () => {
  const timer = setInterval(sendProbe, intervalMs);
  const stop = (): void => {
    clearInterval(timer);
    socket.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    if (line === 'dump') dump();
    if (line === 'reset') {
      lastNode = undefined;
      emit({ t: 'reset' });
    }
    if (line === 'exit') stop();
  });
  input.on('close', stop);
  emit({ t: 'ready' });
});
