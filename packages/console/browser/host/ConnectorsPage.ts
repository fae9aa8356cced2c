import { badge, h, table } from '../common/dom.js';
import { duration, when } from '../common/format.js';
import type { HostApp, Page } from './HostApp.js';

interface ConnectorRow {
  name: string;
  plugin: string;
  package: string;
  version: string;
  breaker: string;
  calls: {
    calls: number;
    errors: number;
    p50Ms?: number;
    p90Ms?: number;
    p99Ms?: number;
    errorCodes: Record<string, number>;
    lastCallAt?: number;
  };
}

/** Each connector instance: plugin and version, breaker state, latency percentiles and recent error codes of this host's calls. */
export function connectorsPage(app: HostApp): Page {
  return {
    title: 'Connectors',
    async render(main) {
      const out = await app.api.get<{ items: ConnectorRow[] }>('/connectors');
      main.append(
        h('h1', null, 'Connectors'),
        h('p', { class: 'muted' }, 'Latency and error codes cover the last 1,000 provider calls this host instance made per connector.'),
        table<ConnectorRow>(
          'Connector instances',
          [
            { title: 'Name', cell: (c) => c.name },
            { title: 'Plugin', cell: (c) => [c.plugin, h('div', { class: 'muted' }, `${c.package}@${c.version}`)] },
            { title: 'Breaker', cell: (c) => badge(c.breaker) },
            { title: 'Calls', cell: (c) => `${c.calls.calls} (${c.calls.errors} errors)`, className: 'num' },
            {
              title: 'p50 / p90 / p99',
              cell: (c) => (c.calls.calls ? `${duration(c.calls.p50Ms)} / ${duration(c.calls.p90Ms)} / ${duration(c.calls.p99Ms)}` : ''),
              className: 'num',
            },
            {
              title: 'Recent error codes',
              cell: (c) =>
                Object.keys(c.calls.errorCodes).length
                  ? h(
                      'ul',
                      { class: 'codes' },
                      Object.entries(c.calls.errorCodes)
                        .sort((a, b) => b[1] - a[1])
                        .map(([code, n]) => h('li', null, `${code} × ${n}`)),
                    )
                  : 'none',
            },
            { title: 'Last call', cell: (c) => when(c.calls.lastCallAt), className: 'nowrap' },
          ],
          out.items,
        ),
      );
    },
  };
}
