// npm run demo — a 3-node vipd cluster in a namespace lab: shows who is master, kills the
// master (its switch port goes dark), prints the takeover as the client saw it, forces a
// takeover over REST, and cleans everything up. Needs root for the namespaces.
//
//   node test/dist/demo/main.js [--interval 100ms]
import { parseArgs } from 'node:util';
import { wallClockMs } from '../src/clock.js';
import { LabError } from '../src/errors.js';
import { withLab, type Lab, type LabHost } from '../src/lab.js';
import type { NeighborFrame } from '../src/neighbor-frames.js';
import { labSupport } from '@vipd/testkit';
import { missingToolSentence } from './lab-tools.js';
import { longestOutage } from '../src/probe-analysis.js';
import { ClientProber, NeighborCapture, startResponders } from '../src/probes.js';
import { ARP_QUIET_MS, bringUp, electionTimeoutMs, type TrialContext } from '../src/trials.js';
import { VipdCluster, vipdAvailable } from '../src/vipd-cluster.js';

const { values } = parseArgs({ options: { interval: { type: 'string', default: '100ms' } } });
const intervalMatch = /^(\d+)(ms|s)$/.exec(values.interval);
if (intervalMatch === null) {
  process.stderr.write(`demo: --interval must look like 100ms or 1s, got "${values.interval}".\n`);
  process.exit(2);
}
const intervalMs = Number(intervalMatch[1]) * (intervalMatch[2] === 's' ? 1000 : 1);

const missingTool = missingToolSentence();
if (missingTool !== null) {
  process.stderr.write(`${missingTool}\n`);
  process.exit(1);
}
const support = labSupport();
if (!support.ok) {
  process.stderr.write(`npm run demo: ${support.reason}.\n`);
  process.exit(1);
}
if (!vipdAvailable()) {
  process.stderr.write('npm run demo: the vipd daemon is not built yet; run `npx tsc -b` first.\n');
  process.exit(1);
}

const bold = (text: string): string => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);
let startedAt = wallClockMs();
function say(text: string, atMs = wallClockMs()): void {
  const seconds = ((atMs - startedAt) / 1000).toFixed(3).padStart(8);
  process.stdout.write(`${seconds} s  ${text}\n`);
}
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describeLab(lab: Lab): void {
  process.stdout.write(
    `${bold('Lab')} ${lab.runId}: a bridge namespace (the switch), 3 nodes and a client\n`,
  );
  for (const host of [...lab.nodes, lab.client]) {
    process.stdout.write(
      `  ${host.name.padEnd(7)} ${host.netns.padEnd(12)} ${host.ipv4.padEnd(15)} ${host.ipv6.padEnd(20)} ${host.mac}\n`,
    );
  }
  process.stdout.write(
    `  VIPs    ${lab.vip4()}/24 and ${lab.vip6()}/64, group "web", priorities n1 150, n2 100, n3 50\n`,
  );
  process.stdout.write(
    `  heartbeat every ${intervalMs} ms, master declared dead after 3 missed\n\n`,
  );
}

async function showMasters(cluster: VipdCluster, nodes: readonly LabHost[]): Promise<void> {
  const states = await Promise.all(nodes.map((n) => cluster.groupState(n, 'web')));
  say(`group web: ${nodes.map((n, i) => `${n.name} ${states[i] ?? 'unreachable'}`).join(', ')}`);
}

