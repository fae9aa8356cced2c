import { fromMinorUnits } from '@relaypoint/core';
import { Ledger } from '../ledger/Ledger.js';
import { Transaction } from '../ledger/Transaction.js';
import { AccountState } from './AccountState.js';
import { Authenticator, type AuthFailure } from './Authenticator.js';
import { CompiledProduct } from './CompiledProduct.js';
import type {
  IssueTerms,
  ModelAnswer,
  ModelContext,
  ModelRefusal,
  ModelRequest,
  ModelScenarioView,
  ProviderModel,
} from './ProviderModel.js';
import { RouteTable, type RouteMatch } from './RouteTable.js';
import { TokenStore } from './TokenStore.js';

/** A request as the mounted model handles it: the model's view plus what the dispatch caches. */
export interface ModelExchange extends ModelRequest {
  match: RouteMatch;
  /** The issue route's parse, done once before faults are decided (it names the reference). */
  parsed: IssueTerms | ModelRefusal | undefined;
}

/** What the simulator shares with every mounted model. */
export interface MountHost {
  now(): number;
  seed(): number;
  scenario(): ModelScenarioView;
}

const defaultId = (modelId: string) => (hex: string) => `${modelId}_${hex.slice(0, 16)}`;

/**
 * One provider model mounted on the simulator: its compiled route table,
 * accounts, products, ledger, tokens and scratch memory, and the request
 * flow every model shares (authenticate, parse, duplicate rule, products,
 * the model's checks, balance, commit, render).
 */
export class MountedModel {
  readonly id: string;
  readonly prefix: string;
  readonly routes: RouteTable;
  readonly accounts: AccountState[];
  readonly byKey = new Map<string, AccountState>();
  readonly products = new Map<string, CompiledProduct>();
  readonly ledger: Ledger;
  readonly tokens: TokenStore | undefined;
  readonly memory = new Map<string, unknown>();
  /** `<id>.<name>` of every route. */
  readonly routeNames: string[];
  /** `<id>.<name>` of the issue route (what a `"*"` rule applies to). */
  readonly issueRoute: string;
  readonly context: ModelContext;
  private readonly auth: Authenticator;
  private readonly idOf: (hex: string) => string;
  private readonly checksBalance: boolean;

  constructor(
    readonly model: ProviderModel,
    private readonly host: MountHost,
    ledgerSize: number,
  ) {
    this.id = model.id;
    this.prefix = model.prefix ?? `/${model.id}`;
    this.routes = new RouteTable(model.id, model.routes);
    this.routeNames = model.routes.map((r) => `${model.id}.${r.name}`);
    this.issueRoute = `${model.id}.${model.routes.find((r) => r.role === 'issue')!.name}`;
    this.accounts = model.accounts.map((a) => new AccountState(a));
    for (const a of this.accounts) this.byKey.set(a.key, a);
    for (const p of model.products ?? []) this.products.set(p.id, new CompiledProduct(p));
    this.ledger = new Ledger(model.id, ledgerSize, host.now, model.successStatus ?? 'succeeded');
    this.tokens = model.auth.type === 'oauth2-client-credentials' ? new TokenStore(model.auth.tokenTtlSeconds, host.now) : undefined;
    this.auth = new Authenticator(model.auth, this.accounts, this.byKey, this.tokens);
    this.idOf = model.transactionId ? (hex) => model.transactionId!(hex) : defaultId(model.id);
    this.checksBalance = model.reportsInsufficientBalance !== false;
    const ledger = this.ledger;
    this.context = {
      now: host.now,
      memory: this.memory,
      get scenario() {
        return host.scenario();
      },
      products: model.products ?? [],
      accounts: this.accounts,
      findByReference: (account, reference) => ledger.findByReference(account as AccountState, reference)?.view(),
      findById: (account, id) => ledger.findById(account as AccountState, id)?.view(),
    };
  }

  /** The reference a request is about, known before it runs (journal, fault rules, attempts). */
  referenceOf(x: ModelExchange): string | undefined {
    const route = x.match.route;
    switch (route.role) {
      case 'issue': {
        const parsed = (x.parsed ??= this.model.parseIssue(x));
        return 'refuse' in parsed ? undefined : parsed.reference;
      }
      case 'status-by-reference': {
        const r = route.referenceOf!(x);
        return typeof r === 'string' ? r : undefined;
      }
      case 'status-by-id':
        return this.ledger.peekById(x.params.id)?.reference;
      default:
        return undefined;
    }
  }

  /** Runs a request (after faults before commit were decided); `omitVoucher` renders transactions without their voucher. */
  run(x: ModelExchange, omitVoucher: boolean): ModelAnswer {
    const route = x.match.route;
    const render = this.model.render;
    if (route.role === 'token') {
      const client = this.auth.client(x);
      if (isFailure(client)) return render.error(client.kind, client.detail, x);
      return render.token!(this.tokens!.issue(client), x);
    }
    const account = this.auth.check(x);
    if (isFailure(account)) return render.error(account.kind, account.detail, x);
    x.account = account;
    switch (route.role) {
      case 'issue':
        return this.issue(x, account, omitVoucher);
      case 'status-by-id':
      case 'status-by-reference': {
        let tx: Transaction | undefined;
        if (route.role === 'status-by-id') tx = this.ledger.findById(account, x.params.id);
        else {
          const ref = route.referenceOf!(x);
          if (ref === undefined) return render.error('invalid-request', { message: 'the request names no reference' }, x);
          if (typeof ref !== 'string') return this.refusal(ref, x);
          tx = this.ledger.findByReference(account, ref);
        }
        if (!tx) return render.error('not-found', { message: 'no transaction matches' }, x);
        tx.poll(this.host.now());
        return render.transaction(tx.view(omitVoucher), x);
      }
      case 'catalogue':
        return route.handle ? route.handle(x, this.context) : render.catalogue!(this.context.products, x);
      default:
        return route.handle!(x, this.context);
    }
  }

