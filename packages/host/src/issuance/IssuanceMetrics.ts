import type { OpenReason } from './checkSchedule.js';
import type { IssuanceStatus } from './IssuanceRecord.js';

/** Hooks the host maps to Prometheus metrics. */
export interface IssuanceMetrics {
  /** An issuance reached `status` (counted once per transition). */
  onStatus(connector: string, status: IssuanceStatus): void;
  /** A provider call took `seconds`. */
  onProviderCall(connector: string, operation: 'issue' | 'status', seconds: number, outcome: string): void;
  /** The provider reported a success for an issuance already recorded failed. */
  onOutcomeConflict?(connector: string): void;
  /** An issuance became terminal `seconds` after it was accepted; `reason` says why it was open meanwhile. */
  onTerminal?(connector: string, reason: OpenReason, seconds: number): void;
}
