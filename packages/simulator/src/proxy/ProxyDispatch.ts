import {
  request as httpRequest,
  Agent as HttpAgent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest, Agent as HttpsAgent } from 'node:https';
import { parseBody } from '../http/ProviderDispatch.js';
import type { Journal, JournalRecord } from '../journal/Journal.js';
import type { AttemptCounter } from '../ledger/AttemptCounter.js';
import { maskClientSecret } from '../model/credentialHeaders.js';
import type { ModelRequest, ProviderModel } from '../model/ProviderModel.js';
import { RouteTable, type RouteMatch } from '../model/RouteTable.js';
import type { FaultDecision, FaultPlan } from '../scenario/FaultPlan.js';
import { applyVoucherEdits, voucherEdits, type VoucherEdit } from './voucherPaths.js';

const MALFORMED_BODY = '{"voucher_code": "<html><body>upstream connect error</body></html>';
/** Headers that describe one hop, not the message (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
]);

/** What the proxy dispatch shares with its owner (the scenario and counters are replaced by reset and setScenario). */
export interface ProxyHost {
  journal: Journal;
  attempts: AttemptCounter;
  plan(): FaultPlan;
  generation(): number;
  park(ms: number, socket: IncomingMessage['socket'], then: () => void, res?: ServerResponse): void;
  hold(cancel: () => void): () => void;
  log?: (line: object) => void;
}

/** The upstream's answer, read whole (faults after it need the bytes). */
interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * The fault proxy's request flow: name the route (by the model's table, or
 * `proxy.<METHOD> <path>`), journal, decide faults with the seeded plan,
 * apply those before forwarding (5xx, 429, reset, hang, latency), forward
 * the raw bytes to the target (hop-by-hop headers dropped, redirects passed
 * back, never followed), then apply those after the upstream answered
 * (drop, reset, truncate, malformed, 5xx, a late answer, omit-voucher).
 */
export class ProxyDispatch {
  private readonly target: URL;
  private readonly routes: RouteTable | undefined;
  private readonly agent: HttpAgent;
  private readonly edits: { issued: VoucherEdit[]; transaction: VoucherEdit[] } | undefined;

  constructor(
    target: string,
    private readonly model: ProviderModel | undefined,
    private readonly host: ProxyHost,
  ) {
    this.target = new URL(target);
    this.agent = this.target.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    if (model) {
      this.routes = new RouteTable(model.id, model.routes);
      this.edits = { issued: voucherEdits(model, 'issued'), transaction: voucherEdits(model, 'transaction') };
    }
  }

