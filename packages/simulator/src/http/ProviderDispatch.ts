import type { IncomingMessage, ServerResponse } from 'node:http';
import { AirtimeApi } from '../airtime/AirtimeApi.js';
import { GiftcardApi } from '../giftcard/GiftcardApi.js';
import type { JournalRecord } from '../journal/Journal.js';
import type { FaultDecision } from '../scenario/FaultPlan.js';
import type { Route } from '../scenario/Route.js';
import type { SimulatorState } from '../SimulatorState.js';
import { errorAnswer, type Answer } from './Answer.js';
import type { RequestContext } from './RequestContext.js';

/** Largest request body accepted, in bytes. */
const MAX_BODY = 1024 * 1024;
const MALFORMED_BODY = '{"voucher_code": "<html><body>upstream connect error</body></html>';
const EMPTY = Buffer.alloc(0);

interface Pending {
  ctx: RequestContext;
  req: IncomingMessage;
  res: ServerResponse;
  rec: JournalRecord;
  decision: FaultDecision;
  /** Path segment id for reads by id. */
  id: string | undefined;
  generation: number;
}

/**
 * The provider hot path on bare `node:http`: read the body as bytes, match
 * the route, journal, decide faults, run the provider logic, answer JSON.
 * Express never sees these requests (it costs more than half the throughput);
 * {@link handle} returns false for anything else.
 */
export class ProviderDispatch {
  private readonly airtime: AirtimeApi;
  private readonly giftcard: GiftcardApi;

  constructor(private readonly state: SimulatorState, private readonly log: ((line: object) => void) | undefined) {
    this.airtime = new AirtimeApi(state);
    this.giftcard = new GiftcardApi(state);
  }

