// LinuxSystemOps runs `ip` (for routes and neighbours; addresses go over netlink) with a built
// environment: a fake `ip` first on PATH shows what it receives. Nothing here touches the
// host's network.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LinuxSystemOps } from '../src/realserver/linux-ops.js';
import { withProcessEnv } from './process-env.js';
import { tempDir } from './tmpdir.js';

describe('LinuxSystemOps: the environment of `ip`', () => {
  it("has PATH but none of the secrets in vipd's environment", async () => {
    const dir = tempDir();
    try {
      const dump = `${dir.path}/env`;
      dir.file('bin/ip', `#!/bin/sh\nenv > ${dump}\necho '[{"dev":"lo"}]'\n`, 0o755);
      const path = `${dir.path}/bin:${process.env['PATH'] ?? ''}`;
      const names = await withProcessEnv(
        {
          PATH: path,
          VIPD_CLUSTER_KEY: 'cluster-key-that-must-not-leak-0123456789',
          VIPD_API_TOKEN: 'api-token-that-must-not-leak',
        },
        () => new LinuxSystemOps().defaultRouteInterfaces(4),
      );
      assert.deepEqual(names, ['lo'], 'the fake ip ran');
      const env = readFileSync(dump, 'utf8');
      assert.doesNotMatch(env, /VIPD_CLUSTER_KEY|VIPD_API_TOKEN|must-not-leak/);
      assert.match(env, new RegExp(`^PATH=${path}$`, 'm'));
    } finally {
      dir.remove();
    }
  });
});
