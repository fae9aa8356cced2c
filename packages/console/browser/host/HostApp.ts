import { Api, ApiError } from '../common/api.js';
import { h, notice, replace, type Child } from '../common/dom.js';
import { LiveStatus } from '../common/LiveStatus.js';

/** Who is signed in, as `GET /console/api/session` says. */
export interface Session {
  principal: { kind: 'tenant'; tenantId: string } | { kind: 'admin' };
  csrfToken: string;
  expiresAt: string;
  tenants: Array<{ id: string; name?: string }>;
}

/** A change the live stream announced. */
export type LiveEvent =
  | { type: 'issuance'; reference: string; tenantId: string; status: string }
  | { type: 'delivery'; id: string; subscriptionId: string; tenantId: string; status: string };

/** One page of the console: renders into `main`; may react to live events. */
export interface Page {
  title: string;
  render(main: HTMLElement): Promise<void>;
  onLive?(event: LiveEvent): void;
}

/** The console's state shared by every page: the API client, the session, the route, the live stream. */
export class HostApp {
  readonly api: Api;
  session: Session | undefined;
  readonly live = new LiveStatus();
  private page: Page | undefined;
  private stream: EventSource | undefined;
  private streamTenant: string | undefined;

  constructor(
    readonly base: string,
    private readonly root: HTMLElement,
    private readonly route: (app: HostApp, path: string, query: URLSearchParams) => Page,
  ) {
    this.api = new Api(`${base}/api`);
  }

  /** The admin's tenant filter (from the URL), or the tenant's own id. */
  get tenant(): string | undefined {
    const p = this.session?.principal;
    if (p?.kind === 'tenant') return p.tenantId;
    return new URLSearchParams(location.search).get('tenant') ?? undefined;
  }

  get isAdmin(): boolean {
    return this.session?.principal.kind === 'admin';
  }

  /** A console path with the admin's tenant filter kept (`/webhooks` → `/console/webhooks?tenant=a`). */
  href(path: string, query: Record<string, string | undefined> = {}): string {
    const q = new URLSearchParams();
    if (this.isAdmin && this.tenant) q.set('tenant', this.tenant);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, v);
    const s = q.toString();
    return `${this.base}${path}${s ? `?${s}` : ''}`;
  }

  /** A link that navigates without a reload (and still works opened in a new tab). */
  link(path: string, text: Child, query: Record<string, string | undefined> = {}, props: Record<string, string> = {}): HTMLAnchorElement {
    const href = this.href(path, query);
    return h('a', { href, ...props, on: { click: (e: Event) => this.follow(e as MouseEvent, href) } }, text);
  }

  private follow(e: MouseEvent, href: string): void {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    void this.navigate(href);
  }

  async navigate(href: string, replaceState = false): Promise<void> {
    if (replaceState) history.replaceState(null, '', href);
    else history.pushState(null, '', href);
    await this.render();
  }

  async start(): Promise<void> {
    window.addEventListener('popstate', () => void this.render());
    try {
      this.session = await this.api.get<Session>('/session');
      this.api.csrfToken = this.session.csrfToken;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
      this.session = undefined;
    }
    await this.render();
  }

  signedIn(session: Session): void {
    this.session = session;
    this.api.csrfToken = session.csrfToken;
  }

  async signOut(): Promise<void> {
    await this.api.send('DELETE', '/session').catch(() => undefined);
    this.session = undefined;
    this.api.csrfToken = undefined;
    this.closeStream();
    await this.navigate(`${this.base}/sign-in`);
  }

  /** Renders the page for the current URL (sign-in first when there is no session). */
  async render(): Promise<void> {
    const path = location.pathname.slice(this.base.length) || '/';
    const query = new URLSearchParams(location.search);
    if (!this.session && path !== '/sign-in') {
      history.replaceState(null, '', `${this.base}/sign-in`);
      return this.render();
    }
    this.api.headers = this.isAdmin && this.tenant ? { 'x-relaypoint-tenant': this.tenant } : {};
    this.page = this.route(this, path, query);
    document.title = `${this.page.title} · Relaypoint console`;
    const main = h('main', { id: 'main', tabindex: '-1' });
    replace(
      this.root,
      this.session ? this.header() : h('header', { class: 'top' }, h('span', { class: 'brand' }, 'Relaypoint console')),
      main,
    );
    if (this.session) this.openStream();
    try {
      await this.page.render(main);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        this.session = undefined;
        this.closeStream();
        return this.navigate(`${this.base}/sign-in`, true);
      }
      main.append(notice('error', e instanceof ApiError ? `${e.message} (${e.code})` : String(e)));
    }
  }

  private header(): HTMLElement {
    const p = this.session!.principal;
    const nav = h(
      'nav',
      { 'aria-label': 'Console' },
      h('ul', null, [
        h('li', null, this.link('/', 'Issuances')),
        h('li', null, this.link('/webhooks', 'Webhooks')),
        h('li', null, this.link('/connectors', 'Connectors')),
      ]),
    );
    const who = p.kind === 'tenant' ? `Tenant ${p.tenantId}` : 'Admin';
    const tenantFilter = this.isAdmin
      ? h(
          'label',
          { class: 'tenant-filter' },
          'Tenant ',
          h(
            'select',
            {
              id: 'tenant-filter',
              on: {
                change: (e: Event) => {
                  const v = (e.target as HTMLSelectElement).value;
                  const q = new URLSearchParams(location.search);
                  if (v) q.set('tenant', v);
                  else q.delete('tenant');
                  q.delete('cursor');
                  void this.navigate(`${location.pathname}${q.toString() ? `?${q}` : ''}`);
                },
              },
            },
            h('option', { value: '' }, 'All tenants'),
            this.session!.tenants.map((t) =>
              h('option', { value: t.id, selected: t.id === this.tenant }, t.name ? `${t.name} (${t.id})` : t.id),
            ),
          ),
        )
      : null;
    return h(
      'header',
      { class: 'top' },
      h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
      h('span', { class: 'brand' }, 'Relaypoint console'),
      nav,
      h(
        'div',
        { class: 'who' },
        tenantFilter,
        h('span', { class: 'principal' }, who),
        this.live.element,
        h('button', { type: 'button', class: 'link', on: { click: () => void this.signOut() } }, 'Sign out'),
      ),
    );
  }

  private openStream(): void {
    const tenant = this.isAdmin ? this.tenant : undefined;
    if (this.stream && this.streamTenant === tenant) return;
    this.closeStream();
    this.streamTenant = tenant;
    const url = `${this.base}/api/stream${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`;
    this.live.set('connecting');
    const stream = new EventSource(url);
    this.stream = stream;
    stream.addEventListener('ready', () => this.live.set('live'));
    stream.onerror = () => this.live.set(stream.readyState === EventSource.CLOSED ? 'off' : 'reconnecting');
    for (const type of ['issuance', 'delivery'] as const) {
      stream.addEventListener(type, (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as Record<string, string>;
        this.page?.onLive?.({ type, ...data } as LiveEvent);
      });
    }
  }

  private closeStream(): void {
    this.stream?.close();
    this.stream = undefined;
    this.live.set('off');
  }
}

/** Calls `fn` at most once per `ms`, trailing. */
export function debounce(fn: () => void, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      fn();
    }, ms);
  };
}
