import { ApiError } from '../common/api.js';
import { badge, facts, h, notice, replace, table } from '../common/dom.js';
import { fromLocalInput, when } from '../common/format.js';
import { debounce, type HostApp, type Page } from './HostApp.js';
import { healthText, type Health, type Subscription } from './WebhooksPage.js';

/** A delivery row as the API lists it. */
export interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  subscriptionId: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  lastStatus?: number;
  lastError?: string;
  createdAt: number;
  deliveredAt?: number;
}

const errorText = (e: unknown) =>
  e instanceof ApiError ? `${e.message} (${e.code})${e.errors.length ? `: ${e.errors.join('; ')}` : ''}` : String(e);

/** One subscription: health, pause/resume, a test event, secret rotation (shown once), replay of a time range, deliveries with retry. */
export function subscriptionPage(app: HostApp, id: string, query: URLSearchParams): Page {
  const path = `/webhooks/${encodeURIComponent(id)}`;
  const messages = h('div', { id: 'actions-status', 'aria-live': 'polite' });
  const summary = h('div', { id: 'subscription-summary' });
  const deliveries = h('section', { class: 'card', 'aria-labelledby': 'deliveries-h', id: 'deliveries' });
  const status = query.get('status') ?? '';
  const cursor = query.get('cursor') ?? undefined;

  const say = (kind: 'ok' | 'error' | 'info', ...text: Array<string | HTMLElement>) => replace(messages, notice(kind, ...text));
  const act = (label: string, run: () => Promise<void>) =>
    h(
      'button',
      {
        type: 'button',
        on: {
          click: () => {
            void run().catch((e: unknown) => say('error', `${label} failed: ${errorText(e)}`));
          },
        },
      },
      label,
    );

  const loadSummary = async () => {
    const [sub, health] = await Promise.all([app.api.get<Subscription>(path), app.api.get<Health>(`${path}/health`)]);
    replace(
      summary,
      facts([
        ['Endpoint', sub.url],
        ['Events', sub.events.join(', ')],
        ['Description', sub.description],
        ['Status', [badge(sub.status), sub.disabledReason ? ` ${sub.disabledReason}` : '']],
        ['Health', healthText(health)],
        ['Last error', health.lastError],
      ]),
      h(
        'div',
        { class: 'actions' },
        sub.status === 'active'
          ? act('Pause', async () => {
              await app.api.send('PATCH', path, { active: false });
              say('ok', 'Paused: new deliveries queue until you resume.');
              await loadSummary();
            })
          : act('Resume', async () => {
              await app.api.send('PATCH', path, { active: true });
              say('ok', 'Resumed: the queued deliveries drain at the throttled rate.');
              await loadSummary();
            }),
        act('Send test event', async () => {
          // A webhook.test event to this endpoint alone, through the outbox: signed, retried and logged like any other.
          const out = await app.api.send<{ deliveryId: string }>('POST', `${path}/test`);
          say(
            'ok',
            'Test event queued as delivery ',
            app.link(`/deliveries/${encodeURIComponent(out.deliveryId)}`, out.deliveryId, {}, { id: 'test-delivery' }),
            '.',
          );
          await loadDeliveries();
        }),
        act('Rotate secret', async () => {
          if (!confirm('Rotate the signing secret? The old one keeps signing for the overlap period (24 h by default).')) return;
          const out = await app.api.send<{ secret: string; previousExpiresAt: number }>('POST', `${path}/rotate-secret`, {});
          say(
            'info',
            h('p', null, 'New secret (shown once: copy it now, it is not shown again):'),
            h('code', { class: 'secret', id: 'new-secret' }, out.secret),
            h('p', null, `The previous secret keeps signing until ${when(out.previousExpiresAt)}.`),
          );
        }),
      ),
    );
  };

  const loadDeliveries = async () => {
    const q = new URLSearchParams({ limit: '50' });
    if (status) q.set('status', status);
    if (cursor) q.set('cursor', cursor);
    const page = await app.api.get<{ items: Delivery[]; nextCursor?: string }>(`${path}/deliveries?${q}`);
    replace(
      deliveries,
      h('h2', { id: 'deliveries-h' }, 'Deliveries'),
      h(
        'p',
        { class: 'filter-links' },
        'Show: ',
        ['', 'pending', 'delivered', 'failed'].map((s) => [
          s === status ? h('strong', null, s || 'all') : app.link(path, s || 'all', { status: s || undefined }),
          ' ',
        ]),
      ),
      table<Delivery>(
        'Deliveries, newest first',
        [
          { title: 'Delivery', cell: (d) => app.link(`/deliveries/${encodeURIComponent(d.id)}`, d.id) },
          { title: 'Event', cell: (d) => d.eventType },
          { title: 'Status', cell: (d) => badge(d.status) },
          { title: 'Attempts', cell: (d) => d.attempts, className: 'num' },
          { title: 'Last answer', cell: (d) => d.lastError ?? (d.lastStatus ? `HTTP ${d.lastStatus}` : '') },
          { title: 'Created', cell: (d) => when(d.createdAt), className: 'nowrap' },
          {
            title: 'Action',
            cell: (d) =>
              d.status === 'failed' || d.status === 'delivered'
                ? act(d.status === 'failed' ? 'Retry' : 'Send again', async () => {
                    await app.api.send('POST', `/deliveries/${encodeURIComponent(d.id)}/retry`);
                    say('ok', `Delivery ${d.id} is due now.`);
                    await loadDeliveries();
                  })
                : '',
          },
        ],
        page.items,
        (d) => ({ 'data-delivery': d.id, 'data-status': d.status }),
      ),
      page.nextCursor
        ? h(
            'nav',
            { class: 'pager', 'aria-label': 'Pages' },
            app.link(path, 'Older', { status: status || undefined, cursor: page.nextCursor }, { rel: 'next' }),
          )
        : null,
    );
  };
  const reload = debounce(() => void Promise.all([loadSummary(), loadDeliveries()]).catch(() => undefined), 300);

  const replayForm = () => {
    const from = h('input', { id: 'replay-from', type: 'datetime-local', step: '1', required: true });
    const to = h('input', { id: 'replay-to', type: 'datetime-local', step: '1', required: true });
    const form: HTMLFormElement = h(
      'form',
      {
        class: 'card replay',
        on: {
          submit: (e: Event) => {
            e.preventDefault();
            const range = { from: fromLocalInput(from.value), to: fromLocalInput(to.value) };
            void app.api
              .send<{ scheduled: number }>('POST', `${path}/replay`, range)
              .then(async (out) => {
                say('ok', `Replay scheduled ${out.scheduled} deliveries (same webhook-id each).`);
                await loadDeliveries();
              })
              .catch((err: unknown) => say('error', `Replay failed: ${errorText(err)}`));
          },
        },
      },
      h('h2', null, 'Replay a time range'),
      h('p', null, 'Sends again every delivery of events published in the range, with their original ids.'),
      h('div', { class: 'field' }, h('label', { for: 'replay-from' }, 'From'), from),
      h('div', { class: 'field' }, h('label', { for: 'replay-to' }, 'To'), to),
      h('div', { class: 'field actions' }, h('button', { type: 'submit', id: 'replay' }, 'Replay')),
    );
    return form;
  };

  return {
    title: 'Webhook subscription',
    async render(main) {
      main.append(
        h('p', { class: 'crumbs' }, app.link('/webhooks', '← Webhooks')),
        h('h1', null, 'Subscription ', h('span', { class: 'reference' }, id)),
        messages,
        h('section', { class: 'card' }, summary),
        replayForm(),
        deliveries,
      );
      await Promise.all([loadSummary(), loadDeliveries()]);
    },
    onLive(event) {
      if (event.type === 'delivery' && event.subscriptionId === id) reload();
    },
  };
}
