import { expect } from 'chai';
import { startEnv, TENANT_A_KEY, type TestEnv } from '../helpers/harness.js';

const ROWS = 10_000;

describe('console issuance list over 10,000 rows', () => {
  let env: TestEnv;
  let t0: number;
  before(async function () {
    this.timeout(60_000);
    env = await startEnv();
    // Written straight into the journal table: 10,000 API requests would test the issue path, not the list.
    t0 = Date.now() - ROWS * 1000;
    const params = JSON.stringify({ productId: 'AIRTIME_5', customerId: 'c', amount: '5.00', currency: 'USD' });
    for (let start = 0; start < ROWS; start += 500) {
      const values: string[] = [];
      const args: unknown[] = [];
      for (let i = start; i < Math.min(ROWS, start + 500); i++) {
        const n = args.length;
        values.push(`($${n + 1}, 'tenant-a', $${n + 2}, 'airtime', 'h', $${n + 3}, $${n + 4}, $${n + 5}, $${n + 5}, $${n + 5})`);
        args.push(
          `iss_page_${String(i).padStart(5, '0')}`,
          `page-${String(i).padStart(5, '0')}`,
          params,
          i % 10 === 0 ? 'failed' : 'succeeded',
          t0 + i * 1000,
        );
      }
      await env.host.db.query(
        `INSERT INTO issuances (id, tenant_id, reference, connector, request_hash, params, status, next_check_at, created_at, updated_at) VALUES ${values.join(', ')}`,
        args,
      );
    }
  });
  after(async () => env?.close());

  async function session(): Promise<
    (path: string) => Promise<{ items: Array<{ reference: string; status: string }>; nextCursor?: string }>
  > {
    const r = await fetch(`${env.url}/console/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ key: TENANT_A_KEY }),
    });
    const cookie = (r.headers.get('set-cookie') ?? '').split(';')[0];
    return async (path) =>
      (await (await fetch(`${env.url}/console/api${path}`, { headers: { cookie } })).json()) as {
        items: Array<{ reference: string; status: string }>;
        nextCursor?: string;
      };
  }

  it('answers one page of 50 at a time, newest first, and the cursors walk every row exactly once', async () => {
    const get = await session();
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await get(`/issuances?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.items.length).to.be.at.most(200);
      for (const i of page.items) seen.add(i.reference);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(seen.size).to.equal(ROWS);
    expect(pages).to.equal(ROWS / 200);
    const first = await get('/issuances');
    expect(first.items).to.have.length(50);
    expect(first.items[0].reference).to.equal('page-09999');
  });

  it('filters by status, reference prefix and time on the server', async () => {
    const get = await session();
    const prefix = await get('/issuances?reference=page-0012&limit=200');
    expect(prefix.items.map((i) => i.reference)).to.deep.equal(Array.from({ length: 10 }, (_, k) => `page-0012${9 - k}`));
    const failed = await get('/issuances?status=failed&reference=page-001&limit=200');
    expect(failed.items.every((i) => i.status === 'failed')).to.equal(true);
    expect(failed.items.map((i) => i.reference)).to.deep.equal(Array.from({ length: 10 }, (_, k) => `page-001${9 - k}0`));
    const window = await get(`/issuances?from=${t0 + 100_000}&to=${new Date(t0 + 110_000).toISOString()}&limit=200`);
    expect(window.items.map((i) => i.reference)).to.deep.equal(Array.from({ length: 10 }, (_, k) => `page-0010${9 - k}`));
  });
});
