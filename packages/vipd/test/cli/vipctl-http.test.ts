// vipctl against an HTTP server that answers as the test says (a stand-in for the node's API,
// on a real socket): how long it waits for a slow takeover, and what a 421 becomes.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.js';
import { buildVipctlProgram } from '../../src/cli/vipctl.js';

/** No keep-alive: each test's request gets a connection of its own. */
const JSON_ONCE = { 'content-type': 'application/json', connection: 'close' };

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const TAKEOVER_RESULT = {
  group: { master: 'n1', epoch: 7, addresses: ['10.0.0.100/24'] },
  durationMs: 1500,
};

/** Runs vipctl in-process with the environment given (never the test runner's). */
async function vipctl(args: readonly string[]) {
  let stdout = '';
  let stderr = '';
  let exitCode = -1;
  const io = {
    stdout: (text: string) => {
      stdout += text;
    },
    stderr: (text: string) => {
      stderr += text;
    },
    env: { VIPD_API_TOKEN: 't'.repeat(24) },
  };
  const program = buildVipctlProgram(io, {
    setExitCode: (code) => {
      exitCode = code;
    },
  });
  await program.parseAsync(['node', 'vipctl', '-c', '/nonexistent/vipd.yaml', ...args]);
  return { stdout, stderr, exitCode };
}

describe('vipctl over HTTP: request timeout and refusals', () => {
  let server: Server;
  let api = '';
  let handler: Handler = () => undefined;
  before(async () => {
    server = createServer((request, response) => {
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a takeover slower than --request-timeout but within --timeout is the node answer, not "cannot reach"', async () => {
    let asked = '';
    handler = (request, response) => {
      asked = request.url ?? '';
      // The node answers once the VIPs moved: here after 1.5 s, three times the request timeout.
      setTimeout(() => {
        response.writeHead(200, JSON_ONCE);
        response.end(JSON.stringify(TAKEOVER_RESULT));
      }, 1500);
    };
    const result = await vipctl([
      '--api',
      api,
      '--request-timeout',
      '500',
      'takeover',
      'web',
      '--timeout',
      '3000',
    ]);
    assert.equal(result.exitCode, EXIT.OK, result.stderr);
    assert.match(asked, /timeout_ms=3000$/);
    assert.match(result.stdout, /^web: n1 is master at epoch 7/);
  });

  it('status still gives up after --request-timeout, and says it was a timeout', async () => {
    handler = () => undefined; // never answers
    const result = await vipctl(['--api', api, '--request-timeout', '300', 'status']);
    assert.equal(result.exitCode, EXIT.UNAVAILABLE);
    assert.match(result.stderr, /no answer within 300 ms/);
  });

  it('HTTP 421 (host name not allowed) exits 6 with what to do', async () => {
    handler = (_request, response) => {
      response.writeHead(421, JSON_ONCE);
      response.end(
        JSON.stringify({
          code: 'HOST_NOT_ALLOWED',
          message:
            'Host "vipd.example" is not an IP address, localhost or one of api.allowed_hosts',
        }),
      );
    };
    const result = await vipctl(['--api', api, 'status']);
    assert.equal(result.exitCode, EXIT.UNAUTHORIZED, result.stderr);
    assert.match(
      result.stderr,
      /^vipctl: status failed: HOST_NOT_ALLOWED: .*; use the IP address in --api, or add the name to api\.allowed_hosts on the node\n$/,
    );
  });
});
