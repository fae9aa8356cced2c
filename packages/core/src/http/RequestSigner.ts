/**
 * A request exactly as it goes on the wire, handed to a {@link RequestSigner}
 * once core has serialised it: what the signer sees is what the provider
 * receives.
 */
export interface SignableRequest {
  /** Upper-case method, as on the request line (`POST`). */
  readonly method: string;
  /** Path and query as on the request line (`/v1/orders?expand=voucher`), percent-encoded as sent. */
  readonly path: string;
  /** The absolute URL the request goes to (`https://api.provider.example/v1/orders?expand=voucher`). */
  readonly url: string;
  /**
   * The headers core sets, lower-case names (`content-type`, `content-length`,
   * the client's default headers, the call's own). Transport headers the
   * HTTP stack adds later (`host`, `connection`, `user-agent`,
   * `accept-encoding`) are not in it: do not sign over them.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes that will be sent (a copy: changing it changes nothing). Empty when there is no body. */
  readonly body: Buffer;
}

/**
 * Signs a request: returns the headers to add (a signature, a timestamp).
 * May be async (a key in a KMS). The body and request line are frozen once
 * it has run: they go out as the signer saw them. A signer that throws
 * fails the call before anything is sent.
 */
export type RequestSigner = (request: SignableRequest) => Record<string, string> | Promise<Record<string, string>>;
