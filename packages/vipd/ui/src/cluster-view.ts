// The cluster table: this node, then every peer with its link, round-trip time and the age
// of its last heartbeat, as this node measures them.

import type { PeerView, StatusView } from '../../src/api/control.js';
import { byId, cell, element, numberCell, tableBody } from './dom.js';
import { agoText, rttText, stateBadge } from './format.js';

function peerRow(peer: PeerView, nowMs: number): HTMLTableRowElement {
  const heard =
    peer.lastHeartbeatAt === null ? 'never' : agoText(nowMs - Date.parse(peer.lastHeartbeatAt));
  return element(
    'tr',
    { 'data-node': peer.id },
    element('th', { scope: 'row' }, peer.id),
    cell(peer.address),
    cell(stateBadge(peer.up ? 'up' : 'down')),
    numberCell(rttText(peer.rttMs)),
    cell(heard),
  );
}

function selfRow(status: StatusView): HTMLTableRowElement {
  const node = status.node;
  const role = node.maintenance ? 'MAINTENANCE' : node.phase;
  return element(
    'tr',
    { 'data-node': node.id },
    element('th', { scope: 'row' }, `${node.id} (this node)`),
    cell('–'),
    cell(stateBadge(role)),
    numberCell('–'),
    cell('–'),
  );
}

export function renderCluster(status: StatusView, nowMs: number): void {
  const node = status.node;
  byId('node-title', HTMLSpanElement).textContent = `${node.id} · ${node.version}`;
  document.title = `vipd ${node.id}`;
  tableBody('nodes').replaceChildren(
    selfRow(status),
    ...status.peers.map((peer) => peerRow(peer, nowMs)),
  );
  const quorum = status.quorum;
  const parts = [
    `up ${agoText(node.uptimeSeconds * 1000).replace(' ago', '')}`,
    node.maintenance ? 'in maintenance (drained)' : 'not in maintenance',
    node.witness ? 'witness (holds no VIPs)' : null,
    quorum.enabled
      ? `quorum ${quorum.hasQuorum ? 'held' : 'LOST'}: hears ${quorum.votersHeard} of ${quorum.voters} voters`
      : 'quorum guard off',
  ];
  byId('node-summary', HTMLParagraphElement).textContent = parts
    .filter((part) => part !== null)
    .join(' · ');
}
