import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from '@vipd/testkit';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';

/**
 * One BIRD 2 daemon in a lab namespace, in the foreground (so the lab owns its pid and kills
 * it at teardown), with its own control socket and pid file in the run directory: several
 * BIRDs on one machine never share /run/bird.
 */
export class BirdDaemon {
  readonly socketPath: string;
  readonly configPath: string;
  private readonly pidPath: string;
  private child: LabProcess | undefined;
  private starts = 0;

  constructor(
    private readonly lab: Lab,
    readonly host: LabHost | string,
    readonly name: string,
    config: string,
  ) {
    this.socketPath = join(lab.runDir, `bird-${name}.ctl`);
    this.pidPath = join(lab.runDir, `bird-${name}.pid`);
    this.configPath = join(lab.runDir, `bird-${name}.conf`);
    writeFileSync(this.configPath, config);
  }

  /** Starts BIRD and resolves once its control socket answers. */
  async start(): Promise<void> {
    this.starts += 1;
    const argv = ['bird', '-f', '-c', this.configPath, '-s', this.socketPath, '-P', this.pidPath];
    this.child = this.lab.spawn(this.host, argv, { name: `bird-${this.name}-${this.starts}` });
    await poll('BIRD ' + this.name + ' control socket', () => this.birdc(['show', 'status']), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
  }

  get process(): LabProcess | undefined {
    return this.child;
  }

  async stop(): Promise<void> {
    await this.child?.stop(2_000);
  }

  /** `birdc -s SOCKET args…` in BIRD's namespace; its stdout. */
  async birdc(args: readonly string[]): Promise<string> {
    const { stdout } = await this.lab.exec(this.host, ['birdc', '-s', this.socketPath, ...args]);
    return stdout;
  }

  /** The state of one protocol per `show protocols` ("Established" for a BGP session that is up). */
  async protocolInfo(protocol: string): Promise<string> {
    const out = await this.birdc(['show', 'protocols', protocol]);
    const line = out.split('\n').find((l) => l.startsWith(`${protocol} `));
    return line?.trim().split(/\s+/).slice(3).join(' ') ?? '';
  }

  async waitEstablished(protocol: string, timeoutMs = 20_000): Promise<void> {
    await poll(
      `BGP ${protocol} on ${this.name} Established`,
      async () => (await this.protocolInfo(protocol)).includes('Established'),
      { timeoutMs, intervalMs: 100 },
    );
  }
}

/** One candidate path to a prefix as BIRD's `show route all` prints it. */
export interface BirdPath {
  readonly via: string;
  readonly protocol: string;
  readonly best: boolean;
  readonly med: number | undefined;
  /** Further `via` lines under one entry: a multipath (ECMP) route. */
  readonly nexthops: number;
}

/**
 * Parses `birdc show route for PREFIX all` (BIRD 2.0):
 *
 *   10.213.5.100/32      unicast [n1 12:00:00.000] * (100) [AS65001i]
 *           via 10.214.5.10 on p-n1
 *           BGP.med: 4294967290
 */
export function parseBirdRoutes(output: string): BirdPath[] {
  const paths: { via: string; protocol: string; best: boolean; med?: number; nexthops: number }[] =
    [];
  for (const line of output.split('\n')) {
    const entry = /\s(?:unicast|blackhole|unreachable)\s+\[(\S+)\s[^\]]*\](\s\*)?/.exec(line);
    if (entry !== null) {
      paths.push({ via: '', protocol: entry[1] ?? '', best: entry[2] !== undefined, nexthops: 0 });
      continue;
    }
    const current = paths.at(-1);
    if (current === undefined) continue;
    const via = /^\s+via\s+(\S+)/.exec(line);
    if (via !== null) {
      if (current.nexthops === 0) current.via = via[1] ?? '';
      current.nexthops += 1;
      continue;
    }
    const med = /^\s+BGP\.med:\s+(\d+)/.exec(line);
    if (med !== null) current.med = Number(med[1]);
  }
  return paths.map((p) => ({ ...p, med: p.med }));
}
