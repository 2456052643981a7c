import type { ProbeReply } from './probe-analysis.js';

// `ping -D -n` prints, per reply:
//   [1712345678.123456] 64 bytes from 10.213.5.100: icmp_seq=12 ttl=64 time=0.061 ms
// (IPv6 the same with the v6 address). The bracket is the receive time in epoch seconds.
const REPLY_LINE =
  /^\[(\d+\.\d+)\] \d+ bytes from ([0-9a-fA-F.:]+)(?: \([^)]*\))?: icmp_seq=(\d+) (?:ttl|hlim)=\d+ time=([\d.]+) ms/;

/**
 * One ping reply as a probe reply (responder unknown to ping: node ""). The send time is
 * the receive time minus the printed round-trip time. Lines that are not replies (headers,
 * "Destination Host Unreachable", statistics) give undefined.
 */
export function parsePingLine(line: string): ProbeReply | undefined {
  const match = REPLY_LINE.exec(line.trim());
  if (match === null) return undefined;
  const receivedAtMs = Number(match[1]) * 1000;
  const rttMs = Number(match[4]);
  return { seq: Number(match[3]), sentAtMs: receivedAtMs - rttMs, receivedAtMs, node: '' };
}

export function parsePingOutput(output: string): ProbeReply[] {
  return output
    .split('\n')
    .map(parsePingLine)
    .filter((reply): reply is ProbeReply => reply !== undefined);
}
