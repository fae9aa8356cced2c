/** Credential headers masked in every journal; models add their own (`X-Zap-Key`, say). */
export const SECRET_HEADERS: ReadonlySet<string> = new Set(['x-api-key', 'x-signature', 'authorization']);

/** Masks a credential header's value (`sim-airtime-key` → `sim-***`); other headers pass through. `secretHeaders` holds lower-case names. */
export function maskHeader(name: string, value: string, secretHeaders: ReadonlySet<string> = SECRET_HEADERS): string {
  if (!secretHeaders.has(name)) return value;
  const bearer = /^(Bearer|Basic)\s+/i.exec(value);
  const prefix = bearer ? bearer[0] : '';
  const secret = value.slice(prefix.length);
  return `${prefix}${secret.length > 8 ? secret.slice(0, 4) : ''}***`;
}