await withLab({ nodes: 3 }, async (lab) => {
  describeLab(lab);
  const [n1, n2, n3] = lab.nodes as [LabHost, LabHost, LabHost];
  const vip = lab.vip4();
  const cluster = new VipdCluster(lab, {
    intervalMs,
    groups: [
      {
        name: 'web',
        addresses: [`${vip}/24`, `${lab.vip6()}/64`],
        priorities: { n1: 150, n2: 100, n3: 50 },
      },
    ],
  });
  await startResponders(lab, [vip, lab.vip6()]);
  const capture = await NeighborCapture.start(lab);
  const prober = await ClientProber.start(lab, vip, { intervalMs: 1, gapReportMs: 5 });

  // The live timeline: announcements the client hears, and who answers its probes.
  const lastClaimByMac = new Map<string, number>();
  capture.onFrame((frame: NeighborFrame) => {
    if (frame.claimedMac === undefined || (frame.address !== vip && frame.address !== lab.vip6()))
      return;
    const previous = lastClaimByMac.get(`${frame.claimedMac} ${frame.address}`);
    lastClaimByMac.set(`${frame.claimedMac} ${frame.address}`, frame.atMs);
    if (previous !== undefined && frame.atMs - previous < 1_000) return; // one line per burst
    const owner = lab.hostByMac(frame.claimedMac)?.name ?? frame.claimedMac;
    const what =
      frame.kind === 'neighbor-advertisement'
        ? 'unsolicited NA'
        : frame.kind === 'arp-reply'
          ? 'ARP reply'
          : 'gratuitous ARP';
    say(`client hears ${what}: ${frame.address} is-at ${frame.claimedMac} (${owner})`, frame.atMs);
  });
  prober.onEvent((event) => {
    if (event.t === 'responder')
      say(bold(`client's probes to ${vip} now answered by ${event.node}`), event.at);
    if (event.t === 'gap' && event.gapMs >= 100)
      say(`client got no answer for ${event.gapMs.toFixed(1)} ms`, event.to);
  });

  startedAt = wallClockMs();
  say('starting vipd on n1, n2, n3');
  // bringUp restarts the cluster until n1 is the settled master the client talks to.
  const ctx: TrialContext = {
    lab,
    cluster,
    prober,
    capture,
    vip,
    intervalMs,
    onUnsettled: (why) => {
      say(`(${why})`);
    },
  };
  await bringUp(ctx, n1, [n2, n3]);
  await showMasters(cluster, lab.nodes);
  await prober.collect();
  await sleep(300);
  const deathAt = wallClockMs();
  say(bold('n1 dies silently: its switch port stops forwarding (carrier stays up)'), deathAt);
  await lab.faults.silence(n1);
  await prober.waitForResponder(n2.name, electionTimeoutMs(intervalMs));
  await sleep(300);
  const afterDeath = await prober.collect();
  const outage = longestOutage(afterDeath.replies, deathAt, wallClockMs());
  say(
    bold(
      `takeover by n2: the client saw an outage of ${(outage?.gapMs ?? 0).toFixed(1)} ms ` +
        `(heartbeat ${intervalMs} ms × 3 to declare n1 dead)`,
    ),
  );
  await showMasters(cluster, [n2, n3]);
  await capture.waitForQuiet(vip, ARP_QUIET_MS, 10_000);
  await prober.collect();
  await sleep(300);

  const takeoverAt = wallClockMs();
  say(bold('operator: POST /v1/groups/web/takeover on n3'), takeoverAt);
  const response = await cluster.api(n3, 'POST', '/v1/groups/web/takeover');
  say(`n3 answered ${response.status} after ${response.elapsedMs.toFixed(1)} ms`);
  await prober.waitForResponder(n3.name, 5_000);
  await sleep(300);
  const afterTakeover = await prober.collect();
  const gap = longestOutage(afterTakeover.replies, takeoverAt, wallClockMs());
  say(bold(`planned takeover: the client's longest gap was ${(gap?.gapMs ?? 0).toFixed(1)} ms`));
  await showMasters(cluster, [n2, n3]);

  say('stopping vipd and removing the lab');
  await cluster.stopAll();
  await prober.stop();
  await capture.stop();
}).then(
  () => {
    process.stdout.write('lab removed: no namespace, process or address left behind\n');
  },
  (error: unknown) => {
    // The lab's own failures are sentences; a stack trace would only hide that one.
    if (!(error instanceof LabError)) throw error;
    process.stderr.write(`npm run demo: ${error.message} [${error.code}]; the lab was removed\n`);
    process.exitCode = 1;
  },
);