  /** Handles `/airtime/*` and `/giftcard/*`; returns false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    const isAirtime = url.startsWith('/airtime/') || url === '/airtime';
    if (!isAirtime && !(url.startsWith('/giftcard/') || url === '/giftcard')) return false;
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const query = q === -1 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    let route: Route = 'unknown';
    let id: string | undefined;
    if (isAirtime) {
      if (pathname === '/airtime/issue') route = method === 'POST' ? 'airtime.issue' : 'unknown';
      else if (pathname === '/airtime/transactions') route = method === 'GET' ? 'airtime.lookup' : 'unknown';
      else if (pathname.startsWith('/airtime/status/') && method === 'GET') {
        id = decodeSegment(pathname.slice('/airtime/status/'.length));
        route = id === undefined ? 'unknown' : 'airtime.status';
      }
    } else if (pathname === '/giftcard/products') route = method === 'GET' ? 'giftcard.products' : 'unknown';
    else if (pathname === '/giftcard/orders') route = method === 'POST' ? 'giftcard.order' : method === 'GET' ? 'giftcard.lookup' : 'unknown';
    else if (pathname.startsWith('/giftcard/orders/') && method === 'GET') {
      id = decodeSegment(pathname.slice('/giftcard/orders/'.length));
      route = id === undefined ? 'unknown' : 'giftcard.status';
    }
    const generation = this.state.generation;
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) {
        this.send(res, undefined, errorAnswer(413, 'PAYLOAD_TOO_LARGE', `bodies are limited to ${MAX_BODY} bytes`), 'none');
        return;
      }
      const raw = chunks.length === 0 ? EMPTY : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      this.start(req, res, { route, pathname, query, headers: req.headers, raw, json: undefined }, url, method, id, generation);
    });
    return true;
  }

  private start(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, url: string, method: string, id: string | undefined, generation: number): void {
    let body: unknown;
    if (ctx.raw.length > 0) {
      const text = ctx.raw.toString('utf8');
      try {
        ctx.json = JSON.parse(text);
        body = ctx.json;
      } catch {
        body = text;
      }
    }
    const rec = this.state.journal.record(method, url, ctx.route, req.rawHeaders, body);
    const reference = ctx.route.startsWith('airtime.') ? this.airtime.referenceOf(ctx, id) : this.giftcard.referenceOf(ctx, id);
    let attempt: number | undefined;
    if (reference !== undefined) {
      rec.reference = reference;
      attempt = rec.attempt = this.state.attempts.next(ctx.route, reference);
    }
    const decision = ctx.route === 'unknown' ? this.state.plan.decide('unknown', undefined, undefined) : this.state.plan.decide(ctx.route, reference, attempt);
    rec.fault = decision.label;
    const p: Pending = { ctx, req, res, rec, decision, id, generation };
    if (this.log) {
      const t0 = performance.now();
      res.once('close', () => this.log!({ level: 'debug', msg: 'request', method, path: url, route: ctx.route, reference, attempt, status: rec.status, fault: rec.fault, ms: Math.round((performance.now() - t0) * 10) / 10 }));
    }
    if (decision.latencyMs > 0) {
      const cancel = (): void => {
        clearTimeout(timer);
        this.state.parked.delete(cancel);
        req.socket.destroy();
      };
      const timer = setTimeout(() => {
        this.state.parked.delete(cancel);
        this.proceed(p);
      }, decision.latencyMs);
      this.state.parked.add(cancel);
      res.once('close', () => {
        clearTimeout(timer);
        this.state.parked.delete(cancel);
      });
      return;
    }
    this.proceed(p);
  }

  private proceed(p: Pending): void {
    const { res, req, rec, decision } = p;
    if (p.generation !== this.state.generation || res.destroyed) {
      // A reset happened while this request was in flight: it must not commit into the next test.
      req.socket.destroy();
      return;
    }
    const fault = decision.fault;
    if (fault) {
      switch (fault.type) {
        case 'status-before-commit':
          this.send(res, rec, errorAnswer(fault.status, fault.code ?? defaultCode(fault.status), 'simulated failure before commit: nothing was processed'), decision.label);
          return;
        case 'rate-limit':
          this.send(res, rec, errorAnswer(429, 'RATE_LIMITED', 'too many requests', undefined, { 'retry-after': String(fault.retryAfterSeconds) }), decision.label);
          return;
        case 'hang': {
          const cancel = (): void => {
            this.state.parked.delete(cancel);
            req.socket.destroy();
          };
          this.state.parked.add(cancel);
          res.once('close', () => this.state.parked.delete(cancel));
          return;
        }
        case 'reset':
          req.socket.resetAndDestroy();
          return;
        default:
          break;
      }
    }
    const answer = this.run(p);
    if (!fault) {
      this.send(res, rec, answer, decision.label);
      return;
    }
    switch (fault.type) {
      case 'status-after-commit':
        this.send(res, rec, errorAnswer(fault.status, fault.code ?? defaultCode(fault.status), 'simulated failure after commit'), decision.label);
        return;
      case 'malformed': {
        rec.status = 200;
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(MALFORMED_BODY), 'x-sim-fault': decision.label });
        res.end(MALFORMED_BODY);
        return;
      }
      case 'truncate': {
        const buf = Buffer.from(JSON.stringify(answer.body));
        rec.status = answer.status;
        res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': buf.length, 'x-sim-fault': decision.label, ...answer.headers });
        // Half the body, then the connection goes: the client sees fewer bytes than Content-Length.
        res.write(buf.subarray(0, Math.max(1, Math.floor(buf.length / 2))), () => req.socket.destroy());
        return;
      }
      case 'drop-after-commit':
        req.socket.resetAndDestroy();
        return;
      default:
        this.send(res, rec, answer, decision.label);
    }
  }

  private run(p: Pending): Answer {
    const { ctx, id } = p;
    switch (ctx.route) {
      case 'airtime.issue':
        return this.airtime.issue(ctx);
      case 'airtime.status':
      case 'airtime.lookup':
        return this.airtime.read(ctx, id);
      case 'giftcard.products':
        return this.giftcard.products(ctx);
      case 'giftcard.order':
        return this.giftcard.order(ctx);
      case 'giftcard.status':
      case 'giftcard.lookup':
        return this.giftcard.read(ctx, id);
      default:
        return errorAnswer(404, 'NOT_FOUND', `no such endpoint: ${p.req.method} ${ctx.pathname}`);
    }
  }

  private send(res: ServerResponse, rec: JournalRecord | undefined, answer: Answer, label: string): void {
    const buf = JSON.stringify(answer.body);
    if (rec) rec.status = answer.status;
    res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(buf), 'x-sim-fault': label, ...answer.headers });
    res.end(buf);
  }
}

function decodeSegment(s: string): string | undefined {
  if (s.length === 0 || s.includes('/')) return undefined;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function defaultCode(status: number): string {
  return status === 503 ? 'SERVICE_UNAVAILABLE' : status === 502 ? 'BAD_GATEWAY' : status === 504 ? 'GATEWAY_TIMEOUT' : 'INTERNAL_ERROR';
}
