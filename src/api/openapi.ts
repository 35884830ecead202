/** The OpenAPI 3.1 document, written from the route declarations and their zod schemas. */
import { z } from 'zod';
import { unlazy } from '../domain/lazy';
import { errorBodySchema } from './errors';
import type { Route } from './route';
import { SIGN_IN_COOKIE } from './sign-in';

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input: malformed JSON, wrong types, unknown fields, bad ids',
  401: 'No bearer token or sign-in cookie, or one that is not valid (an ended or expired sign-in, a wrong token)',
  403: 'Not yours: you may see it but only its owner may control it, or not your workspace; or the request comes from a web page whose Origin is not an allowed host; or, signed in by cookie, the X-CSRF-Token header is missing or wrong (`csrf`)',
  404: 'No such thing, or not in one of your workspaces',
  409: 'Not allowed in its current status, or the id is taken',
  413: 'The body is too large',
  415: 'The body is in a Content-Encoding or charset the API does not read',
  426: 'A WebSocket route asked without Upgrade: websocket',
  421: 'The Host header names a host this API does not answer to (ORCHESTRA_API_ALLOWED_HOSTS)',
  429: 'You hold as many live streams as a user may, or your address made too many failed sign-ins; Retry-After says when to try again',
  503: 'The Temporal server is not reachable or did not answer in time, or no worker is there to answer a query; Retry-After says when to try again',
};

type JsonSchema = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(unlazy(schema), {
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    description: s.description,
    schema: s,
  }));
}

const openApiPath = (path: string) => path.replace(/:([A-Za-z]+)/g, '{$1}');

const RETRY_AFTER = {
  description: 'Seconds to wait before trying again',
  schema: { type: 'integer', minimum: 0 },
};

/** The statuses a route may answer with: its own, and those of the checks every request passes. */
function errorStatuses(r: Route): number[] {
  const statuses = new Set(r.errors);
  statuses.add(421); // the Host check (hosts.ts)
  if (r.method !== 'get') statuses.add(403); // the Origin check
  if (r.body) [400, 413, 415].forEach((s) => statuses.add(s)); // the body reader
  if (r.ok.stream) statuses.add(429); // the stream cap (stream-slots.ts)
  return [...statuses].sort((a, b) => a - b);
}

export function openApiDocument(routes: Route[], basePath: string, secured: boolean): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const operation: Record<string, unknown> = {
      operationId: `${r.method}${openApiPath(r.path)
        .replace(/[{}]/g, '')
        .replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      summary: r.summary,
      tags: [r.tag],
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      responses: {
        [r.ok.status]: {
          description: r.ok.description,
          content:
            r.ok.status === 101
              ? undefined // a WebSocket: what follows is frames, not a body
              : r.ok.stream
                ? { 'text/event-stream': { schema: { type: 'string' } } }
                : r.ok.schema
                  ? { 'application/json': { schema: jsonSchema(r.ok.schema, 'output') } }
                  : undefined,
        },
        ...Object.fromEntries(
          errorStatuses(r).map((status) => [
            status,
            {
              description: ERROR_TEXT[status] ?? 'Error',
              ...(status === 429 || status === 503 ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            },
          ]),
        ),
      },
    };
    if (r.body) {
      operation.requestBody = {
        // Control bodies may be left out; a spawn or start needs one.
        required: !r.body.safeParse(undefined).success,
        content: { 'application/json': { schema: jsonSchema(r.body, 'input') } },
      };
    }
    if (r.public || !secured) operation.security = [];
    paths[`${basePath}${openApiPath(r.path)}`] = {
      ...paths[`${basePath}${openApiPath(r.path)}`],
      [r.method]: operation,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Orchestra control API',
      version: '1',
      description:
        'Drive Orchestra agents, swarms and sessions. Errors are `{ error: { code, message, details? } }`. ' +
        'Temporal holds all state; this API keeps none of its own.',
    },
    servers: [{ url: '/' }],
    security: secured ? [{ bearer: [] }, { signIn: [] }] : [],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        signIn: {
          type: 'apiKey',
          in: 'cookie',
          name: SIGN_IN_COOKIE,
          description:
            'Set by POST /api/v1/login. Requests that change state must also send the X-CSRF-Token header ' +
            'that /login and /me answer with.',
        },
      },
      schemas: { Error: jsonSchema(errorBodySchema, 'output') },
    },
    paths,
  };
}
