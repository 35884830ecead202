/**
 * `orchestra codec-server`: the Temporal Web UI sends the sealed payloads it shows to
 * POST /decode (and what a person types to POST /encode) and displays what comes back, so
 * encrypted histories stay readable to those holding an API token, and to nobody else.
 *
 * The protocol is the Web UI's: `{ "payloads": [{ "metadata": { k: base64 }, "data": base64 }] }`
 * in both directions, CORS from the Web UI's origin, and the user's token as a bearer header
 * (the Web UI's "pass access token" setting) when tokens are configured. Without tokens it only
 * listens on loopback, as the control API does.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { z } from 'zod';
import { AllowedHosts } from '../api/hosts';
import type { TokenTable } from '../api/tokens';

const base64 = z
  .string()
  .max(8 * 1024 * 1024)
  .regex(/^[A-Za-z0-9+/]*=*$/, 'base64');

const bodySchema = z
  .object({
    payloads: z
      .array(
        z.object({ metadata: z.record(z.string().max(256), base64).optional(), data: base64.optional() }),
      )
      .max(10_000),
  })
  .strict();

type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [k, new Uint8Array(Buffer.from(v, 'base64'))]),
    ),
    data: new Uint8Array(Buffer.from(p.data ?? '', 'base64')),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(
      Object.entries(p.metadata ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v ?? new Uint8Array()).toString('base64'),
      ]),
    ),
    data: Buffer.from(p.data ?? new Uint8Array()).toString('base64'),
  };
}

export interface CodecServerOptions {
  codec: PayloadCodec;
  /** Who may use it; without tokens, loopback only. */
  tokens?: TokenTable;
  /** Origins allowed to call it from a browser (the Web UI's). */
  origins: string[];
  host: string;
  port: number;
}

export interface CodecServer {
  url: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

function error(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export function codecApp(
  options: Omit<CodecServerOptions, 'host' | 'port'> & { hosts?: AllowedHosts },
): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // DNS rebinding: a page whose name resolves to 127.0.0.1 must not reach it (the API's check).
  if (options.hosts) app.use(options.hosts.middleware());
  app.use((req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (origin && options.origins.includes(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Access-Control-Allow-Credentials', 'true');
      res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Namespace');
      res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
      res.setHeader('Vary', 'Origin');
    }
    if (req.method === 'OPTIONS')
      return void res.status(origin && options.origins.includes(origin) ? 204 : 403).end();
    next();
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (!options.tokens) return next();
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!match || !options.tokens.authenticate(match[1]))
      return error(res, 401, 'unauthorized', 'a valid bearer token is required');
    next();
  });
  app.use(express.json({ limit: '16mb' }));
  for (const action of ['encode', 'decode'] as const) {
    app.post(`/${action}`, (req: Request, res: Response) => {
      const parsed = bodySchema.safeParse(req.body);
      if (!parsed.success) return error(res, 400, 'bad_request', z.prettifyError(parsed.error));
      options.codec[action](parsed.data.payloads.map(fromJson)).then(
        (out) => res.json({ payloads: out.map(toJson) }),
        (err: Error) => error(res, 422, 'cannot_' + action, err.message),
      );
    });
  }
  app.use((req: Request, res: Response) =>
    error(res, 404, 'not_found', `no route ${req.method} ${req.path}`),
  );
  // Malformed JSON and oversized bodies are the client's fault.
  app.use(
    (
      err: { status?: number; code?: string; message?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
      const code = status === 500 ? 'internal' : typeof err.code === 'string' ? err.code : 'bad_request';
      error(res, status, code, err.message ?? 'error');
    },
  );
  return app;
}

export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  if (!options.tokens && !LOOPBACK.has(options.host))
    throw new Error(
      `refusing to serve decoded payloads on ${options.host} without tokens: set ORCHESTRA_API_TOKENS_FILE, or listen on 127.0.0.1`,
    );
  let port = options.port;
  // The Web UI's origins are allowed hosts too, so its requests pass the Origin check.
  const hosts = new AllowedHosts({
    bindHost: options.host,
    port: () => port,
    extra: options.origins.map((origin) => new URL(origin).host),
  });
  const app = codecApp({ ...options, hosts });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(options.port, options.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  port = (server.address() as AddressInfo).port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
