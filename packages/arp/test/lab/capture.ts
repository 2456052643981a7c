// Captures frames in a namespace with tcpdump and decodes them with tshark, so tests check
// what an independent dissector sees on the wire rather than what our own decoder says.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_INTERFACE } from './netns-lab.js';

const START_TIMEOUT_MS = 5000;
/** After the action, frames still in flight on the veth get this long to land. */
const SETTLE_MS = 200;

/**
 * Runs `action` while tcpdump writes `interface`'s traffic in `netns` to a pcap, then returns
 * tshark's view of it: one record per frame matching `displayFilter`, with the given fields.
 */
export async function captureAndDissect(
  netns: string,
  captureFilter: string,
  action: () => Promise<void> | void,
  displayFilter: string,
  fields: readonly string[],
): Promise<Record<string, string>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-arp-capture-'));
  const pcap = join(dir, 'frames.pcap');
  try {
    const tcpdump = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        'tcpdump',
        '-i',
        HOST_INTERFACE,
        '-n',
        // Hand each frame over at once (TPACKET_V3 would hold it up to a second) and keep
        // root, so the pcap lands in our private temp directory.
        '--immediate-mode',
        '-Z',
        'root',
        '-U',
        '-w',
        pcap,
        captureFilter,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) =>
      tcpdump.once('exit', () => {
        resolve();
      }),
    );
    try {
      await new Promise<void>((resolve, reject) => {
        let stderr = '';
        const timer = setTimeout(() => {
          reject(new Error(`tcpdump did not start: ${stderr}`));
        }, START_TIMEOUT_MS);
        tcpdump.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('listening on')) {
            clearTimeout(timer);
            resolve();
          }
        });
        tcpdump.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`tcpdump exited with ${code}: ${stderr}`));
        });
      });
      await action();
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    } finally {
      tcpdump.kill('SIGINT');
      await exited;
    }
    const output = execFileSync(
      'tshark',
      [
        '-r',
        pcap,
        '-Y',
        displayFilter,
        '-T',
        'fields',
        '-E',
        'separator=|',
        ...fields.flatMap((f) => ['-e', f]),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return output
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => {
        const values = line.split('|');
        return Object.fromEntries(fields.map((field, i) => [field, values[i] ?? '']));
      });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
