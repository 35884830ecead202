/** /api/v1/health and /api/v1/openapi.json: open to anyone, so load balancers and tools can use them. */
import type { Connection } from '@temporalio/client';
import { ApiError, toApiError } from '../errors';
import { route, type ApiDeps, type Route } from '../route';
import { healthResponse } from '../schemas';

/** A health check answers within this: a load balancer's probe times out in a few seconds. */
const HEALTH_BUDGET_MS = 2000;

export function systemRoutes(
  deps: ApiDeps,
  server: { address: string; namespace: string; connection: Pick<Connection, 'workflowService'> },
  document: () => unknown,
): Route[] {
  return [
    route({
      method: 'get',
      path: '/health',
      tag: 'system',
      public: true,
      temporal: false, // a budget of its own, and its own 503
      summary: 'Whether the API can reach Temporal',
      ok: { status: 200, description: 'Temporal is reachable', schema: healthResponse },
      errors: [503],
      async handle() {
        try {
          await deps.gate.run(() => server.connection.workflowService.getSystemInfo({}), HEALTH_BUDGET_MS);
        } catch (err) {
          const unavailable = toApiError(err);
          throw new ApiError(
            503,
            'temporal_unavailable',
            `Temporal at ${server.address} is not reachable`,
            { address: server.address, namespace: server.namespace, reason: unavailable.message },
            unavailable.retryAfter,
          );
        }
        return {
          status: 'ok',
          temporal: { reachable: true, address: server.address, namespace: server.namespace },
        };
      },
    }),
    route({
      method: 'get',
      path: '/openapi.json',
      tag: 'system',
      public: true,
      temporal: false,
      summary: 'This document',
      ok: { status: 200, description: 'The OpenAPI 3.1 document' },
      errors: [],
      handle: async () => document(),
    }),
  ];
}
