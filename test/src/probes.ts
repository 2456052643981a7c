import { fileURLToPath } from 'node:url';
import { LabError } from './errors.js';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';
import { parseTcpdumpLine, type NeighborFrame } from './neighbor-frames.js';
import { parsePingLine } from './ping.js';
import type { ProbeReply } from './probe-analysis.js';
import { startTcpdump, stopTcpdump } from './tcpdump.js';

/** UDP port of the probe responders. */
export const PROBE_PORT = 7_777;

function toolPath(name: string): string {
  return fileURLToPath(new URL(`./tools/${name}.js`, import.meta.url));
}

/**
 * Starts the probe responder in every node namespace, bound to `addresses` (the VIPs) so
 * whichever node holds a VIP answers with its name. Resolves once all are listening.
 */
export async function startResponders(
  lab: Lab,
  addresses: readonly string[],
): Promise<LabProcess[]> {
  const responders = lab.nodes.map((node) =>
    lab.spawn(
      node,
      [process.execPath, toolPath('udp-echo'), node.name, String(PROBE_PORT), ...addresses],
      {
        name: `responder-${node.name}`,
      },
    ),
  );
  await Promise.all(responders.map((r) => r.waitForLine(/^ready/, 10_000)));
  return responders;
}

export type ProberEvent =
  | {
      readonly t: 'responder';
      readonly at: number;
      readonly node: string;
      readonly previous: string | null;
    }
  | {
      readonly t: 'gap';
      readonly from: number;
      readonly to: number;
      readonly gapMs: number;
      readonly node: string;
    };

interface DumpLine {
  readonly t: 'dump';
  readonly sent: number;
  readonly replies: [number, number, number, number][];
  readonly nodes: string[];
}

export interface ProbeRecord {
  readonly sent: number;
  readonly replies: ProbeReply[];
}

/**
 * The client prober (tools/udp-prober) in the client namespace: a UDP probe to the VIP
 * every `intervalMs`, every reply recorded with the node that answered.
 */
export class ClientProber {
  readonly target: string;
  private readonly process: LabProcess;
  private readonly listeners = new Set<(event: ProberEvent) => void>();
  private pendingDump: ((dump: DumpLine) => void) | undefined;
  private responder: { node: string; sinceMs: number } | undefined;
  private pendingReset: (() => void) | undefined;

  private constructor(process: LabProcess, target: string) {
    this.process = process;
    this.target = target;
    process.onLine((line, stream) => {
      if (stream !== 'stdout' || !line.startsWith('{')) return;
      const event = JSON.parse(line) as ProberEvent | DumpLine | { t: 'ready' } | { t: 'reset' };
      if (event.t === 'dump') {
        this.pendingDump?.(event);
        this.pendingDump = undefined;
      } else if (event.t === 'reset') {
        this.pendingReset?.();
        this.pendingReset = undefined;
      } else if (event.t !== 'ready') {
        if (event.t === 'responder') this.responder = { node: event.node, sinceMs: event.at };
        for (const listener of this.listeners) listener(event);
      }
    });
  }

  /**
   * Forgets who answered, so waitForResponder waits for a reply that comes after this call
   * (after a restart of the daemons, the old responder proves nothing).
   */
  forgetResponder(timeoutMs = 5_000): Promise<void> {
    this.responder = undefined;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new LabError('LAB_TIMEOUT', `prober did not confirm a reset within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.pendingReset = () => {
        clearTimeout(timer);
        this.responder = undefined;
        resolve();
      };
      this.process.writeLine('reset');
    });
  }

  /** The node that answered last, and since when (wall-clock ms) it has been answering. */
  get currentResponder(): { readonly node: string; readonly sinceMs: number } | undefined {
    return this.responder;
  }

  /**
   * Resolves once `node` answers the probes, with the wall-clock ms of its first reply;
   * rejects with LAB_TIMEOUT otherwise.
   */
  waitForResponder(node: string, timeoutMs: number): Promise<number> {
    if (this.responder?.node === node) return Promise.resolve(this.responder.sinceMs);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        reject(
          new LabError(
            'LAB_TIMEOUT',
            `the client was not answered by ${node} within ${timeoutMs} ms (last responder: ${this.responder?.node ?? 'none'})`,
          ),
        );
      }, timeoutMs);
      const unsubscribe = this.onEvent((event) => {
        if (event.t !== 'responder' || event.node !== node) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event.at);
      });
    });
  }

  static async start(
    lab: Lab,
    target: string,
    options: { intervalMs?: number; gapReportMs?: number; from?: LabHost; name?: string } = {},
  ): Promise<ClientProber> {
    const argv = [
      process.execPath,
      toolPath('udp-prober'),
      target,
      String(PROBE_PORT),
      String(options.intervalMs ?? 1),
      String(options.gapReportMs ?? 20),
    ];
    const child = lab.spawn(options.from ?? lab.client, argv, {
      name: options.name ?? `prober-${target.replaceAll(':', '_')}`,
      stdin: true,
    });
    const prober = new ClientProber(child, target);
    await child.waitForLine(/"t":"ready"/, 10_000);
    return prober;
  }

  /** Live responder changes and gaps (>= gapReportMs) as they happen. */
  onEvent(listener: (event: ProberEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every reply since the previous collect (or the start), and how many probes were sent. */
  collect(timeoutMs = 10_000): Promise<ProbeRecord> {
    if (this.pendingDump !== undefined) {
      throw new LabError('LAB_BAD_ARGUMENT', 'collect() is already waiting for the prober');
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pendingDump = undefined;
        reject(new LabError('LAB_TIMEOUT', `prober did not dump within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pendingDump = (dump) => {
        clearTimeout(timer);
        resolve({
          sent: dump.sent,
          replies: dump.replies.map(([seq, sentAtMs, receivedAtMs, nodeIndex]) => ({
            seq,
            sentAtMs,
            receivedAtMs,
            node: dump.nodes[nodeIndex] ?? '?',
          })),
        });
      };
      this.process.writeLine('dump');
    });
  }

  async stop(): Promise<void> {
    if (this.process.running) this.process.writeLine('exit');
    await this.process.stop(1_000);
  }
}

