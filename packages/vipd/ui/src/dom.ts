// The few DOM helpers the page needs: build an element with text children (never HTML, so
// nothing a node or an event carries can become markup) and look up the page's fixed parts.

export type Child = Node | string | null;

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string>> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

/** An element the page's HTML declares; its absence is a packaging bug worth a loud error. */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no <${type.name}> #${id}`);
  return node;
}

/** The body of a table the page declares. */
export function tableBody(id: string): HTMLTableSectionElement {
  const body = byId(id, HTMLTableElement).tBodies[0];
  if (body === undefined) throw new Error(`table #${id} has no <tbody>`);
  return body;
}

export function cell(...children: Child[]): HTMLTableCellElement {
  return element('td', {}, ...children);
}

export function numberCell(text: string): HTMLTableCellElement {
  return element('td', { class: 'num' }, text);
}

/**
 * Makes `parent`'s children exactly `nodes`, moving only what is out of place: a node that
 * stays is never detached, so a focused button inside it keeps the focus.
 */
export function syncChildren(parent: Element, nodes: readonly Element[]): void {
  nodes.forEach((node, index) => {
    if (parent.children[index] !== node) parent.insertBefore(node, parent.children[index] ?? null);
  });
  while (parent.children.length > nodes.length) parent.lastElementChild?.remove();
}
