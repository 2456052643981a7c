// The heartbeat datagram path on /metrics (packages/heartbeat README "Datagram path"): what
// went out, what came in and what became of it, what was refused and why. Read from the
// mesh's counters at each scrape, like the connection drops.

import { Counter, type Registry } from 'prom-client';
import type { DatagramRejectReason, HeartbeatMeshStats } from '@vipd/heartbeat';
import { HEARTBEAT_REJECT_REASONS } from './known-series.js';

/** What became of an authentic datagram: news delivered, the stream's copy, or older. */
export type DatagramOutcome = 'delivered' | 'duplicate' | 'stale';

const DATAGRAM_OUTCOMES: readonly DatagramOutcome[] = ['delivered', 'duplicate', 'stale'];

export const DATAGRAM_REJECT_REASONS: readonly DatagramRejectReason[] = [
  ...HEARTBEAT_REJECT_REASONS,
  'datagram-unknown-source',
  'datagram-unknown-incarnation',
];

/** The datagram path's counters since start. */
export interface HeartbeatDatagramReading {
  readonly sent: number;
  readonly sendErrors: number;
  /** Probes (sent when a connection closed) the peer's kernel answered port unreachable. */
  readonly probesRefused: number;
  readonly received: Readonly<Record<DatagramOutcome, number>>;
  readonly rejected: Readonly<Record<DatagramRejectReason, number>>;
}

/** The mesh's counters as the datagram metrics read them. */
export function heartbeatDatagrams(stats: HeartbeatMeshStats): HeartbeatDatagramReading {
  return {
    sent: stats.datagramsSent,
    sendErrors: stats.datagramSendErrors,
    probesRefused: stats.datagramsRefused,
    received: {
      delivered: stats.datagramsReceived,
      duplicate: stats.datagramsDuplicate,
      stale: stats.datagramsStale,
    },
    rejected: stats.datagramsRejected,
  };
}

/** Every series exists from the first scrape with a mesh (zero until it counts). */
export function registerDatagramMetrics(
  registry: Registry,
  read: () => HeartbeatDatagramReading | undefined,
): void {
  const registers = [registry];
  new Counter({
    name: 'vipd_heartbeat_datagrams_sent_total',
    help: 'Heartbeats sent as UDP datagrams (cluster.heartbeat_datagram), all peers.',
    registers,
    collect() {
      this.reset();
      const reading = read();
      if (reading !== undefined) this.inc(reading.sent);
    },
  });
  new Counter({
    name: 'vipd_heartbeat_datagram_send_errors_total',
    help: 'Heartbeat datagrams the kernel refused to send (no route, unreachable, ...).',
    registers,
    collect() {
      this.reset();
      const reading = read();
      if (reading !== undefined) this.inc(reading.sendErrors);
    },
  });
  new Counter({
    name: 'vipd_heartbeat_datagram_probes_refused_total',
    help:
      'Probe datagrams, sent when a connection to a peer closed, answered ICMP port ' +
      'unreachable: the peer process was gone, reported closed at once.',
    registers,
    collect() {
      this.reset();
      const reading = read();
      if (reading !== undefined) this.inc(reading.probesRefused);
    },
  });
  new Counter({
    name: 'vipd_heartbeat_datagrams_received_total',
    help:
      'Authentic heartbeat datagrams received, by outcome: delivered (news: the stream had ' +
      'not brought it yet), duplicate (the stream did), stale (older than the last heartbeat).',
    labelNames: ['outcome'],
    registers,
    collect() {
      this.reset();
      const reading = read();
      if (reading === undefined) return;
      for (const outcome of DATAGRAM_OUTCOMES) this.inc({ outcome }, reading.received[outcome]);
    },
  });
  new Counter({
    name: 'vipd_heartbeat_datagrams_rejected_total',
    help:
      'Heartbeat datagrams refused, by reason: the frame reasons of the stream (bad-mac, ...), ' +
      'datagram-unknown-source (not from the address of the peer it names), ' +
      'datagram-unknown-incarnation (no connection proved that incarnation).',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      const reading = read();
      if (reading === undefined) return;
      for (const reason of DATAGRAM_REJECT_REASONS) this.inc({ reason }, reading.rejected[reason]);
    },
  });
}
