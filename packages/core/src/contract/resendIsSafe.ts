import type { ConnectorCapabilities } from './Connector.js';

/**
 * Whether re-sending an issuance with the same reference cannot issue a
 * second time: the provider deduplicates references (`return-original`,
 * `reject-duplicate`, `replay-identical`) and still remembers this one.
 * With a `referenceWindowMs`, a re-send at `now` of a reference first sent
 * at `firstSentAt` (both ms since the epoch) is safe only while
 * `now - firstSentAt` is below the window; after it the provider would
 * treat the repeat as new, so the caller must look the reference up
 * instead. Without the two times, a windowed provider is judged unsafe.
 */
export function resendIsSafe(
  capabilities: Pick<ConnectorCapabilities, 'duplicateReference' | 'referenceWindowMs'>,
  firstSentAt?: number,
  now?: number,
): boolean {
  if (capabilities.duplicateReference === 'none') return false;
  const window = capabilities.referenceWindowMs;
  if (window === undefined) return true;
  if (firstSentAt === undefined || now === undefined) return false;
  return now - firstSentAt < window;
}
