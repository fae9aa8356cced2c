import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import { freezeRequest } from './freezeRequest.js';
import { hmacBodySigner, type HmacBodySignerOptions } from './hmacBodySigner.js';
import type { HttpClient, HttpRequestHeaders } from './HttpClient.js';
import type { RequestSigner } from './RequestSigner.js';

/** How {@link createHttpClient} signs each request body with an HMAC into one header (a preset of `sign`, see {@link hmacBodySigner}). */
export type RequestSigningOptions = HmacBodySignerOptions;

/** Options of {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Provider base URL, e.g. `https://api.provider.example/v1`. */
  baseURL?: string;
  /** Whole-request timeout, ms. Defaults to 10000. */
  timeoutMs?: number;
  /** Keep connections alive between calls. Defaults to `true`. */
  keepAlive?: boolean;
  /** Maximum sockets per host. Defaults to 64. */
  maxSockets?: number;
  /** Headers sent with every request (e.g. an API key). */
  headers?: HttpRequestHeaders;
  /**
   * Signs every request: receives the method, the path and query of the
   * request line, the headers and the exact body bytes, and returns headers
   * to add (may be async). Off by default. See {@link timestampedHmacSigner}
   * for a Stripe-style preset.
   */
  sign?: RequestSigner;
  /** Shorthand for `sign: hmacBodySigner(signing)`: an HMAC of the body alone in one header. Off by default; not with `sign`. */
  signing?: RequestSigningOptions;
}

/** The TCP keep-alive delay axios' node adapter sets on each request's socket. */
const AXIOS_KEEPALIVE_MS = 60_000;

/** The variables axios reads (through proxy-from-env) to send a request through a proxy. */
const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy'];

/** True when the environment names a proxy for some scheme. */
function proxyInEnvironment(env: NodeJS.ProcessEnv): boolean {
  return PROXY_VARIABLES.some((name) => Boolean(env[name] || env[name.toUpperCase()]));
}

/**
 * An axios instance for provider calls: keep-alive agents, a per-request
 * timeout, no redirects (a redirected POST must not be re-sent blindly), the
 * response left as raw text (`responseType: 'text'`, no silent JSON parsing:
 * the plugin decides what an unparsable body means, see `parseJsonBody`),
 * and every body serialised once (JSON for a value; a string or Buffer sent
 * byte for byte) and frozen: with `sign` (or the `signing` preset) the
 * signer sees exactly the request line and bytes that are sent.
 * Pass `signal` per request to cancel.
 *
 * A proxy named by `HTTP_PROXY`, `HTTPS_PROXY` or `ALL_PROXY` (either case;
 * `NO_PROXY` honoured) is used as axios uses it, when one of them is set at
 * the time the client is created. Without any, the client is told so
 * (`proxy: false`) and skips axios' lookup of those variables on every
 * request (about 1 % of a busy host's event loop).
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const keepAlive = options.keepAlive ?? true;
  const maxSockets = options.maxSockets ?? 64;
  if (options.sign && options.signing) throw new TypeError('createHttpClient: give either `sign` or `signing`, not both');
  if (options.sign !== undefined && typeof options.sign !== 'function') throw new TypeError('createHttpClient: `sign` must be a function');
  const signer = options.sign ?? (options.signing ? hmacBodySigner(options.signing) : undefined);
  // axios sets TCP keep-alive to (on, 60 s) on every request's socket; the agent, parking the socket after
  // each response, set it back to its own delay (1 s by default). Node skips the system call only when the
  // value is unchanged, so the two alternated: about 3 setsockopt calls per request (strace, host at
  // 750 issuances/s). The same 60 s on both sides makes every call after the first a no-op.
  const agentOptions = { keepAlive, maxSockets, keepAliveMsecs: AXIOS_KEEPALIVE_MS };
  const client = axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs ?? 10_000,
    headers: options.headers,
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    maxRedirects: 0,
    responseType: 'text',
    transitional: { silentJSONParsing: false, forcedJSONParsing: false, clarifyTimeoutError: true },
    // The body is serialised once, by freezeRequest below; axios passes the frozen bytes through untouched.
    transformRequest: [(data: unknown) => data],
    ...(proxyInEnvironment(process.env) ? {} : { proxy: false as const }),
  });
  client.interceptors.request.use((config) => freezeRequest(config, signer));
  return client;
}
