/** A problem+json answer, as every Relaypoint API sends errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** `path: message` lines, when the API listed them. */
    readonly errors: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** JSON over fetch with the session cookie; state-changing calls carry the CSRF token when one is set. */
export class Api {
  /** Held in memory only (never in local or session storage). */
  csrfToken: string | undefined;
  /** Extra headers on every call (the admin's tenant filter). */
  headers: Record<string, string> = {};

  constructor(private readonly base: string) {}

  get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && this.csrfToken) headers['x-csrf-token'] = this.csrfToken;
    const res = await fetch(this.base + path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: unknown = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      // a non-JSON answer: reported below by status
    }
    if (!res.ok) {
      const p = (json ?? {}) as { code?: string; detail?: string; errors?: string[] };
      throw new ApiError(
        res.status,
        p.code ?? `HTTP_${res.status}`,
        p.detail ?? `${method} ${path} answered ${res.status}`,
        Array.isArray(p.errors) ? p.errors : [],
      );
    }
    return json as T;
  }
}
