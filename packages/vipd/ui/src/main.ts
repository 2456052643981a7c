// The web view's entry point: polls /v1/status (a change also refreshes it at once through
// the event stream), draws the cluster and the groups, follows the events and wires the
// command buttons. Everything comes from the node that served the page.

import { fetchStatus } from './api.js';
import { renderCluster } from './cluster-view.js';
import { groupCommand, maintenanceCommand } from './commands.js';
import { byId } from './dom.js';
import { EventList } from './events-view.js';
import { clockTime } from './format.js';
import { GroupsTable } from './groups-view.js';

/** Peers' RTT and heartbeat ages move continuously; state changes come through the stream. */
const STATUS_POLL_MS = 1000;

let refreshing = false;
let again = false;

const groups = new GroupsTable((command, group) => {
  groupCommand(command, group, refresh);
});

function setConnection(text: string, state: 'live' | 'lost'): void {
  const line = byId('connection', HTMLParagraphElement);
  line.textContent = text;
  line.dataset['state'] = state;
}

/** One status fetch at a time; a request during one runs once right after it. */
function refresh(): void {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = true;
  void fetchStatus()
    .then((status) => {
      const nowMs = Date.now();
      renderCluster(status, nowMs);
      groups.render(status, nowMs);
      setConnection(`Updated ${clockTime(nowMs)}`, 'live');
    })
    .catch((error: unknown) => {
      setConnection(
        `No answer from the node since ${clockTime(Date.now())}: ${(error as Error).message}`,
        'lost',
      );
    })
    .finally(() => {
      refreshing = false;
      if (again) {
        again = false;
        refresh();
      }
    });
}

function start(): void {
  byId('token-form', HTMLFormElement).addEventListener('submit', (event) => {
    event.preventDefault();
  });
  byId('maintenance-on', HTMLButtonElement).addEventListener('click', () => {
    maintenanceCommand(true, refresh);
  });
  byId('maintenance-off', HTMLButtonElement).addEventListener('click', () => {
    maintenanceCommand(false, refresh);
  });
  refresh();
  setInterval(refresh, STATUS_POLL_MS);
  void new EventList(refresh).start();
}

start();
