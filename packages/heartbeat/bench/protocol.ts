// Messages between the benchmark driver and its node processes (IPC, advanced serialization).

export interface NodeConfig {
  readonly type: 'config';
  readonly nodeId: string;
  readonly port: number;
  readonly peers: readonly { readonly id: string; readonly address: string }[];
  readonly intervalMs: number;
  readonly groups: number;
  readonly key: string;
}

export interface Measure {
  readonly type: 'measure';
  readonly durationMs: number;
  /** Each node's (mesh clock - CLOCK_MONOTONIC): makes cross-process timestamps comparable. */
  readonly clockOffsetsMs: Readonly<Record<string, number>>;
}

export interface Stop {
  readonly type: 'stop';
}

export type DriverMessage = NodeConfig | Measure | Stop;

export interface Ready {
  readonly type: 'ready';
  readonly clockOffsetMs: number;
  readonly frameBytes: number;
}

export interface Result {
  readonly type: 'result';
  readonly nodeId: string;
  readonly cpuPercent: number;
  /** Voluntary context switches per second: how often the process slept and was woken. */
  readonly wakeupsPerS: number;
  /** One-way delivery latency of every heartbeat received while measuring. */
  readonly latenciesMs: Float64Array;
  readonly rttMs: readonly number[];
  readonly peerDowns: number;
  readonly rejected: number;
  readonly skipped: number;
}

export type NodeMessage = Ready | Result;
