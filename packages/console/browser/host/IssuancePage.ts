import { badge, facts, h, notice, replace, table, type Child } from '../common/dom.js';
import { duration, when } from '../common/format.js';
import { debounce, type HostApp, type Page } from './HostApp.js';
import type { Issuance } from './IssuancesPage.js';

interface ProviderCall {
  connector: string;
  operation: 'send' | 'check';
  at: string;
  ms: number;
  outcome: string;
  providerCode?: string;
  providerMessage?: string;
  errorCode?: string;
  errorOutcome?: string;
}

interface CausedDelivery {
  id: string;
  subscriptionId: string;
  url: string;
  status: string;
  attempts: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: number;
  deliveredAt?: number;
}

interface Detail {
  issuance: Issuance;
  providerCalls: ProviderCall[];
  deliveries: CausedDelivery[];
}

interface TimelineEntry {
  at: number;
  title: Child;
  detail?: Child;
  kind: string;
}

function timeline(d: Detail): TimelineEntry[] {
  const i = d.issuance;
  const entries: TimelineEntry[] = [
    {
      at: Date.parse(i.createdAt),
      kind: 'intent',
      title: 'Intent recorded',
      detail: `${i.amount} ${i.currency} of ${i.productId} through ${i.connector}`,
    },
  ];
  for (const c of d.providerCalls) {
    const what = c.operation === 'send' ? 'Sent to the provider' : 'Status checked';
    const answer = c.outcome === 'error' ? `error ${c.errorCode ?? ''}${c.errorOutcome ? ` (outcome ${c.errorOutcome})` : ''}` : c.outcome;
    entries.push({
      at: Date.parse(c.at),
      kind: c.outcome === 'error' || c.outcome === 'failed' ? 'bad' : c.outcome === 'succeeded' ? 'good' : 'call',
      title: [what, ': ', badge(c.outcome === 'error' ? 'error' : c.outcome), ` in ${duration(c.ms)}`],
      detail: [
        answer !== c.outcome ? `${answer}. ` : '',
        c.providerCode ? `Provider code ${c.providerCode}. ` : '',
        c.providerMessage ? `“${c.providerMessage}”` : '',
      ],
    });
  }
  if (i.completedAt)
    entries.push({
      at: Date.parse(i.completedAt),
      kind: i.status === 'succeeded' ? 'good' : 'bad',
      title: ['Recorded ', badge(i.status)],
      detail: i.error ? `${i.error.code}: ${i.error.message}` : undefined,
    });
  for (const del of d.deliveries) {
    entries.push({ at: del.createdAt, kind: 'webhook', title: `Webhook queued for ${del.url}`, detail: `delivery ${del.id}` });
    if (del.deliveredAt)
      entries.push({
        at: del.deliveredAt,
        kind: 'good',
        title: ['Webhook ', badge('delivered'), ` to ${del.url}`],
        detail: `after ${del.attempts} attempt(s)`,
      });
  }
  return entries.sort((a, b) => a.at - b.at);
}

/** One issuance: the request (voucher masked), its timeline of sends and checks, the provider's answers, the webhooks it caused. */
export function issuancePage(app: HostApp, reference: string): Page {
  const body = h('div', { id: 'issuance-detail' });
  const load = async () => {
    const d = await app.api.get<Detail>(`/issuances/${encodeURIComponent(reference)}`);
    const i = d.issuance;
    const seen = d.providerCalls.length;
    const made = i.sends + i.checks;
    replace(
      body,
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'request-h' },
        h('h2', { id: 'request-h' }, 'Request and result'),
        facts([
          ['Status', [badge(i.status), i.needsAttention ? h('span', { class: 'attention' }, ' needs attention') : null]],
          ['Tenant', i.tenantId],
          ['Connector', i.connector],
          ['Product', i.productId],
          ['Customer', i.customerId],
          ['Phone', i.phoneNumber],
          ['Amount', `${i.amount} ${i.currency}`],
          ['Provider reference', i.providerReference],
          ['Transaction', i.transactionId],
          ['Voucher code', i.voucher?.code],
          ['Voucher PIN', i.voucher?.pin],
          ['Redemption URL', i.voucher?.redemptionUrl],
          ['Provider code', i.providerCode],
          ['Provider message', i.providerMessage],
          ['Error', i.error ? `${i.error.code}: ${i.error.message}` : undefined],
          ['Sends / checks', `${i.sends} / ${i.checks}`],
          ['Created', when(i.createdAt)],
          ['Completed', when(i.completedAt)],
          ['Next check', when(i.nextCheckAt)],
          [
            'Metadata',
            i.metadata
              ? Object.entries(i.metadata)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')
              : undefined,
          ],
        ]),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'timeline-h' },
        h('h2', { id: 'timeline-h' }, 'Timeline'),
        seen < made
          ? notice(
              'info',
              `${made - seen} of ${made} provider calls were made by another host instance or before a restart; this host shows the calls it made itself.`,
            )
          : null,
        h(
          'ol',
          { class: 'timeline', id: 'timeline' },
          timeline(d).map((e) =>
            h(
              'li',
              { class: `tl tl-${e.kind}` },
              h('time', { datetime: new Date(e.at).toISOString() }, when(e.at)),
              h('div', { class: 'tl-title' }, e.title),
              e.detail ? h('div', { class: 'tl-detail' }, e.detail) : null,
            ),
          ),
        ),
      ),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'deliveries-h' },
        h('h2', { id: 'deliveries-h' }, 'Webhook deliveries'),
        table<CausedDelivery>(
          'Deliveries of this issuance’s reward.issued event',
          [
            {
              title: 'Delivery',
              cell: (x) => app.link(`/deliveries/${encodeURIComponent(x.id)}`, x.id, app.isAdmin ? { tenant: i.tenantId } : {}),
            },
            { title: 'Endpoint', cell: (x) => x.url, className: 'url' },
            { title: 'Status', cell: (x) => badge(x.status) },
            { title: 'Attempts', cell: (x) => x.attempts, className: 'num' },
            { title: 'Last error', cell: (x) => x.lastError ?? (x.lastStatus ? `HTTP ${x.lastStatus}` : '') },
          ],
          d.deliveries,
        ),
      ),
    );
  };
  const reload = debounce(() => void load().catch(() => undefined), 300);
  return {
    title: `Issuance ${reference}`,
    async render(main) {
      main.append(
        h('p', { class: 'crumbs' }, app.link('/', '← Issuances')),
        h('h1', null, 'Issuance ', h('span', { class: 'reference' }, reference)),
        body,
      );
      await load();
    },
    onLive(event) {
      if ((event.type === 'issuance' && event.reference === reference) || event.type === 'delivery') reload();
    },
  };
}
