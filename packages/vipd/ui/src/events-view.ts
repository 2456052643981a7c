// The event list: the ring's newest events on load, then each new one as the node streams it
// (server-sent events, `id:` = seq). EventSource reconnects on its own and sends the last seq
// it saw; a node that restarted counts from 1 again, so a seq below the newest one shown
// starts the list afresh rather than being dropped as already seen.

import type { VipdEvent } from '../../src/events/types.js';
import { fetchEvents } from './api.js';
import { byId, cell, element, numberCell, tableBody } from './dom.js';
import { clockTime, stateBadge } from './format.js';

/** Rows kept on the page; the ring on the node holds the rest (GET /v1/events). */
export const EVENTS_SHOWN = 200;

function changeText(event: VipdEvent): Node | string {
  if (event.from === undefined && event.to === undefined) return '–';
  const span = element('span', {});
  if (event.from !== undefined) span.append(stateBadge(event.from), ' → ');
  if (event.to !== undefined) span.append(stateBadge(event.to));
  return span;
}

function eventRow(event: VipdEvent): HTMLTableRowElement {
  const about = [event.group, event.subject].filter((part) => part !== undefined).join(' / ');
  return element(
    'tr',
    { 'data-seq': String(event.seq), 'data-kind': event.kind },
    numberCell(String(event.seq)),
    cell(
      element(
        'time',
        { datetime: new Date(event.timeMs).toISOString() },
        clockTime(event.timeMs, true),
      ),
    ),
    cell(event.kind),
    cell(about === '' ? '–' : about),
    cell(changeText(event)),
    cell(event.reason),
    cell(event.detail ?? ''),
    cell(event.actor ?? ''),
  );
}

/** One sentence for screen readers about the newest event. */
function announcement(event: VipdEvent): string {
  const change = event.to === undefined ? '' : ` ${event.from ?? '?'} to ${event.to}`;
  const about = event.group ?? event.subject ?? event.node;
  return `${event.kind} ${about}${change}: ${event.reason}`;
}

export class EventList {
  private newestSeq = 0;
  private source: EventSource | null = null;

  constructor(private readonly onEvent: (event: VipdEvent) => void) {}

  /** Shows the ring's newest events, then follows the stream. */
  async start(): Promise<void> {
    let since: number | null = null;
    try {
      const page = await fetchEvents(EVENTS_SHOWN);
      for (const event of page.events) this.add(event, false);
      since = page.lastSeq;
    } catch (error) {
      this.setState(`Event history unavailable: ${(error as Error).message}`, 'lost');
    }
    this.follow(since);
  }

  /** From `since` on, so nothing recorded between the page and the stream is missed. */
  private follow(since: number | null): void {
    const source = new EventSource(`/v1/events?follow=1${since === null ? '' : `&since=${since}`}`);
    this.source = source;
    source.addEventListener('open', () => {
      this.setState('Live: new events appear as the node records them.', 'live');
    });
    source.addEventListener('error', () => {
      this.setState('Event stream lost; reconnecting…', 'lost');
    });
    source.addEventListener('message', (message: MessageEvent<string>) => {
      this.add(JSON.parse(message.data) as VipdEvent, true);
    });
  }

  stop(): void {
    this.source?.close();
  }

  private add(event: VipdEvent, live: boolean): void {
    const body = tableBody('events');
    if (event.seq <= this.newestSeq) {
      // Seen already (a replay after a reconnect), or the node restarted and counts anew.
      if (body.querySelector(`tr[data-seq="${event.seq}"]`) !== null) return;
      body.replaceChildren();
    }
    this.newestSeq = event.seq;
    body.prepend(eventRow(event));
    while (body.rows.length > EVENTS_SHOWN) body.lastElementChild?.remove();
    if (live) {
      byId('latest-event', HTMLParagraphElement).textContent = announcement(event);
      this.onEvent(event);
    }
  }

  private setState(text: string, state: 'live' | 'lost'): void {
    const line = byId('events-state', HTMLParagraphElement);
    line.textContent = text;
    line.dataset['state'] = state;
  }
}
