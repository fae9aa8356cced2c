import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
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

const INBOUND = Symbol('relaypoint.sim.inbound');

/**
 * One provider request from its first byte to its answer: the request
 * context handlers read plus what the dispatch needs later. A single object
 * per request (no per-request closures) keeps the hot path's garbage small.
 */
class Exchange implements RequestContext {
  raw: Buffer = EMPTY;
  json: unknown = undefined;
  rec: JournalRecord | undefined = undefined;
  decision: FaultDecision | undefined = undefined;
  /** Extra body chunks after the first (rare: bodies are small). */
  more: Buffer[] | undefined = undefined;
  size = 0;
  tooLarge = false;

  constructor(
    readonly dispatch: ProviderDispatch,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly route: Route,
    readonly pathname: string,
    readonly query: string,
    readonly url: string,
    readonly method: string,
    /** Path segment id for reads by id. */
    readonly id: string | undefined,
    readonly generation: number,
  ) {}

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }
}

type Carrier = IncomingMessage & { [INBOUND]?: Exchange };

function onData(this: Carrier, chunk: Buffer): void {
  const x = this[INBOUND]!;
  x.size += chunk.length;
  if (x.size > MAX_BODY) x.tooLarge = true;
  else if (x.raw === EMPTY) x.raw = chunk;
  else (x.more ??= []).push(chunk);
}

function onEnd(this: Carrier): void {
  const x = this[INBOUND]!;
  this[INBOUND] = undefined;
  if (x.more) x.raw = Buffer.concat([x.raw, ...x.more], x.size);
  x.dispatch.start(x);
}

// writeHead copies header arrays synchronously, so one array serves every plain answer.
const PLAIN_HEADERS: OutgoingHttpHeader[] = ['content-type', 'application/json', 'content-length', 0, 'x-sim-fault', 'none'];

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
    const x = new Exchange(this, req, res, route, pathname, query, url, method, id, this.state.generation);
    (req as Carrier)[INBOUND] = x;
    req.on('data', onData);
    req.on('end', onEnd);
    return true;
  }

  /** Runs a request whose body has been read (called by the `end` listener). */
  start(x: Exchange): void {
    const { req, res } = x;
    if (x.tooLarge) {
      this.send(res, undefined, errorAnswer(413, 'PAYLOAD_TOO_LARGE', `bodies are limited to ${MAX_BODY} bytes`), 'none');
      return;
    }
    let text: string | undefined;
    if (x.raw.length > 0) {
      text = x.raw.toString('utf8');
      try {
        x.json = JSON.parse(text);
      } catch {
        // Not JSON: the handler answers INVALID_REQUEST; the journal keeps the text.
      }
    }
    const rec = (x.rec = this.state.journal.record(x.method, x.url, x.route, req.rawHeaders, x.raw, text));
    const reference = x.route.startsWith('airtime.') ? this.airtime.referenceOf(x, x.id) : this.giftcard.referenceOf(x, x.id);
    let attempt: number | undefined;
    if (reference !== undefined) {
      rec.reference = reference;
      attempt = rec.attempt = this.state.attempts.next(x.route, reference);
    }
    const decision = (x.decision = x.route === 'unknown' ? this.state.plan.decide('unknown', undefined, undefined) : this.state.plan.decide(x.route, reference, attempt));
    rec.fault = decision.label;
    if (this.log) {
      const t0 = performance.now();
      res.once('close', () => this.log!({ level: 'debug', msg: 'request', method: x.method, path: x.url, route: x.route, reference, attempt, status: rec.status, fault: rec.fault, ms: Math.round((performance.now() - t0) * 10) / 10 }));
    }
    if (decision.latencyMs > 0) {
      // A late-commit is processed whether or not the client stays, so its latency is not cut short by a close either.
      this.state.park(decision.latencyMs, req.socket, () => this.proceed(x), decision.fault?.type === 'late-commit' ? undefined : res);
      return;
    }
    this.proceed(x);
  }

  private proceed(x: Exchange): void {
    const { res, req } = x;
    const rec = x.rec!;
    const decision = x.decision!;
    const fault = decision.fault;
    // A reset happened while this request was in flight: it must not commit into the next test.
    // A client that went away cancels the request too, except under late-commit, which models a provider that keeps going.
    if (x.generation !== this.state.generation || (res.destroyed && fault?.type !== 'late-commit')) {
      req.socket.destroy();
      return;
    }
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
        case 'late-commit':
          // Reset and close drop it before it commits; a client's close does not: the provider keeps going.
          this.state.park(fault.ms, req.socket, () => this.commitLate(x));
          return;
        default:
          break;
      }
    }
    const answer = this.run(x);
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

  /**
   * The end of a late-commit hold: commits exactly as a request with no fault.
   * A client that is still connected gets the normal answer; for one that went
   * away nothing is written and the journal keeps `status: null`, as for any
   * request that was never answered.
   */
  private commitLate(x: Exchange): void {
    const answer = this.run(x);
    if (!x.res.destroyed) this.send(x.res, x.rec, answer, x.decision!.label);
  }

  private run(x: Exchange): Answer {
    switch (x.route) {
      case 'airtime.issue':
        return this.airtime.issue(x);
      case 'airtime.status':
      case 'airtime.lookup':
        return this.airtime.read(x, x.id);
      case 'giftcard.products':
        return this.giftcard.products(x);
      case 'giftcard.order':
        return this.giftcard.order(x);
      case 'giftcard.status':
      case 'giftcard.lookup':
        return this.giftcard.read(x, x.id);
      default:
        return errorAnswer(404, 'NOT_FOUND', `no such endpoint: ${x.method} ${x.pathname}`);
    }
  }

  private send(res: ServerResponse, rec: JournalRecord | undefined, answer: Answer, label: string): void {
    const body = JSON.stringify(answer.body);
    if (rec) rec.status = answer.status;
    if (answer.headers) {
      res.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-sim-fault': label, ...answer.headers });
    } else {
      PLAIN_HEADERS[3] = Buffer.byteLength(body);
      PLAIN_HEADERS[5] = label;
      res.writeHead(answer.status, PLAIN_HEADERS);
    }
    res.end(body);
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
  if (status < 400) return 'REDIRECT';
  return status === 503 ? 'SERVICE_UNAVAILABLE' : status === 502 ? 'BAD_GATEWAY' : status === 504 ? 'GATEWAY_TIMEOUT' : status === 408 ? 'REQUEST_TIMEOUT' : 'INTERNAL_ERROR';
}
