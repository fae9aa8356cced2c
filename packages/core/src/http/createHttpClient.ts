import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import axios, { AxiosHeaders, type AxiosInstance, type AxiosRequestTransformer, type RawAxiosRequestHeaders } from 'axios';

/** How {@link createHttpClient} signs each request body. */
export interface RequestSigningOptions {
  /** The HMAC key. Never logged. */
  secret: string | Buffer;
  /** Header that carries the signature. Defaults to `X-Signature`. */
  header?: string;
  /** HMAC hash algorithm. Defaults to `sha256`. */
  algorithm?: string;
  /** Signature encoding. Defaults to `hex`. */
  encoding?: 'hex' | 'base64';
}

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
  headers?: RawAxiosRequestHeaders;
  /** Sign the exact body bytes with an HMAC header. Off by default. */
  signing?: RequestSigningOptions;
}

function bodyBytes(data: unknown): string | Buffer | Uint8Array {
  if (data === undefined || data === null) return '';
  if (typeof data === 'string' || Buffer.isBuffer(data) || data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof URLSearchParams) return data.toString();
  // Streams and FormData are produced lazily; their bytes cannot be signed up front.
  throw new Error('cannot sign a streamed request body; send a string, Buffer or JSON object');
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
 * and, with `signing`, an HMAC header over the exact body bytes sent.
 * Pass `signal` per request to cancel.
 *
 * A proxy named by `HTTP_PROXY`, `HTTPS_PROXY` or `ALL_PROXY` (either case;
 * `NO_PROXY` honoured) is used as axios uses it, when one of them is set at
 * the time the client is created. Without any, the client is told so
 * (`proxy: false`) and skips axios' lookup of those variables on every
 * request (about 1 % of a busy host's event loop).
 */
export function createHttpClient(options: HttpClientOptions = {}): AxiosInstance {
  const keepAlive = options.keepAlive ?? true;
  const maxSockets = options.maxSockets ?? 64;
  const transformRequest: AxiosRequestTransformer[] = [...(axios.defaults.transformRequest as AxiosRequestTransformer[])];
  const signing = options.signing;
  if (signing) {
    const header = signing.header ?? 'X-Signature';
    const algorithm = signing.algorithm ?? 'sha256';
    const encoding = signing.encoding ?? 'hex';
    // Runs after axios' own transforms, so `data` is the final body string or buffer that goes on the wire.
    transformRequest.push(function sign(data: unknown, headers: AxiosHeaders) {
      headers.set(header, createHmac(algorithm, signing.secret).update(bodyBytes(data)).digest(encoding));
      return data;
    });
  }
  // axios sets TCP keep-alive to (on, 60 s) on every request's socket; the agent, parking the socket after
  // each response, set it back to its own delay (1 s by default). Node skips the system call only when the
  // value is unchanged, so the two alternated: about 3 setsockopt calls per request (strace, host at
  // 750 issuances/s). The same 60 s on both sides makes every call after the first a no-op.
  const agentOptions = { keepAlive, maxSockets, keepAliveMsecs: AXIOS_KEEPALIVE_MS };
  return axios.create({
    baseURL: options.baseURL,
    timeout: options.timeoutMs ?? 10_000,
    headers: options.headers,
    httpAgent: new http.Agent(agentOptions),
    httpsAgent: new https.Agent(agentOptions),
    maxRedirects: 0,
    responseType: 'text',
    transitional: { silentJSONParsing: false, forcedJSONParsing: false, clarifyTimeoutError: true },
    transformRequest,
    ...(proxyInEnvironment(process.env) ? {} : { proxy: false as const }),
  });
}
