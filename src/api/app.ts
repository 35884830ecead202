/** The Express application: request logs, the Host and Origin checks, the /api/v1 routes, JSON errors. */
import express, { type Express } from 'express';
import type { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { ApiError, errorHandler } from './errors';
import { FeedHub } from './feed-hub';
import { FeedSockets } from './feed-socket';
import type { AllowedHosts } from './hosts';
import { openApiDocument } from './openapi';
import { requestLog } from './request-log';
import { register, type ApiDeps, type Route } from './route';
import { SharedLooks } from './shared-looks';
import { StreamSlots } from './stream-slots';
import { TemporalGate } from './temporal-gate';
import { Orchestra } from '../sdk/orchestra';
import { agentRoutes } from './routes/agents';
import { approvalRoutes } from './routes/approvals';
import { feedRoutes } from './routes/feed';
import { sessionRoutes } from './routes/sessions';
import { swarmRoutes } from './routes/swarms';
import { systemRoutes } from './routes/system';
import { workspaceRoutes } from './routes/workspaces';
import { zoneRoutes } from './routes/zones';

export const API_BASE = '/api/v1';

/** What the API is given; the parts a caller leaves out get their defaults. */
export type ApiDepsInput = Omit<ApiDeps, 'orchestra' | 'gate' | 'streamSlots' | 'looks' | 'feed'> &
  Partial<Pick<ApiDeps, 'orchestra' | 'gate' | 'streamSlots' | 'looks'>>;

export interface AppOptions {
  deps: ApiDepsInput;
  log: Logger;
  temporal: { address: string; namespace: string; connection: Pick<Connection, 'workflowService'> };
  /** The names the API answers to (hosts.ts); every name when left out. */
  hosts?: AllowedHosts;
}

export function createApp({ deps: given, log, temporal, hosts }: AppOptions): {
  app: Express;
  routes: Route[];
  /** The feed's WebSocket connections: the HTTP server hands them its `upgrade` requests. */
  sockets: FeedSockets;
  deps: ApiDeps;
} {
  const orchestra =
    given.orchestra ?? Orchestra.over(given.client, given.defaults, { retryStalledReads: false });
  const gate = given.gate ?? new TemporalGate(given.client, temporal.address);
  const deps: ApiDeps = {
    ...given,
    // The API sets its own deadlines (the gate): the SDK's own retry of a stalled read would replace them.
    orchestra,
    gate,
    streamSlots: given.streamSlots ?? new StreamSlots(),
    looks: given.looks ?? new SharedLooks(given.pollMs),
    feed: new FeedHub({ ...given, orchestra, gate, log }),
  };
  const sockets = new FeedSockets(deps, hosts);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // answers are live state; a cached one is a wrong one
  app.use(requestLog(log));
  if (hosts) app.use(hosts.middleware());
  const routes: Route[] = [
    ...agentRoutes(deps),
    ...workspaceRoutes(deps),
    ...sessionRoutes(deps),
    ...swarmRoutes(deps),
    ...approvalRoutes(deps),
    ...zoneRoutes(deps),
    ...feedRoutes(deps, sockets),
    ...systemRoutes(deps, temporal, () => document),
  ];
  // Written once, from the routes it describes; the route that serves it runs only later.
  const document = openApiDocument(routes, API_BASE, deps.tokens !== undefined);
  const router = express.Router({ strict: false });
  register(router, routes, deps);
  app.use(API_BASE, router);
  app.use((req, _res, next) => next(new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(log));
  return { app, routes, sockets, deps };
}
