import { h, notice } from '../common/dom.js';
import { connectorsPage } from './ConnectorsPage.js';
import { deliveryPage } from './DeliveryPage.js';
import { HostApp, type Page } from './HostApp.js';
import { issuancePage } from './IssuancePage.js';
import { issuancesPage } from './IssuancesPage.js';
import { signInPage } from './SignInPage.js';
import { subscriptionPage } from './SubscriptionPage.js';
import { webhooksPage } from './WebhooksPage.js';

function route(app: HostApp, path: string, query: URLSearchParams): Page {
  const m = (re: RegExp) => re.exec(path);
  let hit: RegExpExecArray | null;
  if (path === '/sign-in') return signInPage(app);
  if (path === '/' || path === '') return issuancesPage(app, query);
  if ((hit = m(/^\/issuances\/([^/]+)$/))) return issuancePage(app, decodeURIComponent(hit[1]));
  if (path === '/webhooks') return webhooksPage(app);
  if ((hit = m(/^\/webhooks\/([^/]+)$/))) return subscriptionPage(app, decodeURIComponent(hit[1]), query);
  if ((hit = m(/^\/deliveries\/([^/]+)$/))) return deliveryPage(app, decodeURIComponent(hit[1]));
  if (path === '/connectors') return connectorsPage(app);
  return {
    title: 'Not found',
    render: async (main) => void main.append(h('h1', null, 'Not found'), notice('error', `The console has no page ${path}.`)),
  };
}

const root = document.getElementById('app') as HTMLElement;
const app = new HostApp(root.dataset.base ?? '/console', root, route);
app.start().catch((e: unknown) => root.append(notice('error', `The console could not start: ${String(e)}`)));
