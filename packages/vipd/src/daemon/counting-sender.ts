// Wraps a packet socket so every announcement frame that leaves is counted by kind: the
// metrics then say what really went out, not what was scheduled.

import type { FrameSender } from '@vipd/arp';
import { ETHERTYPE_ARP, ETHERTYPE_IPV6 } from '@vipd/arp';
import type { VipdMetrics } from '../metrics/metrics.js';

/** Ethernet header: destination (6), source (6), then the ethertype. */
const ETHERTYPE_OFFSET = 12;

export function countingSender(
  sender: FrameSender,
  iface: string,
  metrics: VipdMetrics,
): FrameSender {
  return {
    macAddress: () => sender.macAddress(),
    close: () => {
      sender.close();
    },
    send: (frame) => {
      const sent = sender.send(frame);
      if (sent && frame.length > ETHERTYPE_OFFSET + 1) {
        const ethertype = Buffer.from(
          frame.buffer,
          frame.byteOffset,
          frame.byteLength,
        ).readUInt16BE(ETHERTYPE_OFFSET);
        if (ethertype === ETHERTYPE_ARP) metrics.garpSent.inc({ interface: iface });
        else if (ethertype === ETHERTYPE_IPV6) metrics.naSent.inc({ interface: iface });
      }
      return sent;
    },
  };
}
