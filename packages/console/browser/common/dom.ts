/** Anything a node can hold: text is always set as text, never parsed as HTML. */
export type Child = Node | string | number | null | undefined | false | Child[];

/** Element properties: attributes, plus `on` for listeners. */
export interface Props {
  [attribute: string]: string | number | boolean | undefined | null | Record<string, EventListener>;
  on?: Record<string, EventListener>;
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const c of child) append(parent, c);
    return;
  }
  parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
}

/**
 * Builds an element. Strings become text nodes, so a value from the API or a
 * provider can never become markup (this file is the only place pages make
 * elements, and no page code parses HTML from a string).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props) {
    for (const [name, value] of Object.entries(props)) {
      if (name === 'on' && value && typeof value === 'object') {
        for (const [event, listener] of Object.entries(value)) el.addEventListener(event, listener);
      } else if (value === true) el.setAttribute(name, '');
      else if (value !== false && value !== null && value !== undefined && typeof value !== 'object') el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

/** Replaces an element's children. */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A table with a header row and one row per item; `caption` names it for screen readers. */
export function table<T>(
  caption: string,
  columns: Array<{ title: string; cell: (item: T) => Child; className?: string }>,
  items: readonly T[],
  rowProps?: (item: T) => Props,
): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      null,
      h('caption', null, caption),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          columns.map((c) => h('th', { scope: 'col', class: c.className }, c.title)),
        ),
      ),
      h(
        'tbody',
        null,
        items.length === 0 ? h('tr', null, h('td', { colspan: columns.length, class: 'empty' }, 'Nothing to show.')) : null,
        items.map((item) =>
          h(
            'tr',
            rowProps ? rowProps(item) : null,
            columns.map((c) => h('td', { class: c.className, 'data-label': c.title }, c.cell(item))),
          ),
        ),
      ),
    ),
  );
}

/** A status badge: the status as text, its class for colour. */
export function badge(status: string): HTMLElement {
  return h('span', { class: `badge badge-${status.replace(/[^a-z_-]/gi, '')}` }, status);
}

/** A definition list of label/value pairs (values as text). */
export function facts(pairs: Array<[string, Child]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, v)]),
  );
}

/** A message box (`role=alert` for errors, so screen readers announce it). */
export function notice(kind: 'error' | 'info' | 'ok', ...children: Child[]): HTMLElement {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, children);
}
