// Up while a BIRD protocol (a BGP session) is up and Established: a node that cannot
// announce its routed VIPs to the router should not be their master. One request per check
// on BIRD's control socket (`show protocols "NAME"`), 0.2-1 ms; a fresh connection each time,
// so a BIRD restart costs nothing but the checks that ran while it was down.

import { connect } from 'node:net';
import { systemClock, type Clock } from '@vipd/clock';
import { isBirdError, parseBirdReply, protocolRows, type BirdReply } from './bird-reply.js';
import { errorText, type Check, type CheckResult } from './check.js';

export interface BirdCheckOptions {
  readonly socket: string;
  readonly protocol: string;
  readonly timeoutMs: number;
}

export function birdCheck(options: BirdCheckOptions, clock: Clock = systemClock): Check {
  return async (signal) => {
    let reply: BirdReply;
    try {
      reply = await birdRequest(options, `show protocols "${options.protocol}"`, signal, clock);
    } catch (error) {
      return { ok: false, detail: `BIRD control socket ${options.socket}: ${errorText(error)}` };
    }
    return verdict(reply, options.protocol);
  };
}

export function verdict(reply: BirdReply, protocol: string): CheckResult {
  if (isBirdError(reply.code)) {
    const text = reply.lines.at(-1)?.text ?? '';
    return {
      ok: false,
      detail: `BIRD refused show protocols "${protocol}": ${reply.code} ${text}`,
    };
  }
  const row = protocolRows(reply).find((r) => r.name === protocol);
  if (row === undefined) return { ok: false, detail: `BIRD has no protocol "${protocol}"` };
  const established = row.state === 'up' && (row.proto !== 'BGP' || row.info === 'Established');
  return {
    ok: established,
    detail: `${row.proto} ${protocol} ${row.state}${row.info === '' ? '' : ` ${row.info}`}`,
  };
}

/** Connects, reads the greeting, sends one command, returns its reply. */
export function birdRequest(
  options: Pick<BirdCheckOptions, 'socket' | 'timeoutMs'>,
  command: string,
  signal: AbortSignal,
  clock: Clock = systemClock,
): Promise<BirdReply> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path: options.socket, signal });
    socket.setEncoding('utf8');
    let buffer = '';
    let greeted = false;
    const finish = (error: Error | null, reply?: BirdReply) => {
      clock.clearTimeout(timer);
      socket.destroy();
      if (error !== null) reject(error);
      else if (reply !== undefined) resolve(reply);
    };
    const timer = clock.setTimeout(() => {
      finish(new Error(`no answer within ${options.timeoutMs}ms`));
    }, options.timeoutMs);
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      try {
        for (let reply = parseBirdReply(buffer); reply !== null; reply = parseBirdReply(buffer)) {
          buffer = buffer.slice(reply.consumed);
          if (greeted) {
            finish(null, reply);
            return;
          }
          if (reply.code !== 1) {
            finish(new Error(`unexpected BIRD greeting ${reply.code}`));
            return;
          }
          greeted = true;
          socket.write(`${command}\n`);
        }
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.once('error', (error) => {
      finish(error);
    });
    socket.once('close', () => {
      finish(new Error('BIRD closed the connection before answering'));
    });
  });
}
