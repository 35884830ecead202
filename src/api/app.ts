/** The Express application: request logs, the /api/v1 routes, JSON errors. */
import express, { type Express } from 'express';
import type { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { ApiError, errorHandler } from './errors';
import { openApiDocument } from './openapi';
import { requestLog } from './request-log';
import { register, type ApiDeps, type Route } from './route';
import { agentRoutes } from './routes/agents';
import { approvalRoutes } from './routes/approvals';
import { sessionRoutes } from './routes/sessions';
import { swarmRoutes } from './routes/swarms';
import { systemRoutes } from './routes/system';
import { workspaceRoutes } from './routes/workspaces';

export const API_BASE = '/api/v1';

export interface AppOptions {
  deps: ApiDeps;
  log: Logger;
  temporal: { address: string; namespace: string; connection: Pick<Connection, 'workflowService'> };
}

export function createApp({ deps, log, temporal }: AppOptions): { app: Express; routes: Route[] } {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // answers are live state; a cached one is a wrong one
  app.use(requestLog(log));
  const routes: Route[] = [
    ...agentRoutes(deps),
    ...workspaceRoutes(deps),
    ...sessionRoutes(deps),
    ...swarmRoutes(deps),
    ...approvalRoutes(deps),
    ...systemRoutes(deps, temporal, () => document),
  ];
  // Written once, from the routes it describes; the route that serves it runs only later.
  const document = openApiDocument(routes, API_BASE, deps.tokens !== undefined);
  const router = express.Router({ strict: false });
  register(router, routes, deps);
  app.use(API_BASE, router);
  app.use((req, _res, next) => next(new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(log));
  return { app, routes };
}
