import { Api, ApiError } from '../common/api.js';
import { h, notice, replace } from '../common/dom.js';
import { LiveStatus } from '../common/LiveStatus.js';
import { JournalSection } from './JournalSection.js';
import { LedgerSection } from './LedgerSection.js';
import { ScenarioSection } from './ScenarioSection.js';
import { SinkSection } from './SinkSection.js';

/** How often the journal, ledger and sink are read again, ms. */
const POLL_MS = 1000;

const root = document.getElementById('app') as HTMLElement;
const base = root.dataset.base ?? '/__sim/console';
// The console sits at /__sim/console; the control API it reads is /__sim.
const api = new Api(base.replace(/\/console$/, ''));
const live = new LiveStatus();
const status = h('div', { 'aria-live': 'polite', id: 'sim-status' });
const journal = new JournalSection(api);
const ledger = new LedgerSection(api);
const sink = new SinkSection(api);
const scenario = new ScenarioSection(api, () => void poll());

const reset = h(
  'button',
  {
    type: 'button',
    id: 'reset',
    on: {
      click: () => {
        if (!confirm('Reset the simulator? Ledger, journal, sinks and balances go back to their start.')) return;
        void api
          .send('POST', '/reset')
          .then(async () => {
            replace(status, notice('ok', 'Simulator reset.'));
            await Promise.all([scenario.load(), poll()]);
          })
          .catch((e: unknown) => replace(status, notice('error', e instanceof ApiError ? `${e.message} (${e.code})` : String(e))));
      },
    },
  },
  'Reset simulator',
);

replace(
  root,
  h(
    'header',
    { class: 'top' },
    h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
    h('span', { class: 'brand' }, 'Relaypoint simulator'),
    h('div', { class: 'who' }, live.element, reset),
  ),
  h(
    'main',
    { id: 'main', tabindex: '-1' },
    h('h1', null, 'Simulator console'),
    status,
    scenario.element,
    journal.element,
    ledger.element,
    sink.element,
  ),
);
document.title = 'Simulator console · Relaypoint';

let failures = 0;
async function poll(): Promise<void> {
  try {
    await Promise.all([journal.load(), ledger.load(), sink.load()]);
    failures = 0;
    live.set('live', `every ${POLL_MS / 1000} s`);
  } catch {
    failures++;
    live.set('reconnecting', failures === 1 ? 'the last read failed' : `${failures} reads failed`);
  }
}

live.set('connecting');
void scenario.load().catch((e: unknown) => replace(status, notice('error', String(e))));
void poll();
setInterval(() => void poll(), POLL_MS);
