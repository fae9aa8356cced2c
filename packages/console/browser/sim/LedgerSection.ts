import type { Api } from '../common/api.js';
import { badge, facts, h, replace, table } from '../common/dom.js';
import { when } from '../common/format.js';

interface LedgerEntry {
  provider: string;
  account: string;
  reference: string;
  transactionId: string;
  productId: string;
  amount: string;
  currency: string;
  status: string;
  debited: boolean;
  voucherCode?: string;
  createdAt: number;
}

/** Balances and the newest ledger entries (what each provider issued, per reference). */
export class LedgerSection {
  readonly element: HTMLElement;
  private readonly body = h('div', { id: 'ledger-rows' });
  private lastKey = '';

  constructor(private readonly api: Api) {
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': 'ledger-h', id: 'ledger' },
      h('h2', { id: 'ledger-h' }, 'Ledger and balances'),
      this.body,
    );
  }

  async load(): Promise<void> {
    const [balances, ledger] = await Promise.all([
      this.api.get<Record<string, string>>('/balances'),
      this.api.get<{ entries: LedgerEntry[] }>('/ledger'),
    ]);
    const newest = [...ledger.entries].sort((a, b) => b.createdAt - a.createdAt).slice(0, 100);
    const key = JSON.stringify(balances) + ledger.entries.length + newest.map((e) => e.status).join();
    if (key === this.lastKey) return;
    this.lastKey = key;
    replace(
      this.body,
      facts(Object.entries(balances).map(([provider, balance]) => [`${provider} balance`, balance])),
      table<LedgerEntry>(
        `Ledger, newest first (${newest.length} of ${ledger.entries.length})`,
        [
          { title: 'Created', cell: (e) => when(e.createdAt), className: 'nowrap' },
          { title: 'Provider', cell: (e) => e.provider },
          { title: 'Reference', cell: (e) => e.reference, className: 'reference' },
          { title: 'Transaction', cell: (e) => e.transactionId },
          { title: 'Product', cell: (e) => e.productId },
          { title: 'Amount', cell: (e) => `${e.amount} ${e.currency}`, className: 'num' },
          { title: 'Status', cell: (e) => badge(e.status) },
          { title: 'Debited', cell: (e) => (e.debited ? 'yes' : 'no') },
        ],
        newest,
      ),
    );
  }
}
