import type { ModelRequest, ModelTransaction, ProviderModel } from '../model/ProviderModel.js';

/** Where a model's answer carries the voucher, and what stands there without one. */
export interface VoucherEdit {
  path: (string | number)[];
  without: unknown;
}

const PROBE_CODE = 'SIMPROBE7Q4Z';

/**
 * Finds where a model's `issued` (or `transaction`) answer carries the
 * voucher by rendering one probe transaction with and without it and
 * comparing: the fault proxy then removes the voucher from a real
 * upstream answer at those places (omit-voucher), without knowing the
 * provider's format itself.
 */
export function voucherEdits(model: ProviderModel, kind: 'issued' | 'transaction'): VoucherEdit[] {
  const base: ModelTransaction = {
    id: 'probe',
    reference: 'probe',
    status: 'succeeded',
    amountMinor: 500n,
    amount: '5.00',
    currency: 'USD',
    createdAt: 0,
    accountId: model.accounts[0].id,
  };
  const request = {
    method: 'POST',
    path: '/',
    params: {},
    query: new URLSearchParams(),
    headers: {},
    raw: Buffer.alloc(0),
    body: undefined,
  } as ModelRequest;
  const render = (tx: ModelTransaction): unknown =>
    kind === 'issued' ? model.render.issued(tx, request, { repeated: false }).body : model.render.transaction(tx, request).body;
  let withVoucher: unknown;
  let without: unknown;
  try {
    withVoucher = render({ ...base, voucher: { code: PROBE_CODE, pin: '0000' } });
    without = render(base);
  } catch {
    return [];
  }
  const edits: VoucherEdit[] = [];
  diff(withVoucher, without, [], edits);
  return edits;
}

function diff(a: unknown, b: unknown, path: (string | number)[], out: VoucherEdit[]): void {
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (isPlain(a) && isPlain(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diff(a[k], b[k], [...path, k], out);
    return;
  }
  out.push({ path, without: b });
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Applies the edits to a parsed JSON body (in place); false when the body does not have their shape. */
export function applyVoucherEdits(body: unknown, edits: readonly VoucherEdit[]): boolean {
  let applied = false;
  for (const { path, without } of edits) {
    let node = body as Record<string | number, unknown> | undefined;
    for (let i = 0; i < path.length - 1 && node !== undefined; i++)
      node = isPlain(node[path[i]]) ? (node[path[i]] as Record<string, unknown>) : undefined;
    const last = path[path.length - 1];
    if (node === undefined || last === undefined || !(last in node)) continue;
    if (without === undefined) delete node[last];
    else node[last] = without;
    applied = true;
  }
  return applied;
}
