import type { Api } from '../common/api.js';
import { h, replace, table } from '../common/dom.js';
import { when } from '../common/format.js';

/** A journal entry as `GET /__sim/journal` returns it (only what the table shows). */
interface JournalEntry {
  seq: number;
  time: number;
  method: string;
  path: string;
  route: string;
  reference?: string;
  attempt?: number;
  fault: string;
  status: number | null;
  /** ms from the first byte to the answer's end; null when never answered. */
  latencyMs: number | null;
}

const ROUTES = [
  '',
  'airtime.issue',
  'airtime.status',
  'airtime.lookup',
  'giftcard.products',
  'giftcard.order',
  'giftcard.status',
  'giftcard.lookup',
  'control',
  'sink',
  'unknown',
];
const SHOWN = 200;

/** The request journal as a live table, filterable by route, reference and fault; the newest 200 rows shown. */
export class JournalSection {
  readonly element: HTMLElement;
  private readonly rows = h('div', { id: 'journal-rows' });
  private readonly route = h(
    'select',
    { id: 'j-route' },
    ROUTES.map((r) => h('option', { value: r }, r || 'any')),
  );
  private readonly reference = h('input', { id: 'j-reference', type: 'search' });
  private readonly faultsOnly = h('input', { id: 'j-faults', type: 'checkbox' });
  private lastKey = '';

  constructor(private readonly api: Api) {
    const refresh = () => void this.load(true);
    this.route.addEventListener('change', refresh);
    this.reference.addEventListener('input', refresh);
    this.faultsOnly.addEventListener('change', refresh);
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': 'journal-h', id: 'journal' },
      h('h2', { id: 'journal-h' }, 'Journal'),
      h(
        'div',
        { class: 'filters' },
        h('div', { class: 'field' }, h('label', { for: 'j-route' }, 'Route'), this.route),
        h('div', { class: 'field' }, h('label', { for: 'j-reference' }, 'Reference'), this.reference),
        h('div', { class: 'field check' }, this.faultsOnly, h('label', { for: 'j-faults' }, 'Only requests that met a fault')),
        h(
          'div',
          { class: 'field actions' },
          h(
            'button',
            { type: 'button', on: { click: () => void this.api.send('DELETE', '/journal').then(() => this.load(true)) } },
            'Clear journal',
          ),
        ),
      ),
      this.rows,
    );
  }

  /** Fetches the journal; redraws only when it changed (so scrolling and focus stay put). */
  async load(force = false): Promise<void> {
    const q = new URLSearchParams();
    if (this.route.value) q.set('route', this.route.value);
    if (this.reference.value) q.set('reference', this.reference.value);
    const out = await this.api.get<{ entries: JournalEntry[] }>(`/journal${q.toString() ? `?${q}` : ''}`);
    let entries = out.entries;
    if (this.faultsOnly.checked) entries = entries.filter((e) => e.fault !== 'none');
    const newest = entries.slice(-SHOWN).reverse();
    const key = `${entries.length}:${newest[0]?.seq}:${newest.map((e) => `${e.status}/${e.latencyMs}`).join(',')}`;
    if (!force && key === this.lastKey) return;
    this.lastKey = key;
    replace(
      this.rows,
      h('p', { class: 'muted' }, entries.length > SHOWN ? `Newest ${SHOWN} of ${entries.length} requests.` : `${entries.length} requests.`),
      table<JournalEntry>(
        'Requests the simulator saw, newest first',
        [
          { title: '#', cell: (e) => e.seq, className: 'num' },
          { title: 'Time', cell: (e) => when(e.time), className: 'nowrap' },
          { title: 'Route', cell: (e) => e.route },
          { title: 'Request', cell: (e) => `${e.method} ${e.path}`, className: 'url' },
          { title: 'Reference', cell: (e) => e.reference ?? '', className: 'reference' },
          { title: 'Attempt', cell: (e) => (e.attempt !== undefined ? e.attempt : ''), className: 'num' },
          {
            title: 'Fault',
            cell: (e) => (e.fault === 'none' ? 'none' : e.fault.split(',').map((f) => h('span', { class: 'badge badge-fault' }, f))),
          },
          { title: 'Status', cell: (e) => (e.status === null ? 'no answer' : String(e.status)), className: 'num' },
          { title: 'Latency', cell: (e) => (e.latencyMs === null ? '–' : `${e.latencyMs} ms`), className: 'num nowrap' },
        ],
        newest,
        (e) => ({ 'data-seq': e.seq, 'data-fault': e.fault }),
      ),
    );
  }
}