/** tcpdump in a namespace (the client's by default), parsed into ARP / NS / NA frames. */
export class NeighborCapture {
  private readonly process: LabProcess;
  private readonly captured: NeighborFrame[] = [];
  private readonly listeners = new Set<(frame: NeighborFrame) => void>();

  private constructor(process: LabProcess) {
    this.process = process;
    process.onLine((line, stream) => {
      if (stream !== 'stdout') return;
      const frame = parseTcpdumpLine(line);
      if (frame === undefined) return;
      this.captured.push(frame);
      for (const listener of this.listeners) listener(frame);
    });
  }

  static async start(lab: Lab, host: LabHost = lab.client): Promise<NeighborCapture> {
    const child = await startTcpdump(
      lab,
      host,
      'arp or (icmp6 and (ip6[40] == 135 or ip6[40] == 136))',
      `capture-${host.name}`,
    );
    return new NeighborCapture(child);
  }

  /**
   * Resolves once no frame has claimed `address` for `quietMs` (so the client's ARP
   * locktime, 1 s, cannot swallow the next announcement); gives up silently after
   * `timeoutMs`, returning false.
   */
  async waitForQuiet(address: string, quietMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lastClaim = this.captured.findLast(
        (f) => f.address === address && f.claimedMac !== undefined,
      );
      const quietFor = lastClaim === undefined ? Infinity : Date.now() - lastClaim.atMs;
      if (quietFor >= quietMs) return true;
      if (Date.now() + (quietMs - quietFor) > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, quietMs - quietFor));
    }
  }

  /** Every frame captured so far, in order. */
  frames(): readonly NeighborFrame[] {
    return this.captured;
  }

  onFrame(listener: (frame: NeighborFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): Promise<void> {
    return stopTcpdump(this.process);
  }
}

/**
 * `ping -D -n -i INTERVAL` from the client: the cross-check for the UDP prober (ICMP, so it
 * cannot name the responder). Intervals below 200 ms need root, which the lab has.
 */
export class PingProbe {
  private readonly process: LabProcess;
  private readonly received: ProbeReply[] = [];

  private constructor(process: LabProcess) {
    this.process = process;
    // Parsed as it comes: at 200 replies a second the process's kept lines would run out.
    process.onLine((line, stream) => {
      if (stream !== 'stdout') return;
      const reply = parsePingLine(line);
      if (reply !== undefined) this.received.push(reply);
    });
  }

  static start(lab: Lab, target: string, intervalMs = 5, name?: string): PingProbe {
    const child = lab.spawn(
      lab.client,
      ['ping', '-D', '-n', '-i', String(intervalMs / 1000), target],
      {
        name: name ?? `ping-${target.replaceAll(':', '_')}`,
      },
    );
    return new PingProbe(child);
  }

  /** Every reply so far. */
  replies(): readonly ProbeReply[] {
    return this.received;
  }

  /** Stops ping and returns every reply it printed. */
  async stop(): Promise<readonly ProbeReply[]> {
    this.process.signal('SIGINT');
    await this.process.stop(2_000);
    return this.received;
  }
}

/**
 * `arping -b` from the client every `intervalMs`: always broadcast, so every node holding
 * the VIP answers each request. The replies land in the NeighborCapture, where
 * doubleAnswerWindows finds the moments two MACs answered at once.
 */
export class ArpProbe {
  private readonly process: LabProcess;

  private constructor(process: LabProcess) {
    this.process = process;
  }

  static start(lab: Lab, target: string, intervalMs = 20, name?: string): ArpProbe {
    // iputils arping takes whole seconds for -i, so one single-request arping per round;
    // tcpdump sees every reply even though arping itself stops at the first.
    const round = `arping -q -b -c 1 -w 1 -I ${lab.client.interface} "$0" ; sleep ${intervalMs / 1000}`;
    const child = lab.spawn(lab.client, ['sh', '-c', `while :; do ${round}; done`, target], {
      name: name ?? `arping-${target}`,
    });
    return new ArpProbe(child);
  }

  async stop(): Promise<void> {
    this.process.signal('SIGINT');
    await this.process.stop(1_000);
  }
}