  /** Stops reusing upstream connections. */
  close(): void {
    this.agent.destroy();
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const startedAt = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.start(req, res, Buffer.concat(chunks), startedAt));
  }

  private start(req: IncomingMessage, res: ServerResponse, raw: Buffer, startedAt: number): void {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    const method = req.method ?? 'GET';
    const match = this.routes?.match(method, pathname);
    const routeName = match ? match.fullName : `proxy.${method} ${pathname}`;
    const text = raw.length > 0 ? raw.toString('utf8') : undefined;
    // Credentials in a body (an OAuth2 token request) are journalled masked.
    const journalled = text !== undefined && text.includes('client_secret') ? maskClientSecret(text) : text;
    const rec = this.host.journal.record(
      method,
      url,
      routeName,
      req.rawHeaders,
      journalled === text ? raw : Buffer.from(journalled!),
      journalled,
      startedAt,
    );
    const reference = match ? this.referenceOf(match, method, pathname, url, q, req.headers, raw, text) : undefined;
    let attempt: number | undefined;
    if (reference !== undefined) {
      rec.reference = reference;
      attempt = rec.attempt = this.host.attempts.next(routeName, reference);
    }
    const decision = this.host.plan().decide(routeName, reference, attempt, pathname);
    rec.fault = decision.label;
    if (this.host.log) {
      const t0 = performance.now();
      res.once('close', () =>
        this.host.log!({
          level: 'debug',
          msg: 'request',
          method,
          path: url,
          route: routeName,
          reference,
          attempt,
          status: rec.status,
          fault: rec.fault,
          ms: Math.round((performance.now() - t0) * 10) / 10,
        }),
      );
    }
    const generation = this.host.generation();
    const go = (): void => this.beforeForward(req, res, raw, rec, decision, match, generation);
    if (decision.latencyMs > 0) this.host.park(decision.latencyMs, req.socket, go, res);
    else go();
  }

  private beforeForward(
    req: IncomingMessage,
    res: ServerResponse,
    raw: Buffer,
    rec: JournalRecord,
    decision: FaultDecision,
    match: RouteMatch | undefined,
    generation: number,
  ): void {
    if (generation !== this.host.generation() || res.destroyed) {
      req.socket.destroy();
      return;
    }
    const fault = decision.fault;
    switch (fault?.type) {
      case 'status-before-commit':
        return this.answer(
          res,
          rec,
          fault.status,
          { code: fault.code ?? 'SERVICE_UNAVAILABLE', message: 'simulated failure before forwarding: the upstream saw nothing' },
          decision.label,
        );
      case 'rate-limit':
        return this.answer(res, rec, 429, { code: 'RATE_LIMITED', message: 'too many requests' }, decision.label, {
          'retry-after': String(fault.retryAfterSeconds),
        });
      case 'reset':
        req.socket.resetAndDestroy();
        return;
      case 'hang': {
        const release = this.host.hold(() => req.socket.destroy());
        res.once('close', release);
        return;
      }
      default:
        break;
    }
    this.forward(req, raw, (err, upstream) => {
      if (generation !== this.host.generation()) return;
      if (err || !upstream) {
        // The upstream reset or never answered: the client sees the same, so a plugin's view of an unknown outcome is kept.
        if (err && (err as NodeJS.ErrnoException).code === 'ECONNRESET') req.socket.resetAndDestroy();
        else if (!res.destroyed)
          this.answer(
            res,
            rec,
            502,
            { code: 'BAD_GATEWAY', message: `upstream unreachable: ${(err as NodeJS.ErrnoException | undefined)?.code ?? 'no answer'}` },
            decision.label,
          );
        return;
      }
      if (fault?.type === 'late-commit') {
        // The upstream has processed the request; the answer comes late, if the client is still there.
        this.host.park(fault.ms, req.socket, () => {
          if (!res.destroyed) this.afterUpstream(req, res, rec, decision, match, upstream);
        });
        return;
      }
      if (res.destroyed) return;
      this.afterUpstream(req, res, rec, decision, match, upstream);
    });
  }

  private afterUpstream(
    req: IncomingMessage,
    res: ServerResponse,
    rec: JournalRecord,
    decision: FaultDecision,
    match: RouteMatch | undefined,
    upstream: Upstream,
  ): void {
    const fault = decision.fault;
    const headers = passHeaders(upstream.headers);
    headers['x-sim-fault'] = decision.label;
    switch (fault?.type) {
      case 'status-after-commit':
        return this.answer(
          res,
          rec,
          fault.status,
          { code: fault.code ?? 'INTERNAL_ERROR', message: 'simulated failure after the upstream answered' },
          decision.label,
        );
      case 'drop-after-commit':
        req.socket.resetAndDestroy();
        return;
      case 'malformed': {
        headers['content-length'] = Buffer.byteLength(MALFORMED_BODY);
        res.writeHead(upstream.status, headers);
        res.end(MALFORMED_BODY);
        rec.answered(upstream.status);
        return;
      }
      case 'truncate': {
        rec.status = upstream.status;
        headers['content-length'] = upstream.body.length;
        res.writeHead(upstream.status, headers);
        res.write(upstream.body.subarray(0, Math.max(1, Math.floor(upstream.body.length / 2))), () => req.socket.destroy());
        return;
      }
      case 'omit-voucher': {
        const body = this.withoutVoucher(upstream, match);
        headers['content-length'] = body.length;
        res.writeHead(upstream.status, headers);
        res.end(body);
        rec.answered(upstream.status);
        return;
      }
      default:
        headers['content-length'] = upstream.body.length;
        res.writeHead(upstream.status, headers);
        res.end(upstream.body);
        rec.answered(upstream.status);
    }
  }

  private withoutVoucher(upstream: Upstream, match: RouteMatch | undefined): Buffer {
    const role = match?.route.role;
    const edits =
      role === 'issue'
        ? this.edits?.issued
        : role === 'status-by-id' || role === 'status-by-reference'
          ? this.edits?.transaction
          : undefined;
    if (!edits || edits.length === 0 || upstream.status >= 300) return upstream.body;
    let body: unknown;
    try {
      body = JSON.parse(upstream.body.toString('utf8'));
    } catch {
      return upstream.body;
    }
    return applyVoucherEdits(body, edits) ? Buffer.from(JSON.stringify(body)) : upstream.body;
  }

  private forward(req: IncomingMessage, raw: Buffer, done: (err: Error | undefined, upstream?: Upstream) => void): void {
    const t = this.target;
    const basePath = t.pathname === '/' ? '' : t.pathname.replace(/\/$/, '');
    const headers = passHeaders(req.headers);
    headers.host = t.host;
    if (raw.length > 0 || req.headers['content-length'] !== undefined) headers['content-length'] = raw.length;
    const send = t.protocol === 'https:' ? httpsRequest : httpRequest;
    const out = send({
      protocol: t.protocol,
      hostname: t.hostname,
      port: t.port,
      method: req.method,
      path: `${basePath}${req.url ?? '/'}`,
      headers,
      agent: this.agent,
    });
    let settled = false;
    const finish = (err: Error | undefined, upstream?: Upstream): void => {
      if (settled) return;
      settled = true;
      done(err, upstream);
    };
    out.on('error', (e) => finish(e));
    out.on('response', (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('aborted', () => finish(Object.assign(new Error('upstream answer cut short'), { code: 'ECONNRESET' })));
      answer.on('error', (e) => finish(e));
      answer.on('end', () => {
        if (!answer.complete) return finish(Object.assign(new Error('upstream answer cut short'), { code: 'ECONNRESET' }));
        finish(undefined, { status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) });
      });
    });
    out.end(raw);
  }

  /** The reference a request names, through the model's issue parse or lookup (the proxy keeps no ledger: reads by id have none). */
  private referenceOf(
    match: RouteMatch,
    method: string,
    path: string,
    url: string,
    q: number,
    headers: IncomingHttpHeaders,
    raw: Buffer,
    text: string | undefined,
  ): string | undefined {
    const route = match.route;
    if (route.role !== 'issue' && route.role !== 'status-by-reference') return undefined;
    const request: ModelRequest = {
      method,
      path,
      params: match.params,
      query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
      headers,
      raw,
      body: text === undefined ? undefined : parseBody(text, headers['content-type']),
    };
    try {
      if (route.role === 'status-by-reference') {
        const r = route.referenceOf!(request);
        return typeof r === 'string' ? r : undefined;
      }
      const parsed = this.model!.parseIssue(request);
      return 'refuse' in parsed ? undefined : parsed.reference;
    } catch {
      return undefined;
    }
  }

  private answer(
    res: ServerResponse,
    rec: JournalRecord,
    status: number,
    body: object,
    label: string,
    extra: Record<string, string> = {},
  ): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-sim-fault': label,
      ...extra,
    });
    res.end(text);
    rec.answered(status);
  }
}

/** Headers to pass on: hop-by-hop ones (and those `Connection` names) and the length dropped. */
function passHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.has(name) || name === 'content-length' || name === 'host') continue;
    out[name] = value;
  }
  return out;
}
