const SECRET_HEADERS = new Set(['x-api-key', 'x-signature', 'authorization']);

/** Masks a credential header's value (`sim-airtime-key` → `sim-***`); other headers pass through. */
export function maskHeader(name: string, value: string): string {
  if (!SECRET_HEADERS.has(name)) return value;
  const bearer = /^(Bearer|Basic)\s+/i.exec(value);
  const prefix = bearer ? bearer[0] : '';
  const secret = value.slice(prefix.length);
  return `${prefix}${secret.length > 8 ? secret.slice(0, 4) : ''}***`;
}
