import { badge, h, notice, replace, table } from '../common/dom.js';
import { fromLocalInput, when } from '../common/format.js';
import { debounce, type HostApp, type Page } from './HostApp.js';

/** An issuance as the console API returns it (voucher masked). */
export interface Issuance {
  id: string;
  reference: string;
  tenantId: string;
  providerReference: string;
  connector: string;
  status: string;
  productId: string;
  customerId: string;
  phoneNumber?: string;
  amount: string;
  currency: string;
  metadata?: Record<string, string>;
  transactionId?: string;
  voucher?: { code: string; pin?: string; redemptionUrl?: string; expiresAt?: string };
  providerCode?: string;
  providerMessage?: string;
  error?: { code: string; message: string };
  needsAttention: boolean;
  sends: number;
  checks: number;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  nextCheckAt?: string;
}

const STATUSES = ['', 'in_flight', 'pending', 'unknown', 'succeeded', 'failed'];
const FILTERS = ['status', 'connector', 'reference', 'from', 'to'] as const;

/**
 * The issuance list: filters in the URL, one page (50 rows) from the server
 * at a time, keyset cursors for older pages; new rows appear live on the
 * first page.
 */
export function issuancesPage(app: HostApp, query: URLSearchParams): Page {
  const results = h('section', { 'aria-label': 'Issuances', id: 'issuance-results' });
  const cursor = query.get('cursor') ?? undefined;
  const load = async () => {
    const q = new URLSearchParams();
    for (const f of FILTERS) {
      const v = query.get(f);
      if (!v) continue;
      q.set(f, f === 'from' || f === 'to' ? String(fromLocalInput(v) ?? v) : v);
    }
    if (cursor) q.set('cursor', cursor);
    q.set('limit', '50');
    const page = await app.api.get<{ items: Issuance[]; nextCursor?: string }>(`/issuances?${q}`);
    const current = Object.fromEntries(FILTERS.map((f) => [f, query.get(f) ?? undefined]));
    replace(
      results,
      table<Issuance>(
        'Issuances, newest first',
        [
          { title: 'Created', cell: (i) => when(i.createdAt), className: 'nowrap' },
          {
            title: 'Reference',
            cell: (i) =>
              app.link(`/issuances/${encodeURIComponent(i.reference)}`, i.reference, app.isAdmin ? { tenant: i.tenantId } : {}, {
                class: 'reference',
              }),
          },
          ...(app.isAdmin && !app.tenant ? [{ title: 'Tenant', cell: (i: Issuance) => i.tenantId }] : []),
          { title: 'Connector', cell: (i) => i.connector },
          { title: 'Amount', cell: (i) => `${i.amount} ${i.currency}`, className: 'num' },
          {
            title: 'Status',
            cell: (i) => [badge(i.status), i.needsAttention ? h('span', { class: 'attention' }, ' needs attention') : null],
          },
          { title: 'Provider code', cell: (i) => i.providerCode ?? i.error?.code ?? '' },
        ],
        page.items,
        (i) => ({ 'data-reference': i.reference }),
      ),
      h(
        'nav',
        { class: 'pager', 'aria-label': 'Pages' },
        cursor ? app.link('/', 'First page', current) : null,
        page.nextCursor ? app.link('/', 'Older', { ...current, cursor: page.nextCursor }, { rel: 'next' }) : null,
      ),
    );
  };
  const reload = debounce(() => void load().catch(() => undefined), 500);

  return {
    title: 'Issuances',
    async render(main) {
      const field = (name: string, label: string, control: HTMLElement) =>
        h('div', { class: 'field' }, h('label', { for: `f-${name}` }, label), control);
      const connectors = await app.api.get<{ items: Array<{ name: string }> }>('/connectors').catch(() => ({ items: [] }));
      const form = h(
        'form',
        {
          class: 'filters',
          role: 'search',
          on: {
            submit: (e: Event) => {
              e.preventDefault();
              const data = new FormData(form);
              const next: Record<string, string | undefined> = {};
              for (const f of FILTERS) next[f] = String(data.get(f) ?? '') || undefined;
              void app.navigate(app.href('/', next));
            },
          },
        },
        field(
          'status',
          'Status',
          h(
            'select',
            { id: 'f-status', name: 'status' },
            STATUSES.map((s) => h('option', { value: s, selected: query.get('status') === s }, s || 'any')),
          ),
        ),
        field(
          'connector',
          'Connector',
          h(
            'select',
            { id: 'f-connector', name: 'connector' },
            h('option', { value: '' }, 'any'),
            connectors.items.map((c) => h('option', { value: c.name, selected: query.get('connector') === c.name }, c.name)),
          ),
        ),
        field(
          'reference',
          'Reference starts with',
          h('input', { id: 'f-reference', name: 'reference', type: 'search', value: query.get('reference') ?? '' }),
        ),
        field(
          'from',
          'Created from',
          h('input', { id: 'f-from', name: 'from', type: 'datetime-local', step: '1', value: query.get('from') ?? '' }),
        ),
        field(
          'to',
          'Created before',
          h('input', { id: 'f-to', name: 'to', type: 'datetime-local', step: '1', value: query.get('to') ?? '' }),
        ),
        h('div', { class: 'field actions' }, h('button', { type: 'submit', id: 'apply-filters' }, 'Apply')),
      );
      main.append(
        h('h1', null, 'Issuances'),
        ...(app.isAdmin && !app.tenant ? [notice('info', 'Showing every tenant. Choose a tenant above to narrow the list.')] : []),
        form,
        results,
      );
      await load();
    },
    onLive(event) {
      // Only the first page changes when an issuance arrives or moves; older pages stay put while read.
      if (event.type === 'issuance' && !cursor) reload();
    },
  };
}
