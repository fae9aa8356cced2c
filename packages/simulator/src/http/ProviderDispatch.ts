import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeader, ServerResponse } from 'node:http';
import type { JournalRecord } from '../journal/Journal.js';
import { maskClientSecret } from '../model/credentialHeaders.js';
import type { ModelExchange, MountedModel } from '../model/MountedModel.js';
import type { IssueTerms, ModelAccount, ModelAnswer, ModelRefusal } from '../model/ProviderModel.js';
import type { RouteMatch } from '../model/RouteTable.js';
import type { FaultDecision } from '../scenario/FaultPlan.js';
import type { SimulatorState } from '../SimulatorState.js';
import { errorAnswer } from './Answer.js';

/** Largest request body accepted, in bytes. */
const MAX_BODY = 1024 * 1024;
const MALFORMED_BODY = '{"voucher_code": "<html><body>upstream connect error</body></html>';
const EMPTY = Buffer.alloc(0);
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

const INBOUND = Symbol('relaypoint.sim.inbound');

/**
 * One provider request from its first byte to its answer: the request as
 * the model sees it plus what the dispatch needs later. A single object per
 * request (no per-request closures) keeps the hot path's garbage small.
 */
class Exchange implements ModelExchange {
  raw: Buffer = EMPTY;
  body: unknown = undefined;
  account: ModelAccount | undefined = undefined;
  parsed: IssueTerms | ModelRefusal | undefined = undefined;
  rec: JournalRecord | undefined = undefined;
  decision: FaultDecision | undefined = undefined;
  /** Extra body chunks after the first (rare: bodies are small). */
  more: Buffer[] | undefined = undefined;
  size = 0;
  tooLarge = false;
  /** `performance.now()` when the request's headers arrived; the journal's time and latency count from it. */
  readonly startedAt = performance.now();
  private search: URLSearchParams | undefined = undefined;

  constructor(
    readonly dispatch: ProviderDispatch,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    readonly mounted: MountedModel,
    /** The matched route; a placeholder with route name `unknown` when none matched. */
    readonly match: RouteMatch,
    readonly routeName: string,
    /** Path below the mount prefix, without the query. */
    readonly path: string,
    readonly pathname: string,
    readonly queryText: string,
    readonly url: string,
    readonly method: string,
    readonly generation: number,
  ) {}

  get headers(): IncomingHttpHeaders {
    return this.req.headers;
  }

  get params(): Readonly<Record<string, string>> {
    return this.match.params;
  }

