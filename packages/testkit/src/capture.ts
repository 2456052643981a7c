// Frames on the wire as an independent dissector reads them: tcpdump writes a pcap inside a
// namespace, tshark decodes it. Tests check what tshark sees, not what our own decoder says.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './command.js';
import { HOST_INTERFACE } from './netns-lab.js';
import { waitForLine } from './output-line.js';

const START_TIMEOUT_MS = 10_000;
/** Frames still in flight on the veth when the action ends get this long to land. */
const DEFAULT_SETTLE_MS = 200;

export interface CaptureOptions {
  readonly netns: string;
  /** Default `eth0`. */
  readonly interface?: string;
  /** A tcpdump (BPF) filter; default everything. */
  readonly captureFilter?: string;
  /** Write the pcap here and keep it; default a temporary file removed after dissecting. */
  readonly pcapPath?: string;
  readonly settleMs?: number;
}

export interface DissectOptions<F extends string> {
  /** tshark fields, one per record key ('' when a frame lacks it). */
  readonly fields: readonly F[];
  /** A tshark display filter; default every frame. */
  readonly displayFilter?: string;
}

/**
 * Runs `action` while tcpdump captures, then returns tshark's view: one record per frame
 * (matching `displayFilter`) with the asked fields, in capture order.
 */
export async function captureFrames<F extends string>(
  options: CaptureOptions,
  action: () => Promise<void> | void,
  dissect: DissectOptions<F>,
): Promise<Record<F, string>[]> {
  const dir = options.pcapPath === undefined ? mkdtempSync(join(tmpdir(), 'vipd-capture-')) : '';
  const pcap = options.pcapPath ?? join(dir, 'frames.pcap');
  try {
    const tcpdump = spawn(
      'ip',
      [
        'netns',
        'exec',
        options.netns,
        'tcpdump',
        '-i',
        options.interface ?? HOST_INTERFACE,
        '-n',
        // Hand each frame over at once: without it frames wait in a ring block (TPACKET_V3,
        // up to a second) that SIGINT throws away. Keep root, so the pcap can be written
        // anywhere, and flush each packet (-U).
        '--immediate-mode',
        '-Z',
        'root',
        '-U',
        '-w',
        pcap,
        ...(options.captureFilter === undefined ? [] : [options.captureFilter]),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => {
      if (tcpdump.exitCode !== null || tcpdump.signalCode !== null) resolve();
      else
        tcpdump.once('exit', () => {
          resolve();
        });
    });
    try {
      await waitForLine(tcpdump, /listening on/, START_TIMEOUT_MS);
      await action();
      await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? DEFAULT_SETTLE_MS));
    } finally {
      // SIGINT makes tcpdump flush what it holds before it exits.
      tcpdump.kill('SIGINT');
      await exited;
    }
    return dissectPcap(pcap, dissect);
  } finally {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }
}

/** tshark's reading of a pcap: one record per frame with the asked fields. */
export function dissectPcap<F extends string>(
  pcap: string,
  { fields, displayFilter }: DissectOptions<F>,
): Record<F, string>[] {
  const output = run([
    'tshark',
    '-r',
    pcap,
    '-n',
    ...(displayFilter === undefined ? [] : ['-Y', displayFilter]),
    '-T',
    'fields',
    '-E',
    'separator=|',
    ...fields.flatMap((f) => ['-e', f]),
  ]);
  return output
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const values = line.split('|');
      return Object.fromEntries(fields.map((field, i) => [field, values[i] ?? ''])) as Record<
        F,
        string
      >;
    });
}
