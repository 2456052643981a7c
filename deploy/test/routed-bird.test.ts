// deploy/examples/routed: every bird.conf parses with the real BIRD 2 (`bird -p -c FILE`,
// which reads and checks the file and starts nothing), and the BIRD files agree with the
// vipd files and with each other: each node learns the kernel table its vipd group writes,
// its BGP neighbour is the router's session for it (addresses and ASes on both ends), the
// export filter turns the kernel metric into the MED, and the router compares MEDs across
// ASes with one path per prefix — the fencing docs/routed.md describes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hasTool } from '@vipd/testkit';
import { parse } from 'yaml';
import { DEPLOY_DIR } from './vipd-cli.js';

const ROUTED_DIR = join(DEPLOY_DIR, 'examples', 'routed');
const birdFiles = readdirSync(ROUTED_DIR).filter((f) => f.endsWith('.bird.conf'));
const read = (file: string) => readFileSync(join(ROUTED_DIR, file), 'utf8');
const noBird = hasTool('bird') ? false : 'bird2 is not installed (apt-get install bird2)';

interface RoutedNode {
  node: { id: string; listen: string };
  groups: { routed: { table: number } }[];
}

/** `neighbor ADDRESS as N` and `local as N` of a BGP protocol body. */
function bgpEnds(text: string): { neighbor: string; neighborAs: number; localAs: number }[] {
  const localDefault = /local as (\d+);/.exec(text)?.[1];
  return [...text.matchAll(/neighbor ([\d.]+) as (\d+);/g)].map((m) => ({
    neighbor: m[1] ?? '',
    neighborAs: Number(m[2]),
    localAs: Number(localDefault),
  }));
}

describe('deploy/examples/routed BIRD files', () => {
  it('has a bird.conf per node and one for the router', () => {
    assert.deepEqual(birdFiles.sort(), ['n1.bird.conf', 'n2.bird.conf', 'router.bird.conf']);
  });

  for (const file of birdFiles) {
    it(`bird -p -c ${file} parses it`, { skip: noBird }, () => {
      const result = spawnSync('bird', ['-p', '-c', join(ROUTED_DIR, file)], { encoding: 'utf8' });
      assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    });
  }

  it("each node's BIRD learns its vipd table, sets the MED from the metric, and peers with the router's session for it", () => {
    const router = read('router.bird.conf');
    const routerSessions = bgpEnds(router);
    const routerAs = Number(/local as (\d+);/.exec(router)?.[1]);
    for (const id of ['n1', 'n2']) {
      const vipd = parse(read(`${id}.yaml`)) as RoutedNode;
      const bird = read(`${id}.bird.conf`);
      const table = vipd.groups[0]?.routed.table;
      assert.match(bird, new RegExp(`kernel table ${table};`), `${id}: learns table ${table}`);
      assert.match(bird, /\blearn;/);
      assert.match(bird, /bgp_med = krt_metric;/, `${id}: MED = kernel metric`);
      assert.match(bird, /bfd on;/);
      const [uplink] = bgpEnds(bird);
      assert.ok(uplink !== undefined, `${id}: a BGP session`);
      assert.equal(uplink.neighborAs, routerAs);
      const address = vipd.node.listen.replace(/:\d+$/, '');
      const session = routerSessions.find((s) => s.neighbor === address);
      assert.ok(session !== undefined, `router has a session to ${id} at ${address}`);
      assert.equal(session.neighborAs, uplink.localAs, `${id}: AS agrees on both ends`);
      assert.match(bird, new RegExp(`router id ${address.replaceAll('.', '\\.')};`));
    }
  });

  it('the router compares MEDs across ASes, installs one path per prefix and runs BFD', () => {
    const router = read('router.bird.conf');
    assert.match(router, /med metric on;/);
    assert.match(router, /merge paths off;/);
    assert.doesNotMatch(router, /merge paths on/);
    assert.match(router, /bfd on;/);
    assert.match(router, /protocol bfd/);
  });
});
