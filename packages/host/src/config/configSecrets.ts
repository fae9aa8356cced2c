import { collectSecrets, redact } from '@relaypoint/core';
import { hostConfigSchema } from './hostConfigSchema.js';
import type { ResolvedHostConfig } from './resolveHostConfig.js';

/**
 * The config with every secret replaced by `"[redacted]"`: fields the host
 * schema marks secret, and fields each connector's plugin schema marks secret.
 */
export function redactHostConfig(resolved: ResolvedHostConfig): Record<string, unknown> {
  const out = redact(resolved.config, hostConfigSchema) as unknown as Record<string, unknown>;
  const connectors = out.connectors as Array<Record<string, unknown>> | undefined;
  for (const c of resolved.connectors) {
    const entry = connectors?.[c.index];
    if (entry) entry.config = redact(c.config, c.discovered.plugin.configSchema);
  }
  return out;
}

/**
 * Every secret string in the config (tenant and admin keys, the storage URL,
 * provider keys and secrets): the values the log scrubber removes from every
 * line. Found through the `x-secret` marks of the host and plugin schemas.
 */
export function configSecrets(resolved: ResolvedHostConfig): string[] {
  const out = new Set<string>();
  for (const s of collectSecrets(resolved.config, hostConfigSchema)) out.add(s);
  for (const c of resolved.connectors) for (const s of collectSecrets(c.config, c.discovered.plugin.configSchema)) out.add(s);
  if (resolved.config.storage.driver === 'postgres') {
    // The password inside the URL too, in case a driver error quotes it on its own.
    try {
      const pw = decodeURIComponent(new URL(resolved.config.storage.url).password);
      if (pw) out.add(pw);
    } catch {
      // not a URL: the whole string is already in the set
    }
  }
  return [...out].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}
