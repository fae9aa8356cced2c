import type { Api } from '../common/api.js';
import { badge, h, replace, table } from '../common/dom.js';
import { when } from '../common/format.js';

interface SinkDelivery {
  seq: number;
  time: number;
  headers: Record<string, string>;
  body: string;
  verified: boolean;
  reason?: string;
  legacyVerified?: boolean;
  status: number | null;
}

/** A webhook sink's deliveries with their signature verification result. */
export class SinkSection {
  readonly element: HTMLElement;
  private readonly name = h('input', { id: 'sink-name', type: 'text', value: 'default' });
  private readonly rows = h('div', { id: 'sink-rows' });
  private lastKey = '';

  constructor(private readonly api: Api) {
    this.name.value = new URLSearchParams(location.search).get('sink') ?? 'default';
    this.name.addEventListener('change', () => void this.load(true));
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': 'sink-h', id: 'sink' },
      h('h2', { id: 'sink-h' }, 'Webhook sink'),
      h(
        'div',
        { class: 'filters' },
        h('div', { class: 'field' }, h('label', { for: 'sink-name' }, 'Sink name (the last path segment of /__sim/sink/NAME)'), this.name),
      ),
      this.rows,
    );
  }

  async load(force = false): Promise<void> {
    const name = this.name.value.trim() || 'default';
    const out = await this.api.get<{ deliveries: SinkDelivery[] }>(`/sink/${encodeURIComponent(name)}`);
    const newest = [...out.deliveries].reverse().slice(0, 100);
    const key = `${name}:${out.deliveries.length}`;
    if (!force && key === this.lastKey) return;
    this.lastKey = key;
    replace(
      this.rows,
      table<SinkDelivery>(
        `Deliveries received by sink “${name}”, newest first`,
        [
          { title: '#', cell: (d) => d.seq, className: 'num' },
          { title: 'Time', cell: (d) => when(d.time), className: 'nowrap' },
          { title: 'webhook-id', cell: (d) => d.headers['webhook-id'] ?? '' },
          { title: 'Signature', cell: (d) => (d.verified ? badge('verified') : [badge('unverified'), ` ${d.reason ?? ''}`]) },
          { title: 'Answered', cell: (d) => (d.status === null ? 'no answer' : String(d.status)), className: 'num' },
          { title: 'Body', cell: (d) => h('pre', { class: 'excerpt' }, d.body.slice(0, 300)) },
        ],
        newest,
      ),
    );
  }
}
