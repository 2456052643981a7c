import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '@vipd/clock';
import { fileCheck } from '../../src/trackers/file-check.js';
import { httpCheck } from '../../src/trackers/http-check.js';
import { interfaceCheck } from '../../src/trackers/interface-check.js';
import { scriptCheck } from '../../src/trackers/script-check.js';
import { tcpCheck } from '../../src/trackers/tcp-check.js';
import { withProcessEnv } from '../process-env.js';
import { tempDir, waitFor } from '../tmpdir.js';

const never = new AbortController().signal;

/** A port that was just free: listen on 0, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('interface check (sysfs)', () => {
  it('reads the real loopback device as up', async () => {
    const result = await interfaceCheck('lo')(never);
    assert.equal(result.ok, true, result.detail);
  });

  it('is down for an interface that does not exist', async () => {
    const result = await interfaceCheck('vipdnope0')(never);
    assert.deepEqual(result, { ok: false, detail: 'no interface vipdnope0' });
  });

  it('distinguishes admin-down from no carrier', async () => {
    const dir = tempDir();
    const check = interfaceCheck('eth9', dir.path);
    try {
      dir.file('eth9/flags', '0x1002\n');
      assert.deepEqual(await check(never), { ok: false, detail: 'eth9 is administratively down' });
      dir.file('eth9/flags', '0x1003\n');
      dir.file('eth9/carrier', '0\n');
      assert.deepEqual(await check(never), { ok: false, detail: 'eth9 has no carrier' });
      dir.file('eth9/carrier', '1\n');
      assert.equal((await check(never)).ok, true);
    } finally {
      dir.remove();
    }
  });
});

describe('HTTP check (real server on 127.0.0.1)', () => {
  let server: Server;
  let base: string;
  let status = 200;
  /** Resolves the hung request's arrival at the server. */
  let hungRequestArrived: () => void = () => undefined;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') {
        hungRequestArrived();
        return; // never answers
      }
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('body is ignored');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('is up on an expected status and down on another', async () => {
    const check = httpCheck({
      url: `${base}/health`,
      expectStatus: [200, 204],
      tlsVerify: true,
      timeoutMs: 1000,
    });
    status = 204;
    assert.deepEqual(await check(never), { ok: true, detail: 'HTTP 204' });
    status = 503;
    assert.deepEqual(await check(never), { ok: false, detail: 'HTTP 503, expected 200 or 204' });
  });

  it('fails a server that does not answer within the timeout', async () => {
    const clock = createManualClock();
    const arrived = new Promise<void>((resolve) => {
      hungRequestArrived = resolve;
    });
    let answered = false;
    const checking = httpCheck(
      { url: `${base}/hang`, expectStatus: [200], tlsVerify: true, timeoutMs: 100 },
      clock,
    )(never).then((result) => {
      answered = true;
      return result;
    });
    await arrived;
    clock.advance(99);
    await settle();
    assert.equal(answered, false, 'still waiting before the timeout');
    clock.advance(1);
    assert.deepEqual(await checking, { ok: false, detail: 'no answer within 100ms' });
    assert.equal(clock.pendingTimers(), 0);
  });

  it('fails a refused connection with the errno', async () => {
    const port = await closedPort();
    const result = await httpCheck({
      url: `http://127.0.0.1:${port}/`,
      expectStatus: [200],
      tlsVerify: true,
      timeoutMs: 1000,
    })(never);
    assert.equal(result.ok, false);
    assert.match(result.detail, /ECONNREFUSED/);
  });
});

describe('HTTPS check (real TLS server, self-signed certificate)', () => {
  const openssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;
  it(
    'verifies the certificate unless tls_verify is off',
    { skip: openssl ? false : 'openssl not installed' },
    async () => {
      const dir = tempDir();
      const keyFile = `${dir.path}/key.pem`;
      const certFile = `${dir.path}/cert.pem`;
      const made = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ]);
      assert.equal(made.status, 0, String(made.stderr));
      const server = createHttpsServer(
        { key: readFileSync(keyFile), cert: readFileSync(certFile) },
        (_req, res) => {
          res.writeHead(200);
          res.end('ok');
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
      try {
        const insecure = await httpCheck({
          url,
          expectStatus: [200],
          tlsVerify: false,
          timeoutMs: 2000,
        })(never);
        assert.deepEqual(insecure, { ok: true, detail: 'HTTP 200' });
        const verified = await httpCheck({
          url,
          expectStatus: [200],
          tlsVerify: true,
          timeoutMs: 2000,
        })(never);
        assert.equal(verified.ok, false);
        assert.match(verified.detail, /self[- ]signed/i);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        dir.remove();
      }
    },
  );
});

