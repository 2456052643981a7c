// Open sockets inside a named network namespace (`ip netns add NAME`) without moving the
// process: setns(2) switches only the calling thread, sockets keep the namespace they were
// created in, and the thread switches back before anything else runs. keepalived's
// `net_namespace` option does the same for the whole daemon; tests and benchmarks use it to
// hold both ends of a veth from one process, timed by one clock.
import { closeSync, openSync } from 'node:fs';
import { ArpError } from '../errors.js';
import { CLONE_NEWNET, failure, sys } from './libc.js';

const NETNS_DIR = '/run/netns';
const NAMESPACE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Runs `create` (synchronous socket setup) with the main thread inside namespace `name`. */
export function inNetns<T>(name: string | undefined, create: () => T): T {
  if (name === undefined) return create();
  if (!NAMESPACE_NAME.test(name) || name === '.' || name === '..') {
    throw new ArpError('NETNS_NOT_FOUND', `"${name}" is not a valid network namespace name`);
  }
  let targetFd: number;
  try {
    targetFd = openSync(`${NETNS_DIR}/${name}`, 'r');
  } catch {
    throw new ArpError(
      'NETNS_NOT_FOUND',
      `network namespace "${name}" not found under ${NETNS_DIR}`,
    );
  }
  // thread-self, not self: setns moved this thread only, and this thread is what we restore.
  const homeFd = openSync('/proc/thread-self/ns/net', 'r');
  const goHome = (): void => {
    if (sys.setns(homeFd, CLONE_NEWNET) !== 0) {
      // Staying in the wrong namespace would silently misdirect every later socket.
      throw failure('setns', 'CAP_SYS_ADMIN', ' back to the original network namespace');
    }
  };
  try {
    if (sys.setns(targetFd, CLONE_NEWNET) !== 0) {
      throw failure('setns', 'CAP_SYS_ADMIN', ` into network namespace "${name}"`);
    }
    let created: T;
    try {
      created = create();
    } catch (error) {
      goHome();
      throw error;
    }
    goHome();
    return created;
  } finally {
    closeSync(homeFd);
    closeSync(targetFd);
  }
}
