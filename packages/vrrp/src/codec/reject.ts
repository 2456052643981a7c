// The one way the codec says no: a reason (a metric label) and a detail for the log line.
import type { AdvertRejectReason, DecodeResult } from './types.js';

export type Rejection = Extract<DecodeResult, { ok: false }>;

export function reject(reason: AdvertRejectReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}

export function hex16(value: number): string {
  return `0x${value.toString(16).padStart(4, '0')}`;
}
