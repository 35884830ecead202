/** The Express application: request logs, the Host and Origin checks, CORS, the /api/v1 routes, JSON errors. */
import express, { type Express } from 'express';
import type { Connection } from '@temporalio/client';
import type { Logger } from 'pino';
import { cors, corsOrigins } from './cors';
import { dashboard } from './dashboard';
import { ApiError, errorHandler } from './errors';
import { FeedHub, type FeedHubOptions } from './feed-hub';
import { FeedSockets } from './feed-socket';
import type { AllowedHosts } from './hosts';
import { openApiDocument } from './openapi';
import { LoginAttempts } from './login-attempts';
import { requestLog } from './request-log';
import { register, type ApiDeps, type Route } from './route';
import { SharedLooks } from './shared-looks';
import { SignIns } from './sign-in';
import { StreamSlots } from './stream-slots';
import { TemporalGate } from './temporal-gate';
import { Orchestra } from '../sdk/orchestra';
import { agentRoutes } from './routes/agents';
import { approvalRoutes } from './routes/approvals';
import { feedRoutes } from './routes/feed';
import { limitsRoutes } from './routes/limits';
import { sessionRoutes } from './routes/sessions';
import { signInRoutes } from './routes/sign-in';
import { swarmRoutes } from './routes/swarms';
import { systemRoutes } from './routes/system';
import { workspaceRoutes } from './routes/workspaces';
import { zoneRoutes } from './routes/zones';

export const API_BASE = '/api/v1';

/** What the API is given; the parts a caller leaves out get their defaults. */
type Defaulted =
  'orchestra' | 'gate' | 'streamSlots' | 'looks' | 'signIns' | 'loginAttempts' | 'cookieSecure';
/** The feed's hub is always the app's own: it ticks for the app's connections. */
export type ApiDepsInput = Omit<ApiDeps, Defaulted | 'feed'> & Partial<Pick<ApiDeps, Defaulted>>;

export interface AppOptions {
  deps: ApiDepsInput;
  log: Logger;
  temporal: {
    address: string;
    namespace: string;
    connection: Pick<Connection, 'workflowService'>;
    /** The Web UI's port (ORCHESTRA_UI_PORT), for the dashboard's links. @default 8233 */
    uiPort?: number;
  };
  /** The names the API answers to (hosts.ts); every name when left out. */
  hosts?: AllowedHosts;
  /** Exact origins of pages elsewhere that may call the API (cors.ts); none when left out. */
  corsOrigins?: string[];
  /** The feed hub's knobs beyond the deps' (tests shorten its linger). */
  feed?: Pick<FeedHubOptions, 'lingerMs'>;
}

export function createApp({ deps: given, log, temporal, hosts, corsOrigins: origins, feed }: AppOptions): {
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
    // Signed with the token table's secret: replicas with the same tokens accept each other's cookies.
    signIns: given.signIns ?? (given.tokens ? new SignIns({ secret: given.tokens.secret() }) : undefined),
    loginAttempts: given.loginAttempts ?? new LoginAttempts(),
    cookieSecure: given.cookieSecure ?? 'auto',
    feed: new FeedHub({ ...given, ...feed, orchestra, gate, log }),
  };
  const allowedOrigins = corsOrigins(origins);
  const sockets = new FeedSockets(deps, hosts);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // answers are live state; a cached one is a wrong one
  app.use(requestLog(log));
  if (hosts) app.use(hosts.middleware());
  app.use(cors(allowedOrigins));
  app.use(dashboard({ temporal })); // the web page: `/` and `/dashboard/*`, outside /api/v1
  const routes: Route[] = [
    ...signInRoutes(deps),
    ...agentRoutes(deps),
    ...workspaceRoutes(deps),
    ...sessionRoutes(deps),
    ...swarmRoutes(deps),
    ...approvalRoutes(deps),
    ...zoneRoutes(deps),
    ...feedRoutes(deps, sockets),
    ...limitsRoutes(deps),
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
