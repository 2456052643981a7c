// RFC 5227 §2.1 "is anyone using this address?" before claiming a VIP (and its IPv6
// counterpart, an RFC 4862 DAD solicitation). Off the fast path by nature — it must wait for
// answers — so the daemon runs it only when configured. RFC 5227's own timers (PROBE_NUM 3,
// 1-2 s apart, ANNOUNCE_WAIT 2 s) add seconds to a failover; vipd's defaults wait 400 ms.
import { arpProbe, duplicateAddressProbe } from './codec/announcements.js';
import { decode, encode } from './codec/frame.js';
import { ArpError, FrameDecodeError } from './errors.js';
import { claimIn, type ClaimKind } from './claims.js';
import {
  systemClock as systemScheduler,
  type Clock as Scheduler,
  type TimerHandle,
} from '@vipd/clock';
import { openPacketSocket } from './sys/packet-socket.js';
import type { MacAddress } from './types.js';
import { ipFamily, normalizeIp } from './codec/address-text.js';
import type { FrameSender } from './announcer.js';

export interface ProbeOptions {
  readonly interface: string;
  readonly address: string;
  readonly netns?: string;
  /** Probes sent (RFC 5227 PROBE_NUM: 3). Default 2. */
  readonly probes?: number;
  /** Gap between probes (RFC 5227: 1-2 s). Default 100. */
  readonly probeIntervalMs?: number;
  /** Listening after the last probe (RFC 5227 ANNOUNCE_WAIT: 2 s). Default 300. */
  readonly waitMs?: number;
  readonly scheduler?: Scheduler;
  readonly openReceiver?: (
    interfaceName: string,
    onFrame: (bytes: Buffer) => void,
    onError: (error: ArpError) => void,
  ) => FrameSender;
}

export type ProbeResult =
  | { readonly conflict: false }
  | { readonly conflict: true; readonly foreignMac: MacAddress; readonly kind: ClaimKind };

/**
 * Resolves { conflict: true } as soon as another MAC claims the address or probes for it too
 * (RFC 5227 §2.1.1 simultaneous probe), else { conflict: false } after the last wait.
 */
export function probeAddress(options: ProbeOptions): Promise<ProbeResult> {
  const probes = options.probes ?? 2;
  const intervalMs = options.probeIntervalMs ?? 100;
  const waitMs = options.waitMs ?? 300;
  for (const [name, value, min] of [
    ['probes', probes, 1],
    ['probeIntervalMs', intervalMs, 0],
    ['waitMs', waitMs, 0],
  ] as const) {
    if (!Number.isInteger(value) || value < min) {
      return Promise.reject(
        new ArpError('INVALID_SCHEDULE', `${name} ${value} must be an integer >= ${min}`),
      );
    }
  }
  const scheduler = options.scheduler ?? systemScheduler;
  let candidate: string;
  try {
    ipFamily(options.address);
    candidate = normalizeIp(options.address);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  return new Promise<ProbeResult>((resolve, reject) => {
    let timer: TimerHandle | undefined;
    let socket: FrameSender | undefined = undefined;
    let done = false;
    let ourMac: MacAddress = '';
    const finish = (outcome: () => void): void => {
      if (done) return;
      done = true;
      if (timer !== undefined) scheduler.clearTimeout(timer);
      socket?.close();
      outcome();
    };
    const onFrame = (bytes: Buffer): void => {
      let claim;
      try {
        claim = claimIn(decode(bytes));
      } catch (error) {
        if (error instanceof FrameDecodeError) return;
        throw error;
      }
      if (claim.address !== candidate || claim.mac === ourMac) return;
      finish(() => {
        resolve({ conflict: true, foreignMac: claim.mac, kind: claim.kind });
      });
    };
    const onError = (error: ArpError): void => {
      finish(() => {
        reject(error);
      });
    };
    try {
      socket =
        options.openReceiver?.(options.interface, onFrame, onError) ??
        openPacketSocket(options.interface, {
          ...(options.netns === undefined ? {} : { netns: options.netns }),
          onFrame: (frame) => {
            onFrame(frame.bytes);
          },
          onError,
        });
      ourMac = socket.macAddress();
    } catch (error) {
      finish(() => {
        reject(error instanceof Error ? error : new Error(String(error)));
      });
      return;
    }
    const sender = socket;
    const probeFrame = encode(
      candidate.includes(':')
        ? duplicateAddressProbe(ourMac, candidate)
        : arpProbe(ourMac, candidate),
    );
    let sent = 0;
    const step = (): void => {
      timer = undefined;
      if (done) return;
      if (sent < probes) {
        try {
          sender.send(probeFrame);
        } catch (error) {
          onError(
            error instanceof ArpError ? error : new ArpError('SYSCALL_FAILED', String(error)),
          );
          return;
        }
        sent++;
        timer = scheduler.setTimeout(step, sent < probes ? intervalMs : waitMs);
        return;
      }
      finish(() => {
        resolve({ conflict: false });
      });
    };
    step();
  });
}
