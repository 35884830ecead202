/** /api/v1/health and /api/v1/openapi.json: open to anyone, so load balancers and tools can use them. */
import type { Connection } from '@temporalio/client';
import { ApiError } from '../errors';
import { route, type ApiDeps, type Route } from '../route';
import { healthResponse } from '../schemas';

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
      summary: 'Whether the API can reach Temporal',
      ok: { status: 200, description: 'Temporal is reachable', schema: healthResponse },
      errors: [503],
      async handle() {
        try {
          await deps.client.withDeadline(Date.now() + 2000, () =>
            server.connection.workflowService.getSystemInfo({}),
          );
        } catch (err) {
          throw new ApiError(503, 'temporal_unavailable', `Temporal at ${server.address} is not reachable`, {
            address: server.address,
            namespace: server.namespace,
            reason: (err as Error).message,
          });
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
      summary: 'This document',
      ok: { status: 200, description: 'The OpenAPI 3.1 document' },
      errors: [],
      handle: async () => document(),
    }),
  ];
}
