// vipctl events, watch and status (exit codes, --cluster) against real API servers: each
// "node" is the API (buildApp) of a driver on the harness, listening on a real socket.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { Secret } from '../../src/config/secret.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { buildVipctlProgram } from '../../src/cli/vipctl.js';
import type { VipdEvent } from '../../src/events/types.js';
import { createLogger } from '../../src/log/logger.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { DOWN_AFTER_MS, Harness, testConfig } from '../driver/harness.js';

const TOKEN = 'operator-token-0123456789';

interface Node {
  readonly h: Harness;
  readonly app: FastifyInstance;
  readonly api: string;
}
const nodes: Node[] = [];

afterEach(async () => {
  for (const node of nodes.splice(0)) {
    await node.app.close();
    await node.h.stop();
  }
});

async function node(id: string, peers: readonly string[] = ['n2']): Promise<Node> {
  const h = new Harness(
    testConfig({
      nodeId: id,
      peers,
      groups: [{ name: 'web', addresses: ['10.213.0.100/24'], priority: 150 }],
    }),
  );
  await h.start();
  return serve(h);
}

/**
 * The API of harness h on a real socket; on `port` with its own registry if given: a node's
 * API coming back, as a restarted process would (one registry per process).
 */
async function serve(h: Harness, port = 0): Promise<Node> {
  const app = await buildApp({
    control: h.driver,
    metrics: port === 0 ? h.metrics : new VipdMetrics(),
    logger: createLogger({ level: 'fatal', format: 'json' }),
    token: () => new Secret(TOKEN),
    events: h.events,
  });
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  const created = { h, app, api: `http://127.0.0.1:${address.port}` };
  nodes.push(created);
  return created;
}

/** vipctl in-process; `onOutput` sees stdout as it grows (for the commands that follow). */
async function vipctl(
  args: readonly string[],
  onOutput?: (stdout: string) => void,
  signal?: AbortSignal,
) {
  let stdout = '';
  let stderr = '';
  let exitCode = -1;
  const program = buildVipctlProgram(
    {
      stdout: (text) => {
        stdout += text;
        onOutput?.(stdout);
      },
      stderr: (text) => {
        stderr += text;
      },
      env: { VIPD_API_TOKEN: TOKEN, USER: 'carol' },
    },
    {
      setExitCode: (code) => {
        exitCode = code;
      },
      ...(signal === undefined ? {} : { signal }),
    },
  );
  await program.parseAsync(['node', 'vipctl', '-c', '/nonexistent/vipd.yaml', ...args]);
  return { stdout, stderr, exitCode };
}

/** `vipctl status --help`, without commander's exit at the end of it. */
async function statusHelp(): Promise<string> {
  let out = '';
  const io = { stdout: (t: string) => (out += t), stderr: () => undefined, env: {} };
  const program = buildVipctlProgram(io, { setExitCode: () => undefined });
  for (const command of [program, ...program.commands]) command.exitOverride();
  await assert.rejects(program.parseAsync(['node', 'vipctl', 'status', '--help']), /help/i);
  return out;
}

const transition = (group: string, to: string) => ({
  kind: 'transition' as const,
  group,
  from: 'BACKUP',
  to,
  reason: 'master-down',
  detail: `${group} went ${to}`,
});

describe('vipctl status as a check', () => {
  it('exits 10 while a group has no master, 0 once it has one; --help documents the codes', async () => {
    const n1 = await node('n1');
    const before = await vipctl(['--api', n1.api, 'status']);
    assert.equal(before.exitCode, EXIT.UNHEALTHY, before.stderr);
    assert.match(before.stderr, /web has no master \(seen from n1\)/);
    assert.match(before.stdout, /^node n1 /, 'the table is still printed');
    await n1.h.advance(DOWN_AFTER_MS);
    const after = await vipctl(['--api', n1.api, 'status']);
    assert.equal(after.exitCode, EXIT.OK, after.stderr);
    assert.match(await statusHelp(), /Exit status:[\s\S]*10 +a group is in FAULT or has no master/);
  });

  it('exits 10 when a group is in FAULT', async () => {
    const n1 = await node('n1');
    n1.h.driver.trackerReport({ trackerId: 'nginx', group: 'web', weightDelta: 0, fault: true });
    await n1.h.advance(1);
    const result = await vipctl(['--api', n1.api, 'status']);
    assert.equal(result.exitCode, EXIT.UNHEALTHY);
    assert.match(result.stderr, /web is in FAULT on n1/);
  });
});

