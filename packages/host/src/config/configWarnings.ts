import { resolveResilienceOptions } from '@relaypoint/core';
import type { ResolvedHostConfig } from './resolveHostConfig.js';

/** A config that is valid but probably not what the operator wants: `config validate` prints it, `start` logs it. */
export interface ConfigWarning {
  /** JSON path the warning is about. */
  path: string;
  /** One sentence: what is wrong and what it risks. */
  message: string;
  /** Figures behind it, for the log line. */
  fields: Record<string, unknown>;
}

/** Default of `reconciliation.settleMs`, in ms. */
const DEFAULT_SETTLE_MS = 600_000;

/**
 * The warnings of a resolved config. Today: a `reconciliation.settleMs`
 * shorter than a connector's longest call (attempts × timeoutMs plus the
 * longest waits between them), which can record `failed` a re-send refused
 * while an earlier call may still be sending.
 */
export function configWarnings(resolved: ResolvedHostConfig): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const settleMs = resolved.config.reconciliation.settleMs ?? DEFAULT_SETTLE_MS;
  for (const c of resolved.connectors) {
    const { timeoutMs, retry } = resolveResilienceOptions(c.resilience);
    const longestCallMs = retry.maxAttempts * timeoutMs + (retry.maxAttempts - 1) * Math.max(retry.maxDelayMs, retry.maxRetryAfterMs);
    if (settleMs < longestCallMs) {
      warnings.push({
        path: 'reconciliation.settleMs',
        message: `${settleMs} ms is shorter than the longest call of connector "${c.name}" (${longestCallMs} ms: attempts × timeoutMs plus the longest waits between them): a re-send refused while an earlier call may still be sending can be recorded failed`,
        fields: { connector: c.name, settleMs, longestCallMs },
      });
    }
  }
  return warnings;
}
