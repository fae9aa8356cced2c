import { ApiError } from '../common/api.js';
import { badge, facts, h, notice, replace, table } from '../common/dom.js';
import { duration, when } from '../common/format.js';
import { debounce, type HostApp, type Page } from './HostApp.js';

interface Attempt {
  at: number;
  statusCode?: number;
  latencyMs: number;
  responseBody: string;
  errorKind?: string;
}

interface DeliveryWithAttempts {
  id: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: string;
  attempts: Attempt[];
  nextAttemptAt: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: number;
  deliveredAt?: number;
}

/** One delivery with every attempt (status, latency, response excerpt, error kind) and a retry button. */
export function deliveryPage(app: HostApp, id: string): Page {
  const body = h('div', { id: 'delivery-detail' });
  const messages = h('div', { 'aria-live': 'polite' });
  const load = async () => {
    const d = await app.api.get<DeliveryWithAttempts>(`/deliveries/${encodeURIComponent(id)}`);
    replace(
      body,
      h(
        'section',
        { class: 'card' },
        facts([
          ['Status', badge(d.status)],
          ['Event', `${d.eventType} (${d.eventId})`],
          ['Subscription', app.link(`/webhooks/${encodeURIComponent(d.subscriptionId)}`, d.subscriptionId)],
          ['Created', when(d.createdAt)],
          ['Delivered', when(d.deliveredAt)],
          ['Next attempt', d.status === 'pending' ? when(d.nextAttemptAt) : undefined],
          ['Last error', d.lastError],
        ]),
        h(
          'div',
          { class: 'actions' },
          d.status === 'failed' || d.status === 'delivered'
            ? h(
                'button',
                {
                  type: 'button',
                  id: 'retry',
                  on: {
                    click: () =>
                      void app.api
                        .send('POST', `/deliveries/${encodeURIComponent(id)}/retry`)
                        .then(() => {
                          replace(messages, notice('ok', 'Due now: the dispatcher sends it within a moment.'));
                          return load();
                        })
                        .catch((e: unknown) =>
                          replace(messages, notice('error', e instanceof ApiError ? `${e.message} (${e.code})` : String(e))),
                        ),
                  },
                },
                d.status === 'failed' ? 'Retry' : 'Send again',
              )
            : null,
        ),
      ),
      h(
        'section',
        { class: 'card' },
        h('h2', null, 'Attempts'),
        table<Attempt>(
          'Attempts, oldest first',
          [
            { title: 'At', cell: (a) => when(a.at), className: 'nowrap' },
            { title: 'HTTP status', cell: (a) => (a.statusCode !== undefined ? String(a.statusCode) : ''), className: 'num' },
            { title: 'Latency', cell: (a) => duration(a.latencyMs), className: 'num' },
            { title: 'Error kind', cell: (a) => a.errorKind ?? '' },
            { title: 'Response (excerpt)', cell: (a) => h('pre', { class: 'excerpt' }, a.responseBody.slice(0, 500)) },
          ],
          d.attempts,
        ),
      ),
    );
  };
  const reload = debounce(() => void load().catch(() => undefined), 300);
  return {
    title: `Delivery ${id}`,
    async render(main) {
      main.append(
        h('p', { class: 'crumbs' }, app.link('/webhooks', '← Webhooks')),
        h('h1', null, 'Delivery ', h('span', { class: 'reference' }, id)),
        messages,
        body,
      );
      await load();
    },
    onLive(event) {
      if (event.type === 'delivery' && event.id === id) reload();
    },
  };
}
