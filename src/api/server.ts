/**
 * `orchestra api`: the control API over a Temporal connection. Refuses to listen beyond
 * loopback without tokens, and answers only to its own names (hosts.ts); on SIGINT/SIGTERM
 * stops taking requests, ends live streams, lets requests in flight finish (and the Temporal
 * calls of those answered with a 503), then closes the connection.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import type { OrchestraConfig } from '../config';
import { loadOrchestraFile } from '../config-file';
import { createApp, type ApiDepsInput } from './app';
import { AllowedHosts, isLoopback } from './hosts';
import { ClosedViews } from './closed-views';
import { LiveViews } from './live-views';
import { LoginAttempts, type LoginAttemptsOptions } from './login-attempts';
import { QuickInspections } from './quick-inspections';
import { Cursors } from './cursor';
import { SharedLooks } from './shared-looks';
import { DEFAULT_SIGN_IN_TTL_MS, SignIns } from './sign-in';
import type { FeedHub } from './feed-hub';
import type { SseStream } from './sse';
import { StreamSlots } from './stream-slots';
import { TemporalGate } from './temporal-gate';
import { TokenTable } from './tokens';

export interface ApiServer {
  url: string;
  port: number;
  server: Server;
  /** The feed's hub: its `calls` say what it asks of Temporal. */
  feed: FeedHub;
  close(): Promise<void>;
}

export interface ApiOptions {
  client: Client;
  config: Pick<
    OrchestraConfig,
    | 'taskQueue'
    | 'model'
    | 'user'
    | 'workspace'
    | 'api'
    | 'staleAfterSeconds'
    | 'configFile'
    | 'temporalAddress'
    | 'namespace'
  > &
    // The dashboard links each workflow to the Web UI there; its default when left out.
    Partial<Pick<OrchestraConfig, 'uiPort'>>;
  log: Logger;
  /** Knobs tests shorten. */
  pollMs?: number;
  requestTimeoutMs?: number;
  queryTimeoutMs?: number;
  /** How long a browser sign-in lasts. @default 12 hours */
  signInTtlMs?: number;
  /** Failed sign-ins an address may make in a window before a 429. @default 10 in 10 minutes */
  loginAttempts?: LoginAttemptsOptions;
  /** How long the feed's hub goes on ticking with nobody listening. @default 30 s */
  feedLingerMs?: number;
  /** How long GET /agents/:id waits in all (the server's description, then a worker's view) before it answers with what it has. */
  viewWaitMs?: number;
}

/**
 * A GET of an agent answers within about this long (agent-view.ts says with what): a worker
 * and the server answer in milliseconds unless they are saturated or the agent is in a run
 * of local steps (up to a second or two). 150 ms keeps the p99 under 250 ms on a 2-core
 * machine running 1,000 agents.
 */
export const DEFAULT_VIEW_WAIT_MS = 150;

/** Every request's Temporal calls answer within this, or the request is a 503 (temporal-gate.ts). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export async function startApi(options: ApiOptions): Promise<ApiServer> {
  const { client, config, log } = options;
  const tokens = TokenTable.load(config.api);
  if (!tokens && !isLoopback(config.api.host)) {
    throw new Error(
      `refusing to listen on ${config.api.host} without tokens: set ORCHESTRA_API_TOKENS_FILE (or ORCHESTRA_API_TOKENS), ` +
        'or listen on 127.0.0.1',
    );
  }
  let port = config.api.port;
  const hosts = new AllowedHosts({
    bindHost: config.api.host,
    port: () => port,
    extra: config.api.allowedHosts,
    corsOrigins: config.api.corsOrigins,
  });
  const streams = new Set<SseStream>();
  const pollMs = options.pollMs ?? 250;
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const deps = {
    client,
    defaults: { taskQueue: config.taskQueue, model: config.model, file: loadOrchestraFile(config).file },
    tokens,
    signIns: tokens
      ? new SignIns({ secret: tokens.secret(), ttlMs: options.signInTtlMs ?? DEFAULT_SIGN_IN_TTL_MS })
      : undefined,
    loginAttempts: new LoginAttempts(options.loginAttempts),
    cookieSecure: config.api.cookieSecure ?? 'auto',
    openUser: config.user,
    openWorkspace: config.workspace,
    staleAfterMs: config.staleAfterSeconds * 1000,
    pollMs,
    requestTimeoutMs,
    gate: new TemporalGate(client, config.temporalAddress),
    queryTimeoutMs: options.queryTimeoutMs ?? 5_000,
    maxBodyBytes: 1024 * 1024,
    streams,
    streamSlots: new StreamSlots(config.api.streamsPerUser),
    looks: new SharedLooks(pollMs),
    cursors: new Cursors(tokens?.secret()),
    closedViews: new ClosedViews(),
    liveViews: new LiveViews(options.viewWaitMs ?? DEFAULT_VIEW_WAIT_MS),
    inspections: new QuickInspections(),
  } satisfies ApiDepsInput;
  const {
    app,
    sockets,
    deps: built,
  } = createApp({
    deps,
    log,
    temporal: {
      address: config.temporalAddress,
      namespace: config.namespace,
      uiPort: config.uiPort,
      connection: client.connection,
    },
    hosts,
    corsOrigins: config.api.corsOrigins,
    feed: { lingerMs: options.feedLingerMs },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.api.port, config.api.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  server.on('upgrade', (req, socket, head: Buffer) => sockets.upgrade(app, req, socket, head));
  port = (server.address() as AddressInfo).port;
  const host = config.api.host.includes(':') ? `[${config.api.host}]` : config.api.host;
  const url = `http://${host}:${port}`;
  log.info(
    {
      url,
      auth: tokens ? 'bearer tokens' : 'open (loopback only)',
      allowedHosts: hosts.open ? '*' : ['loopback', ...(config.api.allowedHosts ?? [])],
      streamsPerUser: deps.streamSlots.perUser,
      ...(config.api.corsOrigins?.length ? { corsOrigins: config.api.corsOrigins } : {}),
    },
    'api listening',
  );
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    server,
    feed: built.feed,
    close: () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const stream of [...streams]) {
            stream.send('shutdown', { reason: 'the API is shutting down; reconnect with Last-Event-ID' });
            stream.close();
          }
          sockets.close();
          server.closeIdleConnections();
        });
        // Calls a 503 left behind end by their deadline; the connection is closed only after.
        await built.feed.close();
        await deps.gate.settled();
      })()),
  };
}
