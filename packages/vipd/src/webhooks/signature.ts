// How a webhook receiver knows a POST came from this cluster and is not a replay: the body is
// signed with HMAC-SHA256 under the webhook's secret, together with the time it was sent.
// The MAC covers `<timestamp>.<raw body>` so a captured request cannot be re-sent later with a
// fresh timestamp; the receiver refuses timestamps outside a few minutes of its clock, and
// `X-Vipd-Delivery` (node and seq) lets it drop a retry it already handled.

import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-vipd-signature';
export const TIMESTAMP_HEADER = 'x-vipd-timestamp';
export const DELIVERY_HEADER = 'x-vipd-delivery';
export const EVENT_HEADER = 'x-vipd-event';

const SCHEME = 'sha256=';

/** Five minutes either way, as Stripe and Slack allow for their signed callbacks. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** `sha256=<hex>` of HMAC-SHA256(key, "<timestampSeconds>.<body>"). */
export function signWebhook(key: Uint8Array, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', key).update(`${timestampSeconds}.`).update(body);
  return SCHEME + mac.digest('hex');
}

export interface SignedRequest {
  /** The raw body exactly as received, before any JSON parsing. */
  readonly body: string;
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
}

export type SignatureCheck = 'ok' | 'missing' | 'bad-signature' | 'stale';

/** What a receiver does (docs/operations.md shows the same in a few lines of another language). */
export function verifyWebhook(
  key: Uint8Array,
  request: SignedRequest,
  nowSeconds: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  const { signature, timestamp, body } = request;
  if (signature === undefined || timestamp === undefined || !/^\d{1,12}$/.test(timestamp))
    return 'missing';
  const expected = Buffer.from(signWebhook(key, Number(timestamp), body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'bad-signature';
  return Math.abs(nowSeconds - Number(timestamp)) <= toleranceSeconds ? 'ok' : 'stale';
}
