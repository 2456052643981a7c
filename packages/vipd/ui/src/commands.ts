// The operator's commands from the page: takeover and release of a group, maintenance of
// this node. Each reads the token from the password field at the moment of the click (it
// lives in the field and this call only: nothing stores it), sends it as the bearer header
// and says in words what the node answered.

import { ApiRefusal, sendCommand } from './api.js';
import { byId } from './dom.js';
import type { GroupCommand } from './groups-view.js';

function say(text: string): void {
  byId('action-result', HTMLParagraphElement).textContent = text;
}

function describeFailure(what: string, error: unknown): string {
  if (error instanceof ApiRefusal) return `${what} refused: ${error.code}: ${error.message}`;
  return `${what} failed: ${(error as Error).message}`;
}

/** The typed token, or null after asking for it (and moving the focus to the field). */
function tokenOrAsk(what: string): string | null {
  const field = byId('token', HTMLInputElement);
  const token = field.value.trim();
  if (token !== '') return token;
  say(`${what}: type the API token first.`);
  field.focus();
  return null;
}

async function run(what: string, path: string, body: unknown, after: () => void): Promise<void> {
  const token = tokenOrAsk(what);
  if (token === null) return;
  say(`${what}: sent, waiting for the node…`);
  const startedMs = performance.now();
  try {
    await sendCommand(path, token, body);
    say(`${what}: done in ${Math.round(performance.now() - startedMs)} ms.`);
  } catch (error) {
    say(describeFailure(what, error));
  }
  after();
}

export function groupCommand(command: GroupCommand, group: string, after: () => void): void {
  const what = `${command === 'takeover' ? 'Takeover' : 'Release'} of ${group}`;
  void run(what, `/v1/groups/${encodeURIComponent(group)}/${command}`, undefined, after);
}

export function maintenanceCommand(enabled: boolean, after: () => void): void {
  const what = `Maintenance ${enabled ? 'on' : 'off'}`;
  void run(what, '/v1/maintenance', { enabled }, after);
}
