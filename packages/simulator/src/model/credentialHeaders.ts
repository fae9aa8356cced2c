import type { ProviderModel } from './ProviderModel.js';

/** The headers a model's authentication reads credentials from: the journal masks them. */
export function credentialHeaders(model: ProviderModel): string[] {
  const auth = model.auth;
  switch (auth.type) {
    case 'api-key':
      return [auth.header, ...(auth.also ?? []).map((a) => a.header)];
    case 'hmac':
      return [auth.keyHeader, auth.signatureHeader];
    default:
      return ['authorization'];
  }
}

/** A token request's body with `client_secret` masked, for the journal (JSON or form); other bodies unchanged. */
export function maskClientSecret(text: string): string {
  try {
    const json = JSON.parse(text) as unknown;
    if (typeof json === 'object' && json !== null && 'client_secret' in json) return JSON.stringify({ ...json, client_secret: '***' });
    return text;
  } catch {
    const form = new URLSearchParams(text);
    if (!form.has('client_secret')) return text;
    form.set('client_secret', '***');
    return form.toString();
  }
}
