// What the cluster did and why, one record per thing that happened: the contract between the
// places that record events (driver, mesh, trackers, hooks, reload, API) and the places that
// read them (the ring behind GET /v1/events, the SSE stream, the web view, webhooks).
// Change with care: the JSON of an event is part of the REST API and the webhook payload.

export const EVENT_KINDS = [
  'transition',
  'operator',
  'peer',
  'tracker',
  'conflict',
  'hook-failure',
  'reload',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface VipdEvent {
  /** Increases by one per event on this node since it started: `?since=` takes it. */
  readonly seq: number;
  /** Unix time in milliseconds. */
  readonly timeMs: number;
  readonly kind: EventKind;
  /** The node that recorded it. */
  readonly node: string;
  /** The group it concerns; absent for node-wide events (peer, reload, maintenance). */
  readonly group?: string;
  /** State before and after (transition), or the peer's state (peer: 'up' | 'down'). */
  readonly from?: string;
  readonly to?: string;
  /** Machine-readable cause: the election's transition reason, the command, the peer-down reason… */
  readonly reason: string;
  /** One human sentence. */
  readonly detail?: string;
  /** The group's epoch after a transition (mesh groups). */
  readonly epoch?: number;
  /** Who asked: an operator action's `actor` field, else 'api' / 'signal' / 'vipd'. */
  readonly actor?: string;
  /** Peer id (peer events), tracker name (tracker events), hook path (hook-failure). */
  readonly subject?: string;
}

/** An event as a recorder hands it over: the ring assigns seq, time and node. */
export type EventInput = Omit<VipdEvent, 'seq' | 'timeMs' | 'node'>;

/** Where every part of the daemon records events. */
export interface EventSink {
  record(event: EventInput): void;
}