describe('HTTPS check against an internal CA (ca_file)', () => {
  const openssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;
  it(
    'verifies a server signed by the CA in ca_file; without it, or with it unreadable, fails',
    { skip: openssl ? false : 'openssl not installed' },
    async () => {
      const dir = tempDir();
      const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
      const run = (args: string[]) => {
        const made = spawnSync('openssl', args, { cwd: dir.path });
        assert.equal(made.status, 0, String(made.stderr));
      };
      run([
        'req',
        '-x509',
        ...ec,
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '1',
        '-subj',
        '/CN=ca',
      ]);
      run([
        ...['req', '-x509', ...ec, '-keyout', 'srv.key', '-out', 'srv.crt', '-days', '1'],
        ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        ...['-CA', 'ca.crt', '-CAkey', 'ca.key'],
      ]);
      const server = createHttpsServer(
        {
          key: readFileSync(`${dir.path}/srv.key`),
          cert: readFileSync(`${dir.path}/srv.crt`),
        },
        (_req, res) => {
          res.writeHead(204);
          res.end();
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
      const check = (caFile?: string) =>
        httpCheck({
          url,
          expectStatus: [204],
          tlsVerify: true,
          ...(caFile === undefined ? {} : { caFile }),
          timeoutMs: 2000,
        })(never);
      try {
        assert.deepEqual(await check(`${dir.path}/ca.crt`), { ok: true, detail: 'HTTP 204' });
        const systemStore = await check();
        assert.equal(systemStore.ok, false);
        assert.match(systemStore.detail, /certificate/i);
        const missing = await check(`${dir.path}/gone.crt`);
        assert.equal(missing.ok, false);
        assert.match(missing.detail, /cannot read ca_file .*gone\.crt: ENOENT/);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        dir.remove();
      }
    },
  );
});

describe('TCP check (real sockets)', () => {
  it('is up when the port accepts and down when refused', async () => {
    const server = createTcpServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      assert.equal((await tcpCheck({ host: '127.0.0.1', port }, 1000)(never)).ok, true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const refused = await tcpCheck({ host: '127.0.0.1', port }, 1000)(never);
    assert.equal(refused.ok, false);
    assert.match(refused.detail, /ECONNREFUSED/);
  });
});

describe('script check (real processes)', () => {
  it('is up on exit 0 and down on another status, with the output tail', async () => {
    const dir = tempDir();
    try {
      const good = dir.file('good.sh', '#!/bin/sh\necho all fine\n', 0o755);
      const bad = dir.file('bad.sh', '#!/bin/sh\necho "disk full" >&2\nexit 2\n', 0o755);
      assert.deepEqual(await scriptCheck(good, [], 2000)(never), {
        ok: true,
        detail: 'exit 0: all fine',
      });
      assert.deepEqual(await scriptCheck(bad, [], 2000)(never), {
        ok: false,
        detail: 'exit 2: disk full',
      });
    } finally {
      dir.remove();
    }
  });

  it('passes arguments without a shell', async () => {
    const dir = tempDir();
    try {
      const script = dir.file(
        'args.sh',
        '#!/bin/sh\n[ "$1" = "a b" ] && [ "$2" = \'$HOME\' ]\n',
        0o755,
      );
      assert.equal((await scriptCheck(script, ['a b', '$HOME'], 2000)(never)).ok, true);
    } finally {
      dir.remove();
    }
  });

  it('kills an overrunning script and its children after the timeout', async () => {
    const dir = tempDir();
    try {
      const pidFile = `${dir.path}/child.pid`;
      const script = dir.file(
        'hang.sh',
        `#!/bin/sh\nsleep 30 &\necho $! > ${pidFile}\nwait\n`,
        0o755,
      );
      const clock = createManualClock();
      let answered = false;
      const checking = scriptCheck(
        script,
        [],
        150,
        clock,
      )(never).then((result) => {
        answered = true;
        return result;
      });
      await waitFor(() => readPid(pidFile) !== null, 5000, 'the script to start its child');
      clock.advance(149);
      await settle();
      assert.equal(answered, false, 'not killed before the timeout');
      clock.advance(1);
      assert.deepEqual(await checking, { ok: false, detail: 'killed after 150ms timeout' });
      const childPid = Number(readFileSync(pidFile, 'utf8'));
      await waitFor(
        () =>
          !existsSync(`/proc/${childPid}`) ||
          readFileSync(`/proc/${childPid}/stat`, 'utf8').includes(') Z '),
        2000,
        'the grandchild to die',
      );
    } finally {
      dir.remove();
    }
  });

  it("gives the script no secret from vipd's environment", async () => {
    const dir = tempDir();
    const daemonEnv = {
      VIPD_CLUSTER_KEY: 'cluster-key-that-must-not-leak-0123456789',
      VIPD_API_TOKEN: 'api-token-that-must-not-leak-0123',
    };
    try {
      const dump = `${dir.path}/env`;
      const script = dir.file('env.sh', `#!/bin/sh\nenv > ${dump}\n`, 0o755);
      const result = await withProcessEnv(daemonEnv, () => scriptCheck(script, [], 5000)(never));
      assert.equal(result.ok, true);
      const names = readFileSync(dump, 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.slice(0, line.indexOf('=')));
      assert.ok(names.includes('VIPD_TRACKER'));
      assert.ok(names.includes('PATH'));
      assert.equal(names.includes('VIPD_CLUSTER_KEY'), false);
      assert.equal(names.includes('VIPD_API_TOKEN'), false);
      assert.doesNotMatch(readFileSync(dump, 'utf8'), /must-not-leak/);
    } finally {
      dir.remove();
    }
  });

  it('is up as soon as the script exits, although a background child keeps its stdout', async () => {
    const dir = tempDir();
    const pidFile = `${dir.path}/grandchild.pid`;
    try {
      const script = dir.file(
        'bg.sh',
        `#!/bin/sh\nsleep 30 &\necho $! > ${pidFile}\necho healthy\n`,
        0o755,
      );
      const started = performance.now();
      const result = await scriptCheck(script, [], 20_000)(never);
      assert.ok(
        performance.now() - started < 10_000,
        'the result comes with the script, not with the grandchild 30 s later or the 20 s timeout',
      );
      assert.equal(result.ok, true);
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // Never started or already gone.
      }
      dir.remove();
    }
  });

  it('kills what the script left in its process group at the deadline, after the result', async () => {
    const dir = tempDir();
    const pidFile = `${dir.path}/grandchild.pid`;
    try {
      const script = dir.file(
        'bg.sh',
        `#!/bin/sh\nsleep 30 > /dev/null 2>&1 &\necho $! > ${pidFile}\n`,
        0o755,
      );
      const clock = createManualClock();
      const result = await scriptCheck(script, [], 300, clock)(never);
      assert.deepEqual(result, { ok: true, detail: 'exit 0' });
      const grandchild = Number(readFileSync(pidFile, 'utf8'));
      assert.ok(alive(grandchild), 'the result does not wait for the leftover, nor kill it');
      clock.advance(300);
      await waitFor(
        () => {
          try {
            return readFileSync(`/proc/${grandchild}/stat`, 'utf8').includes(') Z ');
          } catch {
            return true; // gone (and reaped)
          }
        },
        10_000,
        'the leftover sleep to be killed at the 300 ms deadline',
      );
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // Never started or already gone.
      }
      dir.remove();
    }
  });

  it('times out a hung script whose grandchild left the process group holding stdout', async () => {
    const dir = tempDir();
    const pidFile = `${dir.path}/escaped.pid`;
    try {
      // setsid puts the grandchild in a session of its own: the group kill misses it, and it
      // keeps the stdout pipe open for 30 s.
      const script = dir.file(
        'escape.sh',
        `#!/bin/sh\nsetsid sleep 30 &\necho $! > ${pidFile}\nsleep 30\n`,
        0o755,
      );
      const started = performance.now();
      const result = await scriptCheck(script, [], 300)(never);
      assert.deepEqual(result, { ok: false, detail: 'killed after 300ms timeout' });
      assert.ok(performance.now() - started < 10_000, 'not wedged until the grandchild exits');
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
      } catch {
        // Never started or already gone.
      }
      dir.remove();
    }
  });

  it('reports a program that cannot start', async () => {
    const result = await scriptCheck('/nonexistent/check', [], 1000)(never);
    assert.equal(result.ok, false);
    assert.match(result.detail, /cannot run \/nonexistent\/check: ENOENT/);
  });
});

/** The pid a test script wrote down, once it is there in full. */
function readPid(pidFile: string): number | null {
  try {
    const text = readFileSync(pidFile, 'utf8');
    return text.endsWith('\n') ? Number(text) : null;
  } catch {
    return null;
  }
}

/** Running, not a zombie waiting to be reaped. */
function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

/** Lets callbacks of I/O that has already happened run; time moves only on the manual clock. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('file check (track_file)', () => {
  it('reads integers, treats a missing file as 0 and garbage as a failure', async () => {
    const dir = tempDir();
    try {
      const path = `${dir.path}/weight`;
      assert.deepEqual(await fileCheck(path)(never), {
        ok: true,
        value: 0,
        detail: `${path} missing, reads as 0`,
      });
      dir.file('weight', '-5\n');
      assert.deepEqual(await fileCheck(path)(never), { ok: true, value: -5, detail: 'value -5' });
      dir.file('weight', 'half-writ');
      const bad = await fileCheck(path)(never);
      assert.equal(bad.ok, false);
      assert.match(bad.detail, /not an integer/);
    } finally {
      dir.remove();
    }
  });
});