  private issue(x: ModelExchange, account: AccountState, omitVoucher: boolean): ModelAnswer {
    const model = this.model;
    const render = model.render;
    const parsed = (x.parsed ??= model.parseIssue(x));
    if ('refuse' in parsed) return this.refusal(parsed, x);
    const terms = parsed;
    let occurrence = 1;
    const original = this.ledger.findByReference(account, terms.reference);
    if (original) {
      // The ledger keeps the latest under the reference: its occurrence counts the repeats.
      if (model.duplicateReference === 'none') occurrence = original.occurrence + 1;
      else {
        const view = original.view(omitVoucher);
        if (!sameTerms(original, terms)) {
          if (render.conflict) return render.conflict(view, x);
          if (render.duplicate) return render.duplicate(view, x);
          return render.error('invalid-request', { message: `reference "${terms.reference}" was used for a different request` }, x);
        }
        if (model.duplicateReference === 'reject-duplicate') return render.duplicate!(view, x);
        original.settle(this.host.now());
        return render.issued(original.view(omitVoucher), x, { repeated: true });
      }
    }
    if (terms.amountMinor <= 0n) return render.error('invalid-amount', { message: 'amount must be positive' }, x);
    const product = terms.productId === undefined || this.products.size === 0 ? undefined : this.products.get(terms.productId);
    if (terms.productId !== undefined && this.products.size > 0) {
      if (!product) return render.error('unknown-product', { message: `unknown product "${terms.productId}"` }, x);
      const problem = product.check(terms.amountMinor, terms.currency);
      if (problem) return this.refusal(problem, x);
    }
    const check = model.checkIssue?.(terms, x, this.context);
    if (check && 'refuse' in check) return this.refusal(check, x);
    const declined = check !== undefined && 'decline' in check;
    const have = account.balances.get(terms.currency);
    if (!declined && this.checksBalance && have !== undefined && have < terms.amountMinor) {
      return render.error('insufficient-balance', { message: 'the account balance is too low' }, x);
    }
    const tx = new Transaction({
      model: this.id,
      account,
      reference: terms.reference,
      minor: terms.amountMinor,
      currency: terms.currency,
      createdAt: this.host.now(),
      seed: this.host.seed(),
      idOf: this.idOf,
      declined,
      occurrence,
      productId: terms.productId,
      pending: declined ? undefined : product?.spec.pending,
      recipient: terms.recipient,
      fingerprint: terms.fingerprint,
      details: terms.details,
    });
    if (tx.debited && have !== undefined && this.checksBalance) account.balances.set(terms.currency, have - terms.amountMinor);
    this.ledger.add(tx);
    const view = tx.view(omitVoucher);
    model.afterIssue?.(view, terms, this.context);
    return render.issued(view, x, { repeated: false });
  }

  private refusal(r: ModelRefusal, x: ModelRequest): ModelAnswer {
    return this.model.render.error(
      r.refuse,
      { message: r.message, ...(r.retryAfterSeconds !== undefined ? { retryAfterSeconds: r.retryAfterSeconds } : {}) },
      x,
    );
  }

  /** The first account's balance in a currency (its first by default), as a decimal string; `unlimited` when it has none. */
  balance(currency?: string, accountId?: string): string {
    const account = accountId === undefined ? this.accounts[0] : this.accounts.find((a) => a.id === accountId);
    if (!account) throw new Error(`model ${this.id} has no account "${accountId}"`);
    const c = currency ?? account.primaryCurrency;
    const minor = c === undefined ? undefined : account.balances.get(c);
    return minor === undefined || c === undefined ? 'unlimited' : fromMinorUnits(minor, c);
  }

  /** Every balance of every account, as decimal strings. */
  balances(): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    for (const a of this.accounts) out[a.id] = Object.fromEntries([...a.balances].map(([c, v]) => [c, fromMinorUnits(v, c)]));
    return out;
  }

  /** Back to a fresh start: empty ledger, tokens and memory; balances from the model. */
  reset(): void {
    this.ledger.clear();
    this.tokens?.clear();
    this.memory.clear();
    for (const a of this.accounts) a.restore();
  }
}

function isFailure(v: AccountState | AuthFailure): v is AuthFailure {
  return !(v instanceof AccountState);
}

function sameTerms(tx: Transaction, terms: IssueTerms): boolean {
  return (
    tx.minor === terms.amountMinor &&
    tx.currency === terms.currency &&
    tx.productId === terms.productId &&
    tx.recipient === terms.recipient &&
    tx.fingerprint === terms.fingerprint
  );
}
