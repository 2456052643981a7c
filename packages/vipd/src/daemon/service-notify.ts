// sd_notify(3) for `vipd run` under a Type=notify systemd unit: READY=1 once the node is up,
// RELOADING=1 / READY=1 around a reload, STOPPING=1 with EXTEND_TIMEOUT_USEC (this config's
// stop budget) on SIGTERM. The protocol is a datagram to the unix socket in $NOTIFY_SOCKET,
// which Node cannot send, so each message is one run of systemd-notify(1). systemd-notify
// (systemd 246 and later) waits until the manager has read the message, so the manager still
// sees the sender in the unit's cgroup; the unit needs NotifyAccess=all because the sender is
// that child, not the main process.

import { spawn } from 'node:child_process';
import { VipdError } from '../errors.js';

export const SYSTEMD_NOTIFY = '/usr/bin/systemd-notify';
/** systemd-notify waits for the manager to read the message; never longer than this. */
export const NOTIFY_SEND_TIMEOUT_MS = 5000;

/** One sd_notify message: VARIABLE=value assignments. */
export type NotifyFields = Readonly<Record<string, string>>;

export interface ServiceNotifier {
  /** Queues one message; resolves once it was delivered or failed (failures go to onError). */
  send(fields: NotifyFields): Promise<void>;
}

export interface SystemdNotifierOptions {
  /** The socket systemd gave the service ($NOTIFY_SOCKET). */
  readonly socket: string;
  readonly onError: (error: VipdError) => void;
  readonly command?: string;
}

/** Messages go out one at a time, in order: READY=1 must never overtake RELOADING=1. */
export function systemdNotifier(options: SystemdNotifierOptions): ServiceNotifier {
  const command = options.command ?? SYSTEMD_NOTIFY;
  let queue: Promise<void> = Promise.resolve();
  return {
    send(fields) {
      const run = queue
        .then(() => sendOnce(command, options.socket, fields))
        .catch(options.onError);
      queue = run;
      return run;
    },
  };
}

function assignments(fields: NotifyFields): string[] {
  return Object.entries(fields).map(([name, value]) => {
    // One assignment per line in the datagram: a newline would start another variable.
    if (!/^[A-Z_]+$/.test(name) || /[\n\0]/.test(value))
      throw new VipdError('SERVICE_NOTIFY_FAILED', `not an sd_notify assignment: ${name}`);
    return `${name}=${value}`;
  });
}

function sendOnce(command: string, socket: string, fields: NotifyFields): Promise<void> {
  const args = assignments(fields);
  return new Promise((resolve, reject) => {
    let stderr = '';
    const child = spawn(command, args, {
      env: { ...process.env, NOTIFY_SOCKET: socket },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: NOTIFY_SEND_TIMEOUT_MS,
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-500);
    });
    child.once('error', (error) => {
      reject(
        new VipdError(
          'SERVICE_NOTIFY_FAILED',
          `cannot run ${command} to tell systemd ${args.join(' ')}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new VipdError(
            'SERVICE_NOTIFY_FAILED',
            `${command} ${args.join(' ')} failed (${code === null ? String(signal) : `exit ${code}`}): ${stderr.trim()}`,
          ),
        );
    });
  });
}
