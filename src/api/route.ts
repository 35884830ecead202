/**
 * A route is declared once: method, path, zod schemas for its input, what it answers, and
 * its handler. The same declarations register the Express routes and write the OpenAPI
 * document, so the two cannot drift apart.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import { describeIssue, type AgentDefaults } from '../domain';
import { authenticate, type Credentials } from './authenticate';
import { ApiError } from './errors';
import type { LoginAttempts } from './login-attempts';
import type { Principal } from './principal';
import type { ClosedViews } from './closed-views';
import type { LiveViews } from './live-views';
import type { QuickInspections } from './quick-inspections';
import type { Cursors } from './cursor';
import type { FeedHub } from './feed-hub';
import type { SharedLooks } from './shared-looks';
import type { SseStream } from './sse';
import type { StreamSlots } from './stream-slots';
import type { TemporalGate } from './temporal-gate';
import type { Orchestra } from '../sdk/orchestra';
import type { SignIns } from './sign-in';
import type { TokenTable } from './tokens';

export interface ApiDeps {
  client: Client;
  /** The SDK the routes act through, over `client`, with the defaults below (src/sdk/orchestra.ts). */
  orchestra: Orchestra;
  /** Task queue and model for what the API starts; owner and workspace come from the caller. */
  defaults: Pick<AgentDefaults, 'taskQueue' | 'model' | 'file'>;
  /** Undefined: the open loopback mode, everyone is `openUser`, an admin. */
  tokens?: TokenTable;
  /** Browser sign-ins (cookies); undefined in the open mode. */
  signIns?: SignIns;
  /** Failed sign-ins per remote address (429 past the limit). */
  loginAttempts: LoginAttempts;
  /** Whether the sign-in cookie is `Secure`: `auto` when the request came over TLS. */
  cookieSecure: 'auto' | 'on' | 'off';
  openUser: string;
  /** Where things start when no tokens are configured and the request names no workspace. */
  openWorkspace: string;
  staleAfterMs: number;
  /** How often live streams look for news. */
  pollMs: number;
  /** Each request's Temporal calls give up after this (503), and so does each look of a live stream. */
  requestTimeoutMs: number;
  /** Runs Temporal calls within a budget, and answers 503 at once while Temporal is known down. */
  gate: TemporalGate;
  /** A status query waits this long for a worker to answer before the answer is pieced from the server. */
  queryTimeoutMs: number;
  /** Largest JSON body accepted (413 past it). */
  maxBodyBytes: number;
  /** Seals and opens page cursors. */
  cursors: Cursors;
  /** Live streams, ended on shutdown. */
  streams: Set<SseStream>;
  /** Live streams held by each user, capped. */
  streamSlots: StreamSlots;
  /** The feed every /events and /ws connection shares (feed-hub.ts). */
  feed: FeedHub;
  /** One look per poll at a followed workflow, shared by its streams. */
  looks: SharedLooks;
  /** Status views of finished runs, asked of a worker once. */
  closedViews: ClosedViews;
  /** The last views of running agents, for GETs their worker is slow to answer. */
  liveViews: LiveViews;
  /** Descriptions raced against the visibility store, for GETs a loaded server is slow to describe. */
  inspections: QuickInspections;
}

type Schema = z.ZodType;
type In<S> = S extends Schema ? z.output<S> : undefined;

export interface Route<P = Schema | undefined, Q = Schema | undefined, B = Schema | undefined> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express style: `/agents/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** Open to anyone: health and the OpenAPI document. */
  public?: boolean;
  /** False: not run under the request's Temporal budget (it needs no Temporal, or sets its own). */
  temporal?: false;
  params?: P;
  query?: Q;
  body?: B;
  /** The success answer. `stream` routes answer with Server-Sent Events. */
  ok: { status: number; description: string; schema?: Schema; stream?: boolean };
  /** The error statuses this route can answer with, for the document. */
  errors: number[];
  handle(input: {
    params: In<P>;
    query: In<Q>;
    body: In<B>;
    principal: Principal;
    /** How the caller was known; undefined on public routes. */
    credentials?: Credentials;
    req: Request;
    res: Response;
  }): Promise<unknown>;
}

/** Declare a route with its types inferred from its schemas. */
export function route<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
>(r: Route<P, Q, B>): Route {
  return r as unknown as Route;
}

function parse<S extends Schema | undefined>(schema: S, value: unknown, where: string): In<S> {
  if (!schema) return undefined as In<S>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ApiError(
      400,
      'invalid_request',
      `invalid ${where}: ${describeIssue(parsed.error)}`,
      parsed.error.issues.map((i) => ({ ...i, in: where })),
    );
  }
  return parsed.data as In<S>;
}

/** A JSON body, read into `req.body`. */
function readJson(reader: express.RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    reader(req, res, (err?: unknown) => {
      if (!err) return resolve();
      // The body reader's own failures carry a `type`; a bare 400 is a body that does not
      // inflate as its Content-Encoding says (garbage under gzip, deflate or br).
      const { type, status } = err as { type?: unknown; status?: unknown };
      if (type === undefined && status === 400) {
        const encoding = (req.get('content-encoding') ?? '').slice(0, 40);
        return reject(
          new ApiError(400, 'malformed_body', `the request body is not valid ${encoding || 'encoded'} data`),
        );
      }
      reject(err);
    }),
  );
}

export function register(router: Router, routes: Route[], deps: ApiDeps): void {
  const json = express.json({ limit: deps.maxBodyBytes, strict: true });
  for (const r of routes) {
    router[r.method](r.path, async (req, res, next) => {
      const credentials = r.public ? undefined : authenticate(deps, req);
      const principal = credentials?.principal;
      res.locals.user = principal?.user;
      // Read the body only once the caller is known: strangers do not get to make us parse megabytes.
      if (r.body) await readJson(json, req, res);
      const input = {
        params: parse(r.params, req.params, 'path'),
        query: parse(r.query, { ...req.query }, 'query'),
        body: parse(r.body, req.body ?? {}, 'body'),
        principal: principal!,
        credentials,
        req,
        res,
      };
      // A stream holds one of its user's slots until its response closes, however it ends.
      if (r.ok.stream) res.on('close', deps.streamSlots.take(principal?.user ?? deps.openUser));
      const run = () => r.handle(input);
      // One budget for all of a request's Temporal calls. A stream's runs until its headers are
      // out (the look that decides whether it may start); then each of its looks has its own.
      const answer =
        r.temporal === false
          ? await run()
          : await deps.gate.run(run, deps.requestTimeoutMs, r.ok.stream ? () => res.headersSent : undefined);
      if (!r.ok.stream && !res.headersSent) res.status(r.ok.status).json(answer);
      void next; // Express 5 passes a rejected promise to the error handler itself.
    });
  }
}
