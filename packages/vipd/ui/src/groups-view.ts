// The groups table: one row per group with its master, VIPs, epoch, since when, the last
// reason it moved, its state on every node, and this node's takeover and release buttons.
// Rows are updated in place and the buttons are made once per group, so a status refresh
// never takes the keyboard focus away from a button.

import type { GroupView, StatusView } from '../../src/api/control.js';
import { byId, cell, element, numberCell, syncChildren, tableBody } from './dom.js';
import { sinceText, stateBadge } from './format.js';

export type GroupCommand = 'takeover' | 'release';

/** What /v1/status may add to a group (the event history's fields), read when present. */
type GroupWithReason = GroupView & {
  readonly lastTransitionReason?: string | null;
  readonly lastTransitionDetail?: string | null;
};

const FIXED_HEADINGS = ['Group', 'Mode', 'VIPs', 'Master', 'Epoch', 'Since', 'Last change'];

function heading(text: string): HTMLTableCellElement {
  return element('th', { scope: 'col' }, text);
}

function nodeStates(group: GroupView, status: StatusView): HTMLTableCellElement[] {
  const own = cell(stateBadge(group.state), ` prio ${group.effectivePriority}`);
  const peers = status.peers.map((peer) => {
    const seen = peer.groups[group.name];
    if (seen === undefined) return cell('–');
    if (!peer.up) return cell(stateBadge('unreachable'), ` last ${seen.state}`);
    return cell(stateBadge(seen.state), ` prio ${seen.priority}`);
  });
  return [own, ...peers];
}

function reasonText(group: GroupWithReason): string {
  const reason = group.lastTransitionReason ?? null;
  const detail = group.lastTransitionDetail ?? null;
  if (reason === null) return '–';
  return detail === null ? reason : `${reason}: ${detail}`;
}

function dataCells(group: GroupWithReason, status: StatusView, nowMs: number) {
  const mode =
    group.mode === 'vrrp' && group.vrrp !== null ? `vrrp (VRID ${group.vrrp.vrid})` : group.mode;
  return [
    element('th', { scope: 'row' }, group.name),
    cell(mode),
    cell(`${group.addresses.join(', ')} on ${group.interface}`),
    // Named for scripts and tests that read the page (data-col), like data-group on the row.
    element(
      'td',
      { 'data-col': 'master' },
      group.master === null ? stateBadge('no master') : group.master,
      group.forced ? ' (forced)' : '',
    ),
    numberCell(String(group.epoch)),
    cell(sinceText(group.lastTransitionAt, nowMs)),
    cell(reasonText(group)),
    ...nodeStates(group, status),
  ];
}

export class GroupsTable {
  private readonly actionCells = new Map<string, HTMLTableCellElement>();
  private readonly rows = new Map<string, HTMLTableRowElement>();

  constructor(private readonly onCommand: (command: GroupCommand, group: string) => void) {}

  render(status: StatusView, nowMs: number): void {
    const head = byId('groups', HTMLTableElement).tHead;
    head?.replaceChildren(
      element(
        'tr',
        {},
        ...FIXED_HEADINGS.map(heading),
        heading(`On ${status.node.id} (this node)`),
        ...status.peers.map((peer) => heading(`On ${peer.id}`)),
        heading('Actions on this node'),
      ),
    );
    const rows = status.groups.map((group) => this.row(group, status, nowMs));
    syncChildren(tableBody('groups'), rows);
  }

  private row(group: GroupView, status: StatusView, nowMs: number): HTMLTableRowElement {
    const row = this.rows.get(group.name) ?? element('tr', { 'data-group': group.name });
    this.rows.set(group.name, row);
    const actions = this.actions(group.name);
    // Remove every cell but the actions one (removing the focused button would blur it).
    for (const child of [...row.children]) if (child !== actions) child.remove();
    if (actions.parentElement !== row) row.append(actions);
    actions.before(...dataCells(group, status, nowMs));
    return row;
  }

  private actions(name: string): HTMLTableCellElement {
    const existing = this.actionCells.get(name);
    if (existing !== undefined) return existing;
    const button = (command: GroupCommand, label: string) => {
      const node = element(
        'button',
        { type: 'button', 'data-command': command },
        `${label} ${name}`,
      );
      node.addEventListener('click', () => {
        this.onCommand(command, name);
      });
      return node;
    };
    const created = cell(button('takeover', 'Take over'), ' ', button('release', 'Release'));
    this.actionCells.set(name, created);
    return created;
  }
}
