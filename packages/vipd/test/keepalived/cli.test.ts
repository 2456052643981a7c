import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { EXIT } from '../../src/cli/exit-codes.js';
import { VIPD, runSync } from '../cli/process.js';
import { PER_STATE_NOTIFY, singleFileDir, webPairDir } from './fixtures.js';

describe('vipd import-keepalived (real process)', () => {
  it('writes the YAML on stdout and every unconverted directive with FILE:LINE on stderr (exit 0)', () => {
    const dir = webPairDir();
    try {
      const result = runSync(VIPD, ['import-keepalived', dir.main]);
      assert.equal(result.status, EXIT.OK, result.stderr);
      const config = parse(result.stdout) as {
        node: { id: string };
        groups: { name: string; vrrp: { vrid: number } }[];
      };
      assert.equal(config.node.id, 'lb-1');
      assert.deepEqual(
        config.groups.map((g) => [g.name, g.vrrp.vrid]),
        [
          ['VI_WEB6', 52],
          ['VI_WEB', 51],
        ],
      );
      const lines = result.stderr.trim().split('\n');
      assert.ok(
        lines.includes(
          `${dir.main}:37: authentication not converted (VRRPv3 has no authentication (RFC 5798 §9); keepalived ignores it with version 3 too)`,
        ),
        result.stderr,
      );
      assert.ok(
        lines.includes(
          `${dir.path}/conf.d/scripts.conf:9: user not converted (vipd runs trackers as its own user (root under the systemd unit); drop privileges inside the script, e.g. with setpriv)`,
        ),
        result.stderr,
      );
      assert.match(
        lines.at(-1) ?? '',
        /^vipd: 2 vrrp_instances converted to VRRP groups; \d+ directives not converted, \d+ converted with a difference/,
      );
    } finally {
      dir.remove();
    }
  });

  it('-o writes the file, --notify-dir writes an executable dispatcher', () => {
    const dir = singleFileDir(PER_STATE_NOTIFY.replaceAll('NOTIFY_DIR', '/etc/keepalived'));
    try {
      const out = `${dir.path}/vipd.yaml`;
      const result = runSync(VIPD, [
        'import-keepalived',
        dir.main,
        '-o',
        out,
        '--notify-dir',
        dir.path,
      ]);
      assert.equal(result.status, EXIT.OK, result.stderr);
      assert.equal(result.stdout, '');
      const config = parse(readFileSync(out, 'utf8')) as { groups: { notify: unknown[] }[] };
      assert.deepEqual(config.groups[0]?.notify, [
        { path: `${dir.path}/web.notify.sh`, convention: 'keepalived' },
        { path: '/etc/keepalived/record.sh', args: ['generic'], convention: 'keepalived' },
      ]);
      assert.equal(statSync(`${dir.path}/web.notify.sh`).mode & 0o777, 0o755);
      assert.match(
        readFileSync(`${dir.path}/web.notify.sh`, 'utf8'),
        /^ {2}MASTER\) '\/etc\/keepalived\/record\.sh' 'MASTER' 'web pair' ;;$/m,
      );
    } finally {
      dir.remove();
    }
  });

  it('exits 3 on a file it cannot parse, naming the code, file and line, and writes nothing', () => {
    const dir = singleFileDir('global_defs {\n  router_id a\n\nvrrp_instance VI_1 {\n}\n');
    try {
      const result = runSync(VIPD, ['import-keepalived', dir.main]);
      assert.equal(result.status, EXIT.CONFIG_INVALID);
      assert.equal(result.stdout, '');
      assert.equal(
        result.stderr,
        `vipd: KEEPALIVED_SYNTAX: ${dir.main}:1: the '{' opened here is never closed (1 block open at the end)\n`,
      );
      const missing = runSync(VIPD, ['import-keepalived', `${dir.path}/nope.conf`]);
      assert.equal(missing.status, EXIT.CONFIG_INVALID);
      assert.match(
        missing.stderr,
        /^vipd: KEEPALIVED_UNREADABLE: .*nope\.conf: cannot read .*nope\.conf \(ENOENT\)\n$/,
      );
    } finally {
      dir.remove();
    }
  });
});
