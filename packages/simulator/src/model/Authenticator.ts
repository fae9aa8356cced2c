import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AccountState } from './AccountState.js';
import type { ModelAuth, ModelErrorDetail, ModelErrorKind, ModelRequest } from './ProviderModel.js';
import type { TokenStore } from './TokenStore.js';

/** Why a request did not authenticate, for the model's `render.error`. */
export interface AuthFailure {
  kind: Extract<ModelErrorKind, 'unauthorised' | 'token-expired'>;
  detail: ModelErrorDetail;
}

const HEX64 = /^[0-9a-fA-F]{64}$/;
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
const DEFAULT_SIGNED = new Set(['POST', 'PUT', 'PATCH']);

/** The first value of a header (names are lower case). */
export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `Scheme value` → value when the scheme matches (case-insensitive), else undefined. */
function afterScheme(value: string | undefined, scheme: string): string | undefined {
  if (value === undefined || value.length <= scheme.length + 1) return undefined;
  if (value.slice(0, scheme.length).toLowerCase() !== scheme.toLowerCase() || value[scheme.length] !== ' ') return undefined;
  return value.slice(scheme.length + 1).trim();
}

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** HTTP Basic credentials of a request, or undefined. */
export function basicCredentials(headers: IncomingHttpHeaders): { user: string; password: string } | undefined {
  const encoded = afterScheme(headerOf(headers, 'authorization'), 'Basic');
  if (encoded === undefined) return undefined;
  const text = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  return colon === -1 ? undefined : { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

/**
 * Checks a request against a model's {@link ModelAuth}. Built once per
 * model: header names are lower-cased and messages composed up front.
 */
export class Authenticator {
  private readonly keyPlaces: { header: string; scheme?: string }[] = [];
  private readonly keyMessage: string;
  /** Lower-cased header names of the hmac auth (node's `headers` keys are lower case). */
  private readonly keyHeader: string = '';
  private readonly signatureHeader: string = '';
  private readonly signed: ReadonlySet<string> = DEFAULT_SIGNED;

  constructor(
    private readonly auth: ModelAuth,
    private readonly accounts: readonly AccountState[],
    private readonly byKey: ReadonlyMap<string, AccountState>,
    private readonly tokens: TokenStore | undefined,
  ) {
    if (auth.type === 'api-key') {
      for (const p of [{ header: auth.header, ...(auth.scheme ? { scheme: auth.scheme } : {}) }, ...(auth.also ?? [])]) {
        this.keyPlaces.push({ header: p.header.toLowerCase(), ...(p.scheme ? { scheme: p.scheme } : {}) });
      }
      const names = [auth.header, ...(auth.also ?? []).map((a) => a.header)].map((h, i) => {
        const scheme = i === 0 ? auth.scheme : auth.also?.[i - 1]?.scheme;
        return scheme ? `${h}: ${scheme}` : h;
      });
      this.keyMessage = names.length === 1 ? `missing or unknown ${names[0]}` : `missing or unknown API key (${names.join(' or ')})`;
    } else if (auth.type === 'hmac') {
      this.keyMessage = `missing or unknown ${auth.keyHeader}`;
      this.keyHeader = auth.keyHeader.toLowerCase();
      this.signatureHeader = auth.signatureHeader.toLowerCase();
      if (auth.signedMethods) this.signed = new Set(auth.signedMethods);
    } else {
      this.keyMessage = 'missing or unknown credentials';
    }
  }

  /** The account the request proves, or why it does not. */
  check(request: ModelRequest): AccountState | AuthFailure {
    const auth = this.auth;
    switch (auth.type) {
      case 'none':
        return this.accounts[0];
      case 'api-key': {
        for (const place of this.keyPlaces) {
          const raw = headerOf(request.headers, place.header);
          const key = place.scheme ? afterScheme(raw, place.scheme) : raw;
          if (key !== undefined) {
            const account = this.byKey.get(key);
            if (account) return account;
          }
        }
        return this.refuse('key', this.keyMessage);
      }
      case 'hmac': {
        const key = headerOf(request.headers, this.keyHeader);
        const account = key === undefined ? undefined : this.byKey.get(key);
        if (!account) return this.refuse('key', this.keyMessage);
        if (!this.signed.has(request.method)) return account;
        const encoding = auth.encoding ?? 'hex';
        const sig = headerOf(request.headers, this.signatureHeader);
        if (sig === undefined || !(encoding === 'hex' ? HEX64 : BASE64_SHA256).test(sig)) {
          return this.refuse('signature', `missing or malformed ${auth.signatureHeader} (${encoding} HMAC-SHA256 of the body)`);
        }
        const expected = createHmac('sha256', account.secretBytes!).update(request.raw).digest();
        if (!timingSafeEqual(expected, Buffer.from(sig, encoding)))
          return this.refuse('signature', `${auth.signatureHeader} does not match the body`);
        return account;
      }
      case 'basic': {
        const creds = basicCredentials(request.headers);
        const account = creds === undefined ? undefined : this.byKey.get(creds.user);
        if (!account || !safeEqual(creds!.password, account.secret ?? ''))
          return this.refuse('key', 'missing or wrong HTTP Basic credentials');
        return account;
      }
      case 'oauth2-client-credentials': {
        const token = afterScheme(headerOf(request.headers, 'authorization'), 'Bearer');
        const found = token === undefined ? undefined : this.tokens!.check(token);
        if (found === 'expired') return { kind: 'token-expired', detail: { message: 'the access token has expired', reason: 'token' } };
        if (found === undefined) return this.refuse('token', 'missing or unknown bearer token');
        return found;
      }
      case 'custom': {
        const proved = auth.verify(request, this.accounts);
        // Only one of the model's own accounts counts (verify might build an object of its own).
        const account = proved === undefined ? undefined : this.accounts.find((a) => a === proved || a.id === proved.id);
        return account ?? this.refuse('key', 'the request did not authenticate');
      }
    }
  }

  /**
   * The client of a token request (OAuth2 client credentials): from HTTP
   * Basic, or `client_id` and `client_secret` in the JSON or form body.
   */
  client(request: ModelRequest): AccountState | AuthFailure {
    const basic = basicCredentials(request.headers);
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const id = basic?.user ?? (typeof body.client_id === 'string' ? body.client_id : undefined);
    const secret = basic?.password ?? (typeof body.client_secret === 'string' ? body.client_secret : undefined);
    const account = id === undefined ? undefined : this.byKey.get(id);
    if (!account || secret === undefined || !safeEqual(secret, account.secret ?? ''))
      return this.refuse('client', 'unknown client_id or wrong client_secret');
    return account;
  }

  private refuse(reason: NonNullable<ModelErrorDetail['reason']>, message: string): AuthFailure {
    return { kind: 'unauthorised', detail: { message, reason } };
  }
}
