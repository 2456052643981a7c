// A FrameSender with no socket behind it: the announcer's tests read what it would have sent
// and make it refuse sends as a full send buffer does.
import type { FrameSender } from '../announcer.js';
import { normalizeMac } from '../codec/address-text.js';
import type { MacAddress } from '../types.js';

export interface RecordingSender extends FrameSender {
  /** Every frame sent, in order, as copies. */
  readonly frames: Buffer[];
  setMac(mac: MacAddress): void;
  /** The next `count` sends report a full send buffer. */
  refuseNext(count: number): void;
  readonly closed: boolean;
}

/** A FrameSender that keeps what it is given, for announcer tests without a network. */
export function createRecordingSender(mac: MacAddress): RecordingSender {
  let current = normalizeMac(mac);
  let refusals = 0;
  let closed = false;
  const frames: Buffer[] = [];
  return {
    frames,
    macAddress: () => current,
    send: (frame) => {
      if (refusals > 0) {
        refusals--;
        return false;
      }
      frames.push(Buffer.from(frame));
      return true;
    },
    close: () => {
      closed = true;
    },
    setMac: (next) => {
      current = normalizeMac(next);
    },
    refuseNext: (count) => {
      refusals = count;
    },
    get closed() {
      return closed;
    },
  };
}
