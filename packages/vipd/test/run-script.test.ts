import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_PATH, scriptEnvironment } from '../src/run-script.js';

describe('scriptEnvironment', () => {
  it("passes PATH, locale and TZ, adds vipd's own variables and nothing else", () => {
    const env = scriptEnvironment(
      { VIPD_GROUP: 'web' },
      {
        PATH: '/opt/bin:/usr/bin',
        LANG: 'de_DE.UTF-8',
        LC_ALL: 'C.UTF-8',
        TZ: 'Europe/Berlin',
        HOME: '/root',
        VIPD_CLUSTER_KEY: 'secret',
        VIPD_API_TOKEN: 'secret',
        VIPD_GROUP: 'from the daemon, overridden',
      },
    );
    assert.deepEqual(env, {
      PATH: '/opt/bin:/usr/bin',
      LANG: 'de_DE.UTF-8',
      LC_ALL: 'C.UTF-8',
      TZ: 'Europe/Berlin',
      VIPD_GROUP: 'web',
    });
  });

  it('gives a default PATH when vipd has none', () => {
    assert.deepEqual(scriptEnvironment({}, {}), { PATH: DEFAULT_PATH });
  });
});
