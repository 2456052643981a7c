import { runCommand } from './command.js';
import { LabError } from './errors.js';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';

/** Linux bridge port states (`bridge link set … state N`). */
const PORT_DISABLED = 0;
const PORT_FORWARDING = 3;

const TABLE = 'lab_faults';
const PARTITION_CHAIN = 'partition';
const LOSS_CHAIN = 'loss';

export type LossDirection = 'from-host' | 'to-host' | 'both';

/**
 * Where faults are applied: a Linux bridge (the LAN's switch) or a router namespace (a
 * routed lab), where the same per-port rules live in nftables' `inet` family instead.
 */
export type FaultSite = 'switch' | 'router';

const SILENCED_SET = 'silenced';

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Faults applied on the lab's switch (the bridge namespace), so the nodes see exactly what
 * they would on a real LAN: nothing at all (silent death, partition, loss) or a carrier
 * change (link flap). netem is not built into this kernel, so there is no fixed-delay
 * fault; `stallProcess` (SIGSTOP for N ms) stands in for a node that answers late.
 */
export class FaultInjector {
  private tableReady: Promise<void> | undefined;

  private readonly family: 'bridge' | 'inet';

  constructor(
    private readonly bridgeNetns: string,
    private readonly site: FaultSite = 'switch',
  ) {
    this.family = site === 'router' ? 'inet' : 'bridge';
  }

  private bridgeCommand(argv: readonly string[]): Promise<unknown> {
    return runCommand(['ip', 'netns', 'exec', this.bridgeNetns, ...argv]);
  }

  private setPortState(host: LabHost, state: number): Promise<unknown> {
    return this.bridgeCommand([
      'bridge',
      'link',
      'set',
      'dev',
      host.bridgePort,
      'state',
      String(state),
    ]);
  }

  /**
   * Silent death: the switch port stops forwarding both ways while the node keeps its
   * carrier, as when a host hangs or its NIC queue stalls. The node itself sees nothing.
   */
  async silence(host: LabHost): Promise<unknown> {
    if (this.site === 'switch') return this.setPortState(host, PORT_DISABLED);
    // On a router the link keeps its carrier; every packet in or out of its port is dropped
    // (forwarded ones, and the router's own: BGP and BFD to the host die with it).
    await this.ensureTable();
    return this.bridgeCommand([
      'nft',
      `add element inet ${TABLE} ${SILENCED_SET} { "${host.bridgePort}" }`,
    ]);
  }

  /** Undoes `silence`. */
  async revive(host: LabHost): Promise<unknown> {
    if (this.site === 'switch') return this.setPortState(host, PORT_FORWARDING);
    await this.ensureTable();
    return this.bridgeCommand([
      'nft',
      `add element inet ${TABLE} ${SILENCED_SET} { "${host.bridgePort}" } ; delete element inet ${TABLE} ${SILENCED_SET} { "${host.bridgePort}" }`,
    ]);
  }

  /** Carrier loss: the node's eth0 goes NO-CARRIER (its link tracker can see it). */
  setLink(host: LabHost, up: boolean): Promise<unknown> {
    return this.bridgeCommand(['ip', 'link', 'set', host.bridgePort, up ? 'up' : 'down']);
  }

  /** `times` cycles of carrier down for `downMs`, then up for `upMs`; ends with the link up. */
  async flapLink(
    host: LabHost,
    options: { downMs: number; upMs: number; times: number },
  ): Promise<void> {
    if (options.times < 1 || options.times > 1_000) {
      throw new LabError('LAB_BAD_ARGUMENT', `flap times must be 1..1000, got ${options.times}`);
    }
    for (let i = 0; i < options.times; i += 1) {
      await this.setLink(host, false);
      await sleep(options.downMs);
      await this.setLink(host, true);
      await sleep(options.upMs);
    }
  }

  private ensureTable(): Promise<void> {
    // The forward hook of the bridge family sees each frame once per output port, so
    // per-port rules also cut flooded broadcasts and multicasts (ARP, VRRP, NA). On a
    // router the inet family's forward hook sees each routed packet with both its ports.
    const family = this.family;
    const commands = [
      `add table ${family} ${TABLE}`,
      `add chain ${family} ${TABLE} ${PARTITION_CHAIN} { type filter hook forward priority 0 ; policy accept ; }`,
      `add chain ${family} ${TABLE} ${LOSS_CHAIN} { type filter hook forward priority 10 ; policy accept ; }`,
    ];
    if (this.site === 'router') {
      commands.push(`add set inet ${TABLE} ${SILENCED_SET} { type ifname ; }`);
      for (const hook of ['input', 'forward', 'output']) {
        const match =
          hook === 'output' ? ['oifname'] : hook === 'input' ? ['iifname'] : ['iifname', 'oifname'];
        commands.push(
          `add chain inet ${TABLE} silence-${hook} { type filter hook ${hook} priority -10 ; policy accept ; }`,
          ...match.map((m) => `add rule inet ${TABLE} silence-${hook} ${m} @${SILENCED_SET} drop`),
        );
      }
    }
    this.tableReady ??= this.bridgeCommand(['nft', commands.join(' ; ')]).then(() => undefined);
    return this.tableReady;
  }

