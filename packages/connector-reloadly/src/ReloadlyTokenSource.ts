import {
  ErrorCodes,
  NotSentError,
  ProviderRejectedError,
  createHttpClient,
  systemClock,
  toConnectorError,
  type Clock,
  type HttpClient,
  type ConnectorError,
  type Logger,
} from '@relaypoint/core';

/** Options of {@link ReloadlyTokenSource}. */
export interface ReloadlyTokenSourceOptions {
  /** Token endpoint, e.g. `https://auth.reloadly.com/oauth/token`. */
  authUrl: string;
  /** OAuth2 client id. Never logged. */
  clientId: string;
  /** OAuth2 client secret. Never logged. */
  clientSecret: string;
  /** The API the token is for (`https://topups.reloadly.com` or the sandbox's). */
  audience: string;
  /** Renew this many ms before the stated expiry. Defaults to 60000. */
  refreshMarginMs?: number;
  /** HTTP timeout of the token request, ms. Defaults to 10000. */
  timeoutMs?: number;
  /** Clock for expiry. Defaults to `Date.now`. */
  clock?: Clock;
  /** Logger (never given the token or the credentials). */
  logger: Logger;
}

interface CachedToken {
  value: string;
  /** ms epoch after which the token is not used any more (expiry minus the margin). */
  renewAt: number;
}

/** Reads `expires_in` (Reloadly's samples show both a number and a digit string) as seconds. */
function expiresInSeconds(raw: unknown): number | undefined {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return raw;
  if (typeof raw === 'string' && /^\d{1,10}$/.test(raw) && Number(raw) > 0) return Number(raw);
  return undefined;
}

/**
 * Reloadly's OAuth2 client-credentials token for one audience: fetched once,
 * cached until shortly before it expires, shared by concurrent callers (one
 * token request however many issuances wait for it), and dropped when the API
 * answers that it expired. A failure to get a token means no top-up left, so
 * it is never an unknown outcome: a refusal of the credentials is
 * `PROVIDER_AUTH_FAILED` (rejected), anything else `PROVIDER_UNAVAILABLE`
 * (not sent, retryable).
 */
export class ReloadlyTokenSource {
  private cached: CachedToken | undefined;
  private inflight: Promise<string> | undefined;
  private readonly http: HttpClient;
  private readonly clock: Clock;
  private readonly margin: number;

  constructor(private readonly options: ReloadlyTokenSourceOptions) {
    this.http = createHttpClient({
      timeoutMs: options.timeoutMs ?? 10_000,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    });
    this.clock = options.clock ?? systemClock;
    this.margin = options.refreshMarginMs ?? 60_000;
  }

  /** A token valid for at least the refresh margin; fetches one when there is none. */
  async token(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && this.clock.now() < cached.renewAt) return cached.value;
    // One request for every caller waiting; not bound to any one caller's signal (one caller giving up
    // must not fail the others). The HTTP timeout bounds it.
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = undefined;
    });
    if (!signal) return this.inflight;
    if (signal.aborted)
      throw new NotSentError(ErrorCodes.ABORTED, 'reloadly: cancelled while waiting for an access token; no top-up was sent');
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void =>
        reject(new NotSentError(ErrorCodes.ABORTED, 'reloadly: cancelled while waiting for an access token; no top-up was sent'));
      signal.addEventListener('abort', onAbort, { once: true });
      (this.inflight as Promise<string>).then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  }

  /**
   * Forgets `token` after the API refused it as expired or invalid. Only that
   * token: when several requests fail with the same old token, the first one
   * drops it and the others reuse the fresh one (one refresh, not one each).
   */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  /** Releases the HTTP agents. */
  close(): void {
    for (const agent of [this.http.defaults.httpAgent, this.http.defaults.httpsAgent]) {
      (agent as { destroy?: () => void } | undefined)?.destroy?.();
    }
  }

  private async fetch(): Promise<string> {
    const { authUrl, clientId, clientSecret, audience, logger } = this.options;
    const started = this.clock.now();
    let res: { status: number; data: unknown };
    try {
      res = await this.http.post<string>(
        authUrl,
        { client_id: clientId, client_secret: clientSecret, grant_type: 'client_credentials', audience },
        { validateStatus: () => true, maxRedirects: 0 },
      );
    } catch (e) {
      throw this.unavailable(toConnectorError(e, { sent: true, provider: 'reloadly auth' }));
    }
    logger.debug({ op: 'token', audience, httpStatus: res.status }, 'reloadly token endpoint answered');
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      throw new ProviderRejectedError(
        ErrorCodes.PROVIDER_AUTH_FAILED,
        `reloadly refused the client credentials for audience ${audience} (HTTP ${res.status}); check clientId, clientSecret and environment (sandbox and live credentials differ)`,
        {
          retryable: false,
          httpStatus: res.status,
        },
      );
    }
    let body: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(String(res.data));
      if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      body = undefined;
    }
    const accessToken = body?.access_token;
    const ttl = expiresInSeconds(body?.expires_in);
    if (res.status < 200 || res.status >= 300 || typeof accessToken !== 'string' || accessToken === '' || ttl === undefined) {
      throw new NotSentError(
        ErrorCodes.PROVIDER_UNAVAILABLE,
        `reloadly token endpoint answered HTTP ${res.status} without a usable access token; no top-up was sent`,
        {
          retryable: true,
          httpStatus: res.status,
        },
      );
    }
    // A token whose whole life is shorter than the margin is still used once, for the request that asked.
    const renewAt = started + Math.max(ttl * 1000 - this.margin, 0);
    this.cached = { value: accessToken, renewAt };
    logger.info({ op: 'token', audience, expiresInSeconds: ttl }, 'reloadly access token obtained');
    return accessToken;
  }

  private unavailable(cause: ConnectorError): NotSentError {
    return new NotSentError(
      ErrorCodes.PROVIDER_UNAVAILABLE,
      `reloadly token endpoint could not be reached (${cause.code}); no top-up was sent`,
      { retryable: true, cause: { code: cause.code, message: cause.message } },
    );
  }
}
