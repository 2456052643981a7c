// `npm run chaos` arguments (commander), checked up front with a message naming the flag.
import { Command, InvalidArgumentError } from 'commander';
import { parseDurationMs } from '@vipd/vipd';
import type { CampaignOptions } from './campaign.js';

function integer(name: string, min: number, max: number) {
  return (text: string): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(`${name} must be an integer ${min}..${max}, got "${text}"`);
    }
    return value;
  };
}

function duration(name: string, minMs: number, maxMs: number) {
  return (text: string): number => {
    const ms = parseDurationMs(text);
    if (ms === null || ms < minMs || ms > maxMs) {
      throw new InvalidArgumentError(
        `${name} must be a duration ${minMs}ms..${maxMs}ms such as "100ms", got "${text}"`,
      );
    }
    return ms;
  };
}

function minutes(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value <= 24 * 60)) {
    throw new InvalidArgumentError(`--minutes must be a number in (0, 1440], got "${text}"`);
  }
  return value;
}

export interface CliOptions extends CampaignOptions {
  /** Write the figures into docs/benchmarks.md. */
  readonly write: boolean;
  /** Save the recorded history (JSON) here, to read it or judge it again with a changed checker. */
  readonly historyPath?: string;
}

export function parseCampaignArgs(argv: readonly string[]): CliOptions {
  const program = new Command('chaos')
    .description(
      'Fault-injection campaign against real vipd daemons in a namespace lab (see docs/chaos.md)',
    )
    .option(
      '--seed <n>',
      'seed of the fault schedule (default: random, printed)',
      integer('--seed', 0, 2 ** 31 - 1),
    )
    .option('--minutes <m>', 'how long the nemesis works', minutes, 3)
    .option('--nodes <n>', 'vipd nodes', integer('--nodes', 2, 5), 3)
    .option(
      '--groups <n>',
      'groups, each with an IPv4 and an IPv6 VIP',
      integer('--groups', 1, 4),
      2,
    )
    .option('--quorum', 'turn the quorum guard on', false)
    .option(
      '--no-datagram',
      'heartbeats over the WebSocket alone (cluster.heartbeat_datagram: false)',
    )
    .option('--interval <duration>', 'heartbeat interval', duration('--interval', 20, 5_000), 100)
    .option('--down-multiplier <n>', 'down_multiplier', integer('--down-multiplier', 2, 10), 3)
    .option(
      '--load-margin <duration>',
      'added to every bound for a loaded machine',
      duration('--load-margin', 0, 10_000),
      250,
    )
    .option(
      '--probe-interval <duration>',
      "the client's probe interval per VIP",
      duration('--probe-interval', 1, 1_000),
      5,
    )
    .option('--write', 'write the figures into docs/benchmarks.md', false)
    .option('--history <file>', 'save the recorded history as JSON to <file>')
    .exitOverride()
    .parse(argv, { from: 'user' });
  const o = program.opts<{
    seed?: number;
    minutes: number;
    nodes: number;
    groups: number;
    quorum: boolean;
    datagram: boolean;
    interval: number;
    downMultiplier: number;
    loadMargin: number;
    probeInterval: number;
    write: boolean;
    history?: string;
  }>();
  return {
    seed: o.seed ?? Math.floor(Math.random() * 2 ** 31),
    durationMs: Math.round(o.minutes * 60_000),
    nodes: o.nodes,
    groups: o.groups,
    quorum: o.quorum,
    datagram: o.datagram,
    intervalMs: o.interval,
    downMultiplier: o.downMultiplier,
    loadMarginMs: o.loadMargin,
    probeIntervalMs: o.probeInterval,
    write: o.write,
    ...(o.history === undefined ? {} : { historyPath: o.history }),
  };
}
