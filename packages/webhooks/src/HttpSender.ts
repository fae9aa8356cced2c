import { Agent } from 'undici';
import type { ErrorKind } from './types.js';
import { SSRF_BLOCKED_MESSAGE, SsrfGuard } from './ssrf/SsrfGuard.js';

/** What one HTTP attempt produced. */
export interface SendResult {
  at: number;
  statusCode?: number;
  latencyMs: number;
  /** First 4 KiB of the response body. */
  responseBody: string;
  /** Set when the attempt failed. */
  errorKind?: ErrorKind;
  /** Short, secret-free description of the failure, stored and shown to the tenant. */
  errorMessage?: string;
  /** Why the SSRF guard refused the connection (host, resolved address, range): for operators' logs, never stored. */
  blockedDetail?: string;
  /** `Retry-After` of the response, ms from now, when present and parsable. */
  retryAfterMs?: number;
}

const MAX_BODY = 4096;

/**
 * The smallest abort signal undici's `request` accepts (`aborted` plus
 * add/removeEventListener). An `AbortController` per request builds an
 * EventTarget and costs a few percent of the dispatcher's CPU at full speed.
 */
class DeadlineSignal {
  aborted = false;
  private listeners: (() => void)[] = [];
  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.push(listener);
  }
  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners = this.listeners.filter((l) => l !== listener);
  }
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const l of this.listeners.splice(0)) l();
  }
}

interface Target {
  origin: string;
  path: string;
  /** The scheme is https, or plain http is allowed for this host. */
  httpOk: boolean;
}

/** PostgreSQL text cannot hold U+0000: a receiver answering binary must not make its attempt unrecordable. */
function textOnly(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', '\uFFFD') : s;
}

function errorChain(error: unknown): { code?: string; name?: string; message?: string }[] {
  const out: { code?: string; name?: string; message?: string }[] = [];
  let cur: unknown = error;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    out.push(cur as { code?: string; name?: string; message?: string });
    cur = (cur as { cause?: unknown }).cause;
  }
  return out;
}

/** Maps a transport error to an attempt error kind. */
export function classifyError(error: unknown, timedOut: boolean): ErrorKind {
  if (timedOut) return 'timeout';
  for (const link of errorChain(error)) {
    const code = link.code ?? '';
    if (code === 'ERR_SSRF_BLOCKED') return 'ssrf_blocked';
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_FAIL' || link.name === 'DnsError')
      return 'dns';
    if (code === 'ECONNREFUSED') return 'refused';
    if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT')
      return 'timeout';
    if (/^(ERR_TLS|ERR_SSL|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_OSSL)/.test(code) || /certificate|ssl|tls/i.test(link.message ?? ''))
      return 'tls';
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'ECONNABORTED' || code === 'UND_ERR_CLOSED')
      return 'reset';
  }
  return 'reset';
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms from `now`. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * POSTs deliveries over keep-alive connections (one undici Agent), every new
 * connection going through the SSRF guard's pinned connector. Redirects are
 * never followed (undici's `request` does not follow them; a 3xx is a failed
 * attempt).
 */
export class HttpSender {
  private readonly agent: Agent;
  /** Parsed subscription URLs and whether plain http is allowed for them: the same few URLs are sent to again and again. */
  private readonly targets = new Map<string, Target | null>();

  constructor(
    private readonly guard: SsrfGuard,
    private readonly timeoutMs: number,
    connections: number,
    private readonly now: () => number,
  ) {
    this.agent = new Agent({
      connect: guard.connector({ timeout: Math.min(timeoutMs, 10_000) }),
      connections,
      keepAliveTimeout: 30_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  }

  async send(url: string, headers: Record<string, string>, body: string): Promise<SendResult> {
    const at = this.now();
    const started = performance.now();
    const target = this.target(url);
    if (!target) return { at, latencyMs: 0, responseBody: '', errorKind: 'ssrf_blocked', errorMessage: 'invalid URL' };
    if (!target.httpOk)
      return { at, latencyMs: 0, responseBody: '', errorKind: 'ssrf_blocked', errorMessage: 'plain http is not allowed for this host' };
    const signal = new DeadlineSignal();
    const timer = setTimeout(() => signal.abort(), this.timeoutMs);
    try {
      const res = await this.agent.request({
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers,
        body,
        signal: signal as unknown as AbortSignal,
      });
      const length = Number(res.headers['content-length']);
      let responseBody: string;
      if (length <= MAX_BODY) {
        // The common case, a short answer of known length: one read, no async iterator.
        responseBody = await res.body.text();
      } else {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of res.body) {
          const b = chunk as Buffer;
          if (size < MAX_BODY) chunks.push(b.subarray(0, MAX_BODY - size));
          size += b.length;
          if (size > 64 * 1024) {
            res.body.destroy();
            break;
          }
        }
        responseBody = Buffer.concat(chunks).toString('utf8');
      }
      const statusCode = res.statusCode;
      const result: SendResult = {
        at,
        statusCode,
        latencyMs: Math.round(performance.now() - started),
        responseBody: textOnly(responseBody),
      };
      if (statusCode < 200 || statusCode >= 300) {
        result.errorKind = 'http_status';
        result.errorMessage = `HTTP ${statusCode}`;
        const retryAfterMs = parseRetryAfter(res.headers['retry-after'], Date.now());
        if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
      }
      return result;
    } catch (error) {
      const kind = classifyError(error, signal.aborted);
      const code =
        errorChain(error)
          .map((link) => link.code)
          .find((c) => c) ?? '';
      const result: SendResult = {
        at,
        latencyMs: Math.round(performance.now() - started),
        responseBody: '',
        errorKind: kind,
        errorMessage: `${kind}${code ? ` (${code})` : ''}`,
      };
      if (kind === 'ssrf_blocked') {
        result.errorMessage = SSRF_BLOCKED_MESSAGE;
        const blocked = errorChain(error).find((link) => link.code === 'ERR_SSRF_BLOCKED') as { detail?: unknown } | undefined;
        result.blockedDetail = typeof blocked?.detail === 'string' ? blocked.detail : 'blocked';
      }
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  private target(url: string): Target | null {
    let target = this.targets.get(url);
    if (target === undefined) {
      try {
        const parsed = new URL(url);
        target = {
          origin: parsed.origin,
          path: parsed.pathname + parsed.search,
          httpOk: parsed.protocol !== 'http:' || this.guard.httpAllowedFor(parsed.hostname),
        };
      } catch {
        target = null;
      }
      if (this.targets.size >= 10_000) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  /** Closes idle connections; with `force`, aborts requests still running (their deliveries keep their lease and are resent later). */
  async close(force = false): Promise<void> {
    await (force ? this.agent.destroy() : this.agent.close()).catch(() => {});
  }
}
