import type { Request } from 'express';
import type { Logger } from 'pino';
import type { Database } from '@relaypoint/store';
import type { WebhookService } from '@relaypoint/webhooks';
import type { ConnectorHandle } from '../connectors/ConnectorHandle.js';
import { HostError, HostErrorCodes } from '../HostError.js';
import type { IssuanceService } from '../issuance/IssuanceService.js';
import type { HostMetrics } from '../observability/createMetrics.js';
import type { ConsoleOptions } from '../console/consoleRoutes.js';
import type { ApiKeys } from './ApiKeys.js';
import { ctx } from './requestContext.js';

/** Everything the HTTP API calls into. */
export interface AppServices {
  db: Database;
  issuances: IssuanceService;
  webhooks: WebhookService;
  connectors: ReadonlyMap<string, ConnectorHandle>;
  metrics: HostMetrics;
  apiKeys: ApiKeys;
  tenants: ReadonlyArray<{ id: string; name?: string }>;
  logger: Logger;
  /** Migration namespaces and the ids that must be applied for `/readyz`. */
  expectedMigrations: ReadonlyArray<{ namespace: string; ids: number[] }>;
  /** Body size limit (`100kb`). */
  bodyLimit: string;
  /** True once shutdown began: `/readyz` fails and new issuances are refused. */
  isShuttingDown(): boolean;
  /** The web console under `/console` (on unless `enabled` is false). */
  console?: ConsoleOptions;
}

/** The tenant a request acts for; admin requests name it in `X-Relaypoint-Tenant`. */
export function tenantOf(req: Request): string {
  const c = ctx(req);
  if (c.tenantId) return c.tenantId;
  throw new HostError(
    400,
    HostErrorCodes.VALIDATION_FAILED,
    'admin requests on tenant resources name the tenant in the X-Relaypoint-Tenant header',
    {
      errors: ['headers.x-relaypoint-tenant: is required for admin requests'],
    },
  );
}
