// The processes of the real-server lab, run inside its namespaces with `ip netns exec`:
//   vipd -c CONFIG realserver apply|check|remove [--json]   the real CLI sub-command
//   serve NAME                                             HTTP on port 80 answering NAME
//   get URL COUNT [MAX]                                    COUNT GETs, each on a new connection;
//                                                          with MAX, more (up to MAX in all)
//                                                          until two servers have answered

import { readFileSync } from 'node:fs';
import { createServer, get } from 'node:http';

const REQUEST_TIMEOUT_MS = 3000;

async function vipd(args: string[]): Promise<void> {
  // Loaded only here: `serve` must print "listening" fast on a loaded machine, and the CLI's
  // modules (commander, yaml, the whole real-server code) cost it seconds of start-up there.
  const [{ Command }, { parse }, { buildRealServerCommand }, { parseRealServerSection }] =
    await Promise.all([
      import('commander'),
      import('yaml'),
      import('../src/realserver/cli.js'),
      import('../src/realserver/config.js'),
    ]);
  const program = new Command('vipd').option('-c, --config <path>', 'config file');
  program.addCommand(
    buildRealServerCommand({
      loadConfig: (globals) => {
        const doc = parse(readFileSync(String(globals['config']), 'utf8')) as {
          realserver?: unknown;
        };
        return Promise.resolve(parseRealServerSection(doc.realserver));
      },
    }),
  );
  await program.parseAsync(args, { from: 'user' });
}

function serve(name: string): void {
  const server = createServer((request, response) => {
    const { localAddress, remoteAddress, remotePort } = request.socket;
    // The client's port too: the directors pick a real server by a hash of it.
    response.end(JSON.stringify({ name, localAddress, remoteAddress, remotePort }));
  });
  server.listen({ port: 80, host: '::', ipv6Only: false }, () => {
    process.stdout.write(`listening ${name}\n`);
  });
  process.on('SIGTERM', () => {
    server.close();
    process.exit(0);
  });
}

function getOnce(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = get(url, { agent: false, timeout: REQUEST_TIMEOUT_MS }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve(JSON.parse(body));
      });
    });
    request.on('timeout', () => request.destroy(new Error(`timeout: ${url}`)));
    request.on('error', reject);
  });
}

/**
 * The directors pick a real server by a hash of the client's address and source port, and
 * the kernel hands out source ports close together: a few connections can all hash to one
 * server (8 in a row did, about 1 run in 50; see realserver-failover.test.ts). With `max`, the client
 * goes on until two servers have answered, so a spread that works is never reported as one
 * that does not, while forwarding that sends everything to one server still shows: `max`
 * connections all on one server.
 */
async function getMany(url: string, count: number, max = count): Promise<void> {
  const answers: { name?: unknown }[] = [];
  const servers = () => new Set(answers.map((a) => a.name)).size;
  while (answers.length < count || (servers() < 2 && answers.length < max)) {
    answers.push((await getOnce(url)) as { name?: unknown });
  }
  process.stdout.write(`${JSON.stringify(answers)}\n`);
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'vipd') await vipd(rest);
else if (mode === 'serve' && rest[0]) serve(rest[0]);
else if (mode === 'get' && rest[0] && rest[1])
  await getMany(rest[0], Number(rest[1]), rest[2] === undefined ? undefined : Number(rest[2]));
else {
  process.stderr.write('usage: vipd ARGS | serve NAME | get URL COUNT [MAX]\n');
  process.exitCode = 2;
}
