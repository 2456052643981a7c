// Debian's Chromium, headless, inside one of the lab's namespaces, driven by playwright-core
// over its DevTools pipe: the browser reaches a node's API on that node's own 127.0.0.1, and
// nothing outside the lab. playwright-core never downloads a browser; the system one is used.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import type { Lab, LabHost } from './lab.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** No GPU, no QUIC, none of Chromium's own calls home (updates, sync, field trials). */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/**
 * A browser with a fresh profile in the run directory, running in `host`'s namespace: the
 * launcher is a two-line script that enters the namespace and execs Chromium, so the
 * DevTools pipe (file descriptors 3 and 4) passes straight through.
 */
export async function chromiumIn(lab: Lab, host: LabHost): Promise<BrowserContext> {
  const launcher = join(lab.runDir, `chromium-${host.name}.sh`);
  writeFileSync(launcher, `#!/bin/sh\nexec ip netns exec ${host.netns} ${CHROMIUM_PATH} "$@"\n`);
  chmodSync(launcher, 0o755);
  return chromium.launchPersistentContext(join(lab.runDir, `chromium-${host.name}-profile`), {
    executablePath: launcher,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 900 },
    timeout: 30_000,
  });
}
