// The page's calls to the node that served it (same origin, the only one its CSP allows).
// Reads carry no token, like vipctl status. Commands carry the operator's token as a bearer
// header; the token is passed in per call and never written anywhere.

import type { StatusView } from '../../src/api/control.js';
import type { VipdEvent } from '../../src/events/types.js';

/** An answer the API refused, with its catalogued code (docs/errors.md). */
export class ApiRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(response: Response): Promise<unknown> {
  const body: unknown = await response.json().catch(() => null);
  if (response.ok) return body;
  const { code, message } = (body ?? {}) as { code?: unknown; message?: unknown };
  throw new ApiRefusal(
    response.status,
    typeof code === 'string' ? code : `HTTP_${response.status}`,
    typeof message === 'string' ? message : response.statusText,
  );
}

export async function fetchStatus(): Promise<StatusView> {
  const response = await fetch('/v1/status', { cache: 'no-store' });
  return (await readJson(response)) as StatusView;
}

/** A page of the node's event history (GET /v1/events): its newest events, oldest first. */
export interface EventPage {
  readonly lastSeq: number;
  readonly events: readonly VipdEvent[];
}

export async function fetchEvents(limit: number): Promise<EventPage> {
  const response = await fetch(`/v1/events?limit=${limit}`, { cache: 'no-store' });
  return (await readJson(response)) as EventPage;
}

/** POST a command with the bearer token; the answer's JSON, or an ApiRefusal. */
export async function sendCommand(path: string, token: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: 'POST',
    headers,
    cache: 'no-store',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return readJson(response);
}