describe('vipctl events', () => {
  it('prints the history, filtered by --group and --since, or as JSON', async () => {
    const n1 = await node('n1');
    n1.h.events.record(transition('web', 'MASTER'));
    n1.h.events.record(transition('db', 'MASTER'));
    const all = await vipctl(['--api', n1.api, 'events']);
    assert.equal(all.exitCode, EXIT.OK, all.stderr);
    assert.match(all.stdout, /transition {2}web {2}INIT->BACKUP {2}startup/);
    assert.match(
      all.stdout,
      /#\d+ {2}transition {2}db {2}BACKUP->MASTER {2}master-down: db went MASTER\n$/,
    );
    const web = await vipctl(['--api', n1.api, 'events', '--group', 'db']);
    assert.equal(web.stdout.trim().split('\n').length, 1);
    const lastSeq = n1.h.events.lastSeq;
    const json = await vipctl([
      '--api',
      n1.api,
      '--json',
      'events',
      '--since',
      String(lastSeq - 1),
    ]);
    const page = JSON.parse(json.stdout) as { events: VipdEvent[] };
    assert.deepEqual(
      page.events.map((e) => e.seq),
      [lastSeq],
    );
  });

  it('--follow --no-reconnect prints the backlog, then each new event, until the node closes the stream', async () => {
    const n1 = await node('n1');
    let recorded = false;
    const result = await vipctl(
      ['--api', n1.api, 'events', '--follow', '--no-reconnect'],
      (stdout) => {
        if (!recorded && /startup/.test(stdout)) {
          recorded = true;
          // A turn later, so the stream is open (the backlog came from the page before it).
          setTimeout(() => {
            n1.h.events.record(transition('web', 'FAULT'));
          }, 50);
        }
        if (/web went FAULT/.test(stdout)) void n1.app.close();
      },
    );
    assert.match(result.stdout, /startup[\s\S]*web went FAULT/);
    assert.equal(result.exitCode, EXIT.UNAVAILABLE, 'the stream ended: the node went away');
    assert.match(result.stderr, /closed the event stream/);
  });
  it(
    '--follow reconnects when the API comes back and prints what happened meanwhile, once',
    { timeout: 60_000 },
    async () => {
      const n1 = await node('n1');
      const port = Number(new URL(n1.api).port);
      const stop = new AbortController();
      let phase: 'backlog' | 'away' | 'back' = 'backlog';
      const result = await vipctl(
        ['--api', n1.api, 'events', '--follow'],
        (stdout) => {
          if (phase === 'backlog' && /startup/.test(stdout)) {
            phase = 'away';
            // The API goes away; an event happens while it is gone; the API comes back.
            setTimeout(() => {
              void (async () => {
                await n1.app.close();
                n1.h.events.record(transition('web', 'FAULT'));
                nodes.push(await serve(n1.h, port));
                phase = 'back';
              })();
            }, 50);
          }
          // Not only once phase is 'back': vipctl may reconnect and print the event before the
          // await that brought the API back has returned.
          if (phase !== 'backlog' && /web went FAULT/.test(stdout)) stop.abort();
        },
        stop.signal,
      );
      assert.equal(result.exitCode, EXIT.OK, `no failure: ${result.stderr}`);
      assert.equal(result.stdout.match(/web went FAULT/g)?.length, 1, 'printed exactly once');
      assert.match(result.stderr, /lost the event stream of .*; reconnecting/);
      assert.match(result.stderr, /resumed the event stream of .* after #\d+/);
    },
  );
});

describe('vipctl watch', () => {
  it('draws the status table, and redraws it with the event when something happens', async () => {
    const n1 = await node('n1');
    let drawn = 0;
    const result = await vipctl(['--api', n1.api, 'watch', '--no-reconnect'], (stdout) => {
      const draws = stdout.split('\u001b[H\u001b[2J').length - 1;
      if (draws === 1 && drawn === 0) {
        drawn = 1;
        setTimeout(() => {
          void n1.h.advance(DOWN_AFTER_MS);
        }, 50);
      }
      if (/recent events:[\s\S]*BACKUP->MASTER/.test(stdout)) void n1.app.close();
    });
    const frames = result.stdout.split('\u001b[H\u001b[2J').filter((f) => f !== '');
    assert.ok(frames.length >= 2, 'drawn, then redrawn');
    assert.match(frames[0] ?? '', /web +BACKUP/);
    assert.match(frames.at(-1) ?? '', /web +MASTER[\s\S]*recent events:[\s\S]*master-down/);
  });
});

describe('vipctl status --cluster', () => {
  it("one table of every node's view; a disagreement is marked and exits 10", async () => {
    const n1 = await node('n1', ['n2', 'n3']);
    const n2 = await node('n2', ['n1', 'n3']);
    // Both alone on their loopback networks: each becomes master (a split brain to see).
    await n1.h.advance(DOWN_AFTER_MS);
    await n2.h.advance(DOWN_AFTER_MS);
    const result = await vipctl([
      '--api',
      n1.api,
      'status',
      '--cluster',
      '--peer-api',
      `n2=${n2.api}`,
      '--peer-api',
      'n3=http://127.0.0.1:9',
      '--request-timeout',
      '2000',
    ]);
    assert.equal(result.exitCode, EXIT.UNHEALTHY, result.stderr);
    assert.match(result.stdout, /GROUP +N1 +N2 +N3 +AGREE/);
    assert.match(
      result.stdout,
      /web +MASTER \(n1\) +MASTER \(n2\) +unreachable +NO: n1 and n2 both MASTER/,
    );
    assert.match(result.stdout, /unreachable: n3 at http:\/\/127\.0\.0\.1:9/);
    assert.match(result.stderr, /n3 did not answer/);
  });
});

describe('vipctl takeover, release, maintenance: --reason and --actor', () => {
  it('are sent with the command and land in the event history; the login name by default', async () => {
    const n1 = await node('n1');
    await n1.h.advance(DOWN_AFTER_MS);
    const on = await vipctl(['--api', n1.api, 'maintenance', 'on', '--reason', 'rack move']);
    assert.equal(on.exitCode, EXIT.OK, on.stderr);
    const off = await vipctl(['--api', n1.api, 'maintenance', 'off', '--actor', 'dave']);
    assert.equal(off.exitCode, EXIT.OK, off.stderr);
    const operator = n1.h.events.list().filter((e) => e.kind === 'operator');
    assert.deepEqual(
      operator.map((e) => [e.reason, e.actor]),
      [
        ['maintenance-on', 'carol'],
        ['maintenance-off', 'dave'],
      ],
    );
    assert.match(operator[0]?.detail ?? '', /"rack move"/);
  });
});