  get query(): URLSearchParams {
    return (this.search ??= new URLSearchParams(this.queryText));
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
const UNKNOWN_MATCH = { route: undefined, fullName: 'unknown', params: NO_PARAMS } as unknown as RouteMatch;

/**
 * The provider hot path on bare `node:http`: find the model by its mount
 * prefix, match the route in its precompiled table, read the body as bytes,
 * journal, decide faults, run the model, answer. Express never sees these
 * requests (it costs more than half the throughput); {@link handle} returns
 * false for anything else.
 */
export class ProviderDispatch {
  constructor(
    private readonly state: SimulatorState,
    private readonly log: ((line: object) => void) | undefined,
  ) {}

  /** Handles requests under a model's prefix; returns false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const slash = pathname.indexOf('/', 1);
    const mounted = this.state.byPrefix.get(slash === -1 ? pathname : pathname.slice(0, slash));
    if (!mounted) return false;
    const method = req.method ?? 'GET';
    const path = slash === -1 ? '/' : pathname.slice(slash);
    const match = mounted.routes.match(method, path);
    const x = new Exchange(
      this,
      req,
      res,
      mounted,
      match ?? UNKNOWN_MATCH,
      match ? match.fullName : 'unknown',
      path,
      pathname,
      q === -1 ? '' : url.slice(q + 1),
      url,
      method,
      this.state.generation,
    );
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
      x.body = parseBody(text, req.headers['content-type']);
    }
    // A token request carries the client secret: the journal keeps it masked.
    const journalled = text !== undefined && x.match.route?.role === 'token' ? maskClientSecret(text) : text;
    const rec = (x.rec = this.state.journal.record(
      x.method,
      x.url,
      x.routeName,
      req.rawHeaders,
      journalled === text ? x.raw : Buffer.from(journalled!),
      journalled,
      x.startedAt,
    ));
    const reference = x.routeName === 'unknown' ? undefined : this.referenceOf(x);
    let attempt: number | undefined;
    if (reference !== undefined) {
      rec.reference = reference;
      attempt = rec.attempt = this.state.attempts.next(x.routeName, reference);
    }
    const decision = (x.decision = this.state.plan.decide(x.routeName, reference, attempt, x.pathname));
    rec.fault = decision.label;
    if (this.log) {
      const t0 = performance.now();
      res.once('close', () =>
        this.log!({
          level: 'debug',
          msg: 'request',
          method: x.method,
          path: x.url,
          route: x.routeName,
          reference,
          attempt,
          status: rec.status,
          fault: rec.fault,
          ms: Math.round((performance.now() - t0) * 10) / 10,
        }),
      );
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
          this.send(
            res,
            rec,
            errorAnswer(fault.status, fault.code ?? defaultCode(fault.status), 'simulated failure before commit: nothing was processed'),
            decision.label,
          );
          return;
        case 'rate-limit':
          this.send(
            res,
            rec,
            errorAnswer(429, 'RATE_LIMITED', 'too many requests', undefined, { 'retry-after': String(fault.retryAfterSeconds) }),
            decision.label,
          );
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
    const answer = this.run(x, fault?.type === 'omit-voucher');
    if (!fault) {
      this.send(res, rec, answer, decision.label);
      return;
    }
    switch (fault.type) {
      case 'status-after-commit':
        this.send(
          res,
          rec,
          errorAnswer(fault.status, fault.code ?? defaultCode(fault.status), 'simulated failure after commit'),
          decision.label,
        );
        return;
      case 'malformed': {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(MALFORMED_BODY),
          'x-sim-fault': decision.label,
        });
        res.end(MALFORMED_BODY);
        rec.answered(200);
        return;
      }
      case 'truncate': {
        const buf = bodyBytes(answer);
        // Answered, but never to the end: the latency stays null.
        rec.status = answer.status;
        res.writeHead(answer.status, {
          'content-type': contentType(answer),
          'content-length': buf.length,
          'x-sim-fault': decision.label,
          ...answer.headers,
        });
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
    const answer = this.run(x, false);
    if (!x.res.destroyed) this.send(x.res, x.rec, answer, x.decision!.label);
  }

  private run(x: Exchange, omitVoucher: boolean): ModelAnswer {
    if (x.routeName === 'unknown') return errorAnswer(404, 'NOT_FOUND', `no such endpoint: ${x.method} ${x.pathname}`);
    try {
      return x.mounted.run(x, omitVoucher);
    } catch (e) {
      // A model's own code failed: answer (and log) rather than crash the simulator for every other request.
      const message = `model ${x.mounted.id} failed on ${x.routeName}: ${(e as Error)?.message ?? String(e)}`;
      this.log?.({ level: 'error', msg: 'model error', route: x.routeName, error: message });
      return errorAnswer(500, 'MODEL_ERROR', message);
    }
  }

  /** The request's reference, or undefined (also when the model's parse throws: running it then answers MODEL_ERROR). */
  private referenceOf(x: Exchange): string | undefined {
    try {
      return x.mounted.referenceOf(x);
    } catch {
      return undefined;
    }
  }

  private send(res: ServerResponse, rec: JournalRecord | undefined, answer: ModelAnswer, label: string): void {
    const body = answer.body;
    if (answer.headers || typeof body === 'string' || Buffer.isBuffer(body)) {
      const buf = bodyBytes(answer);
      res.writeHead(answer.status, {
        'content-type': contentType(answer),
        'content-length': buf.length,
        'x-sim-fault': label,
        ...answer.headers,
      });
      res.end(buf);
    } else {
      const text = body === undefined ? '' : JSON.stringify(body);
      PLAIN_HEADERS[3] = Buffer.byteLength(text);
      PLAIN_HEADERS[5] = label;
      res.writeHead(answer.status, PLAIN_HEADERS);
      res.end(text);
    }
    // After end(): the answer is handed to the socket, so the latency covers the whole answer (no 'finish' listener per request).
    rec?.answered(answer.status);
  }
}

/** The body of a request: JSON, or a form as an object; undefined when it is neither. */
export function parseBody(text: string, contentType: string | undefined): unknown {
  if (contentType !== undefined && contentType.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text));
  try {
    return JSON.parse(text);
  } catch {
    // Not JSON: the model answers invalid-request; the journal keeps the text.
    return undefined;
  }
}

function bodyBytes(answer: ModelAnswer): Buffer {
  const b = answer.body;
  if (Buffer.isBuffer(b)) return b;
  if (typeof b === 'string') return Buffer.from(b);
  return b === undefined ? EMPTY : Buffer.from(JSON.stringify(b));
}

function contentType(answer: ModelAnswer): string {
  return typeof answer.body === 'string' || Buffer.isBuffer(answer.body) ? 'text/plain; charset=utf-8' : 'application/json';
}

function defaultCode(status: number): string {
  if (status < 400) return 'REDIRECT';
  return status === 503
    ? 'SERVICE_UNAVAILABLE'
    : status === 502
      ? 'BAD_GATEWAY'
      : status === 504
        ? 'GATEWAY_TIMEOUT'
        : status === 408
          ? 'REQUEST_TIMEOUT'
          : 'INTERNAL_ERROR';
}
