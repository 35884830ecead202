/**
 * A route is declared once: method, path, zod schemas for its input, what it answers, and
 * its handler. The same declarations register the Express routes and write the OpenAPI
 * document, so the two cannot drift apart.
 */
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Client } from '@temporalio/client';
import type { AgentDefaults } from '../domain';
import { ApiError } from './errors';
import type { Principal } from './principal';
import type { ClosedViews } from './closed-views';
import type { LiveViews } from './live-views';
import type { QuickInspections } from './quick-inspections';
import type { Cursors } from './cursor';
import type { SseStream } from './sse';
import type { TokenTable } from './tokens';

export interface ApiDeps {
  client: Client;
  /** Task queue and model for what the API starts; owner and workspace come from the caller. */
  defaults: Pick<AgentDefaults, 'taskQueue' | 'model' | 'file'>;
  /** Undefined: the open loopback mode, everyone is `openUser`, an admin. */
  tokens?: TokenTable;
  openUser: string;
  /** Where things start when no tokens are configured and the request names no workspace. */
  openWorkspace: string;
  staleAfterMs: number;
  /** How often live streams look for news. */
  pollMs: number;
  /** Each request's Temporal calls give up after this (503). */
  requestTimeoutMs: number;
  /** A status query waits this long for a worker to answer before the answer is pieced from the server. */
  queryTimeoutMs: number;
  /** Largest JSON body accepted (413 past it). */
  maxBodyBytes: number;
  /** Seals and opens page cursors. */
  cursors: Cursors;
  /** Live streams, ended on shutdown. */
  streams: Set<SseStream>;
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
  method: 'get' | 'post' | 'delete';
  /** Express style: `/agents/:id`. */
  path: string;
  summary: string;
  tag: string;
  /** Open to anyone: health and the OpenAPI document. */
  public?: boolean;
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

const bearer = /^Bearer ([\x21-\x7e]{1,1024})$/;

function authenticate(deps: ApiDeps, req: Request): Principal {
  if (!deps.tokens) return { user: deps.openUser, workspaces: [deps.openWorkspace], admin: true };
  const match = bearer.exec(req.get('authorization') ?? '');
  const principal = match ? deps.tokens.authenticate(match[1]) : undefined;
  if (!principal) {
    throw new ApiError(
      401,
      'unauthorized',
      match ? 'the bearer token is not valid' : 'a bearer token is required',
    );
  }
  return principal;
}

function parse<S extends Schema | undefined>(schema: S, value: unknown, where: string): In<S> {
  if (!schema) return undefined as In<S>;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ApiError(
      400,
      'invalid_request',
      `invalid ${where}: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
      parsed.error.issues.map((i) => ({ ...i, in: where })),
    );
  }
  return parsed.data as In<S>;
}

export function register(router: Router, routes: Route[], deps: ApiDeps): void {
  const json = express.json({ limit: deps.maxBodyBytes, strict: true });
  for (const r of routes) {
    router[r.method](r.path, async (req, res, next) => {
      const principal = r.public ? undefined : authenticate(deps, req);
      res.locals.user = principal?.user;
      // Read the body only once the caller is known: strangers do not get to make us parse megabytes.
      if (r.body)
        await new Promise<void>((resolve, reject) =>
          json(req, res, (err?: unknown) => (err ? reject(err) : resolve())),
        );
      const input = {
        params: parse(r.params, req.params, 'path'),
        query: parse(r.query, { ...req.query }, 'query'),
        body: parse(r.body, req.body ?? {}, 'body'),
        principal: principal!,
        req,
        res,
      };
      const run = () => r.handle(input);
      // A stream sets its own deadlines, one per look; a request gets one for all its calls.
      const answer = r.ok.stream
        ? await run()
        : await deps.client.withDeadline(Date.now() + deps.requestTimeoutMs, run);
      if (!r.ok.stream && !res.headersSent) res.status(r.ok.status).json(answer);
      void next; // Express 5 passes a rejected promise to the error handler itself.
    });
  }
}
