import { badge, h, notice, table } from '../common/dom.js';
import { when } from '../common/format.js';
import type { HostApp, Page } from './HostApp.js';

/** A webhook subscription as the API returns it (never with its secret). */
export interface Subscription {
  id: string;
  tenantId: string;
  url: string;
  events: string[];
  description?: string;
  active: boolean;
  status: string;
  disabledReason?: string;
  createdAt: number;
  updatedAt: number;
}

/** Recent delivery figures of a subscription. */
export interface Health {
  recent: number;
  delivered: number;
  failed: number;
  pending: number;
  successRate?: number;
  lastError?: string;
}

/** One line of health for people: `98 % of 100 recent delivered; 2 failed`. */
export function healthText(health: Health | undefined): string {
  if (!health) return '';
  if (health.recent === 0) return 'no deliveries yet';
  const rate = health.successRate === undefined ? 'none finished' : `${Math.round(health.successRate * 100)} % delivered`;
  return `${rate} of ${health.recent} recent; ${health.failed} failed, ${health.pending} waiting`;
}

/** The tenant's webhook subscriptions with their health. */
export function webhooksPage(app: HostApp): Page {
  return {
    title: 'Webhooks',
    async render(main) {
      main.append(h('h1', null, 'Webhook subscriptions'));
      if (!app.tenant) {
        main.append(notice('info', 'Subscriptions belong to a tenant: choose one in the tenant filter above.'));
        return;
      }
      const page = await app.api.get<{ items: Subscription[] }>('/webhooks?limit=200');
      const health = new Map<string, Health>();
      await Promise.all(
        page.items.map(async (s) => health.set(s.id, await app.api.get<Health>(`/webhooks/${encodeURIComponent(s.id)}/health`))),
      );
      main.append(
        table<Subscription>(
          'Subscriptions',
          [
            { title: 'Endpoint', cell: (s) => app.link(`/webhooks/${encodeURIComponent(s.id)}`, s.url), className: 'url' },
            { title: 'Events', cell: (s) => s.events.join(', ') },
            { title: 'Status', cell: (s) => [badge(s.status), s.disabledReason ? h('div', { class: 'muted' }, s.disabledReason) : null] },
            { title: 'Health', cell: (s) => healthText(health.get(s.id)) },
            { title: 'Created', cell: (s) => when(s.createdAt), className: 'nowrap' },
          ],
          page.items,
        ),
      );
    },
  };
}