  /**
   * Cuts frames from every host in `sideA` to every host in `sideB` (and back unless
   * `oneWay`). The client is never part of a partition unless named.
   */
  async partition(
    sideA: readonly LabHost[],
    sideB: readonly LabHost[],
    options: { oneWay?: boolean } = {},
  ): Promise<void> {
    await this.ensureTable();
    const rules: string[] = [];
    for (const a of sideA) {
      for (const b of sideB) {
        rules.push(this.dropRule(a, b));
        if (options.oneWay !== true) rules.push(this.dropRule(b, a));
      }
    }
    if (rules.length > 0) await this.bridgeCommand(['nft', rules.join(' ; ')]);
  }

  private dropRule(from: LabHost, to: LabHost): string {
    return `add rule ${this.family} ${TABLE} ${PARTITION_CHAIN} iifname "${from.bridgePort}" oifname "${to.bridgePort}" drop`;
  }

  /** Removes every partition. */
  async heal(): Promise<void> {
    await this.ensureTable();
    await this.bridgeCommand(['nft', `flush chain ${this.family} ${TABLE} ${PARTITION_CHAIN}`]);
  }

  /**
   * Random loss of `percent` (0..100, in steps of 0.1) of the frames a host sends, receives
   * or both (to and from `peers` only, if given), with nftables' `numgen random` on the switch.
   */
  async setLoss(
    host: LabHost,
    percent: number,
    direction: LossDirection = 'both',
    options: { peers?: readonly LabHost[] } = {},
  ): Promise<void> {
    if (!(percent >= 0 && percent <= 100)) {
      throw new LabError('LAB_BAD_ARGUMENT', `loss must be 0..100 %, got ${percent}`);
    }
    await this.ensureTable();
    const perMille = Math.round(percent * 10);
    // Only the links to `peers` (the heartbeat links) when given; every frame otherwise.
    const peerPorts =
      options.peers === undefined
        ? undefined
        : `{ ${options.peers.map((p) => `"${p.bridgePort}"`).join(', ')} }`;
    const matches: string[] = [];
    if (direction !== 'to-host') {
      matches.push(
        `iifname "${host.bridgePort}"${peerPorts === undefined ? '' : ` oifname ${peerPorts}`}`,
      );
    }
    if (direction !== 'from-host') {
      matches.push(
        `oifname "${host.bridgePort}"${peerPorts === undefined ? '' : ` iifname ${peerPorts}`}`,
      );
    }
    const rules = matches.map(
      (match) =>
        `add rule ${this.family} ${TABLE} ${LOSS_CHAIN} ${match} numgen random mod 1000 < ${perMille} drop`,
    );
    await this.bridgeCommand(['nft', rules.join(' ; ')]);
  }

  async clearLoss(): Promise<void> {
    await this.ensureTable();
    await this.bridgeCommand(['nft', `flush chain ${this.family} ${TABLE} ${LOSS_CHAIN}`]);
  }
}

/**
 * Freezes a process for `ms` (SIGSTOP … SIGCONT): its heartbeats arrive late or not at all,
 * the nearest thing to delay this kernel offers (no netem). Resumes it even if waiting fails.
 */
export async function stallProcess(target: LabProcess, ms: number): Promise<void> {
  if (!target.signal('SIGSTOP')) {
    throw new LabError('LAB_PROCESS_EXITED', `${target.name} is not running; cannot stall it`);
  }
  try {
    await sleep(ms);
  } finally {
    target.signal('SIGCONT');
  }
}

/**
 * Makes every `syscall` of a running process take `delayUs` longer (strace's delay
 * injection, attached to its main thread), until the returned tracer is stopped or the
 * process dies. A netlink address add takes ~0.1 ms, so a 64-VIP takeover is over before
 * any observer can act; slowed down, a SIGKILL can land between two of its adds.
 */
export async function slowSyscall(
  lab: Pick<Lab, 'spawn'>,
  where: LabHost,
  target: LabProcess,
  options: { syscall: string; delayUs: number },
): Promise<LabProcess> {
  if (!Number.isInteger(options.delayUs) || options.delayUs < 1) {
    throw new LabError(
      'LAB_BAD_ARGUMENT',
      `delayUs must be a positive integer, got ${options.delayUs}`,
    );
  }
  const tracer = lab.spawn(
    where,
    [
      'strace',
      '-p',
      String(target.pid),
      '-o',
      '/dev/null',
      '-e',
      `trace=${options.syscall}`,
      '-e',
      `inject=${options.syscall}:delay_enter=${options.delayUs}`,
    ],
    { name: `strace-${target.name}` },
  );
  await tracer.waitForLine(/attached/, 10_000);
  return tracer;
}
