/**
 * /api/v1/login, /logout, /me: browser sign-in (sign-in.ts). The token travels once, in a
 * POST body, never in a URL; the browser then holds only an HttpOnly cookie, and the page the
 * CSRF token it must echo on requests that change state.
 */
import type { TLSSocket } from 'node:tls';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { checkCsrf } from '../authenticate';
import { ApiError } from '../errors';
import { route, type ApiDeps, type Route } from '../route';
import { SIGN_IN_COOKIE, signInCookie } from '../sign-in';

const loginBody = z
  .object({
    token: z.string().min(1).max(1024).describe('Your bearer token; it is not kept, nor put in the cookie'),
  })
  .strict();

const meResponse = z
  .object({
    user: z.string(),
    workspaces: z.array(z.string()).describe('Your workspaces; the first is where things start by default'),
    admin: z.boolean(),
    via: z
      .enum(['open', 'bearer', 'cookie'])
      .describe(
        'How you were known: the open loopback mode (no tokens), a bearer token, or the sign-in cookie',
      ),
    csrfToken: z
      .string()
      .optional()
      .describe('Signed in by cookie: send it as X-CSRF-Token on every request that changes state'),
    expiresAt: z.string().optional().describe('Signed in by cookie: when the sign-in ends (ISO 8601)'),
  })
  .strict();

/** Where the cookie is sent: the API, and nothing else the host may serve. */
const COOKIE_PATH = '/api';

function cookieOptions(deps: ApiDeps, req: Request) {
  const overTls = (req.socket as Partial<TLSSocket>).encrypted === true;
  return {
    httpOnly: true,
    sameSite: 'strict' as const,
    path: COOKIE_PATH,
    secure: deps.cookieSecure === 'on' || (deps.cookieSecure === 'auto' && overTls),
  };
}

/** Answers that hold a CSRF token are for the page that asked, and no cache. */
const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

export function signInRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      method: 'post',
      path: '/login',
      tag: 'sign-in',
      public: true,
      temporal: false,
      summary:
        'Sign a browser in: trade a bearer token for an HttpOnly, SameSite=Strict cookie and a CSRF token',
      body: loginBody,
      ok: { status: 200, description: 'Signed in; the cookie is set', schema: meResponse },
      errors: [401, 409, 429],
      async handle({ body, req, res }) {
        if (!deps.tokens || !deps.signIns) {
          throw new ApiError(
            409,
            'no_tokens',
            `this API has no tokens (the open loopback mode): everyone here is ${deps.openUser}; no sign-in is needed`,
          );
        }
        const address = req.socket.remoteAddress ?? 'unknown';
        const wait = deps.loginAttempts.retryAfter(address);
        if (wait > 0) {
          throw new ApiError(
            429,
            'too_many_sign_ins',
            'too many failed sign-ins from your address',
            undefined,
            wait,
          );
        }
        const principal = deps.tokens.authenticate(body.token);
        if (!principal) {
          deps.loginAttempts.failed(address);
          throw new ApiError(401, 'unauthorized', 'the token is not valid');
        }
        const { cookie, signIn } = deps.signIns.issue(body.token, principal);
        res.cookie(SIGN_IN_COOKIE, cookie, { ...cookieOptions(deps, req), maxAge: deps.signIns.ttlMs });
        noStore(res);
        return {
          user: principal.user,
          workspaces: principal.workspaces,
          admin: principal.admin,
          via: 'cookie',
          csrfToken: signIn.csrfToken,
          expiresAt: new Date(signIn.expiresAt).toISOString(),
        };
      },
    }),
    route({
      method: 'post',
      path: '/logout',
      tag: 'sign-in',
      public: true,
      temporal: false,
      summary: 'End the browser sign-in: the cookie is cleared, and opens nothing here any more',
      ok: { status: 204, description: 'Signed out (also when there was no sign-in)' },
      errors: [],
      async handle({ req, res }) {
        const cookie = signInCookie(req);
        const signIn = cookie && deps.tokens ? deps.signIns?.open(cookie, deps.tokens) : undefined;
        if (signIn) {
          // Signing someone out changes state too: a page that cannot read our answers may not.
          checkCsrf(deps, signIn, req);
          deps.signIns!.end(signIn);
        }
        res.clearCookie(SIGN_IN_COOKIE, cookieOptions(deps, req));
        return undefined;
      },
    }),
    route({
      method: 'get',
      path: '/me',
      tag: 'sign-in',
      temporal: false,
      summary: 'Who you are: by bearer token, sign-in cookie, or the open loopback mode',
      ok: { status: 200, description: 'You', schema: meResponse },
      errors: [401],
      async handle({ credentials, res }) {
        const { principal, via, signIn } = credentials!;
        noStore(res);
        return {
          user: principal.user,
          workspaces: principal.workspaces,
          admin: principal.admin,
          via,
          ...(signIn
            ? { csrfToken: signIn.csrfToken, expiresAt: new Date(signIn.expiresAt).toISOString() }
            : {}),
        };
      },
    }),
  ];
}
