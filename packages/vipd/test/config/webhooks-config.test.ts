import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfigFile } from '../../src/config/load.js';
import type { ConfigProblem } from '../../src/config/types.js';
import { EVENT_KINDS } from '../../src/events/types.js';
import { configDir } from './fixture.js';

const SECRET = 'webhook-secret-0123456789';

const withWebhooks = (webhooks: string) => `node: { id: n1, listen: 127.0.0.1:7410 }
cluster: { key_file: cluster.key }
notify:
  webhooks:
${webhooks}`;

const HOOK = `    - { name: chat, url: "https://hooks.example/vipd?x=1", secret_file: hook.secret }\n`;

function load(yaml: string, secretMode = 0o600) {
  const dir = configDir(yaml);
  dir.write('hook.secret', `${SECRET}\n`, secretMode);
  try {
    return loadConfigFile(dir.file, { env: {} });
  } finally {
    dir.remove();
  }
}

function problems(yaml: string, secretMode = 0o600): [string, string | undefined][] {
  try {
    load(yaml, secretMode);
  } catch (error) {
    if (error instanceof ConfigError)
      return error.problems.map((p: ConfigProblem) => [p.path, p.code ?? p.message]);
    throw error;
  }
  return [];
}

describe('notify.webhooks', () => {
  it('reads the secret and fills in the defaults: every event kind, 5s, 5 attempts, 1000 queued', () => {
    const { config } = load(withWebhooks(HOOK));
    const [hook] = config.webhooks;
    assert.ok(hook);
    assert.equal(hook.secret.reveal().toString(), SECRET, 'one trailing newline dropped');
    assert.deepEqual(
      { ...hook, secret: undefined },
      {
        name: 'chat',
        url: 'https://hooks.example/vipd?x=1',
        secret: undefined,
        events: [...EVENT_KINDS],
        timeoutMs: 5000,
        maxAttempts: 5,
        queueSize: 1000,
      },
    );
    assert.doesNotMatch(JSON.stringify(config), new RegExp(SECRET), 'the secret never serialises');
  });

  it('refuses a secret file other users can read, like a key file', () => {
    const found = problems(withWebhooks(HOOK), 0o644);
    assert.deepEqual(found, [['notify.webhooks[0].secret_file', 'KEY_FILE_EXPOSED']]);
  });

  it('refuses a URL with credentials and an unknown event kind', () => {
    const found = problems(
      withWebhooks(
        `${HOOK}    - { name: chat, url: "https://u:p@hooks.example/", secret_file: hook.secret, events: [transition, takeover] }\n`,
      ),
    );
    const paths = found.map(([path]) => path);
    assert.ok(paths.includes('notify.webhooks[1].url'), JSON.stringify(found));
    assert.ok(paths.includes('notify.webhooks[1].events[1]'), JSON.stringify(found));
  });

  it('names a duplicate webhook name', () => {
    const found = problems(withWebhooks(`${HOOK}${HOOK}`));
    assert.deepEqual(
      found.map(([path]) => path),
      ['notify.webhooks[1].name'],
    );
  });

  it('requires secret_file', () => {
    const found = problems(withWebhooks(`    - { name: chat, url: "http://127.0.0.1:9/" }\n`));
    assert.ok(
      found.some(([path]) => path.startsWith('notify.webhooks[0]')),
      JSON.stringify(found),
    );
  });
});
