// Loaded into a `vipd run` child with NODE_OPTIONS=--import: once the file named by
// VIPD_TEST_CRASH_FILE appears, it fails the way a bug in vipd would — an exception thrown
// from a timer ("throw") or a rejected promise nobody handles ("reject") — so the test
// sees the process-level handlers act without any hook for it in vipd itself.

import { existsSync, readFileSync } from 'node:fs';

const trigger = process.env['VIPD_TEST_CRASH_FILE'];
if (trigger !== undefined) {
  const poll = setInterval(() => {
    if (!existsSync(trigger)) return;
    clearInterval(poll);
    if (readFileSync(trigger, 'utf8').trim() === 'reject') {
      void Promise.reject(new Error('injected rejection'));
    } else {
      throw new Error('injected exception');
    }
  }, 20);
  poll.unref();
}
