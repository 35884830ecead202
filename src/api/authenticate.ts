/**
 * Who is asking. A bearer token (`Authorization: Bearer ...`), or a browser's sign-in cookie
 * (sign-in.ts); with no tokens configured (the open loopback mode), everyone is the open
 * user, an admin. A cookie is sent by the browser on its own, so a request it authenticates
 * that changes state must carry the sign-in's CSRF token too; a bearer header is never
 * ambient and needs none.
 */
import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors';
import { SAFE_METHODS } from './hosts';
import type { Principal } from './principal';
import { CSRF_HEADER, signInCookie, type SignIn, type SignIns } from './sign-in';
import type { TokenTable } from './tokens';

export interface AuthDeps {
  /** Undefined: the open loopback mode. */
  tokens?: TokenTable;
  /** Opens sign-in cookies; there are none in the open mode. */
  signIns?: SignIns;
  openUser: string;
  openWorkspace: string;
}

export interface Credentials {
  principal: Principal;
  via: 'open' | 'bearer' | 'cookie';
  /** With `via: 'cookie'`. */
  signIn?: SignIn;
}

const bearer = /^Bearer ([\x21-\x7e]{1,1024})$/;

/** The caller, by their bearer token or sign-in cookie; 401 when they have neither, or a bad one. No CSRF check. */
export function identify(deps: AuthDeps, req: Pick<IncomingMessage, 'headers'>): Credentials {
  if (!deps.tokens) {
    return { principal: { user: deps.openUser, workspaces: [deps.openWorkspace], admin: true }, via: 'open' };
  }
  const authorization = req.headers.authorization;
  const cookie = authorization === undefined ? signInCookie(req) : undefined;
  if (cookie !== undefined && deps.signIns) {
    const signIn = deps.signIns.open(cookie, deps.tokens);
    if (!signIn)
      throw new ApiError(401, 'unauthorized', 'the sign-in has ended or is not valid: sign in again');
    return { principal: signIn.principal, via: 'cookie', signIn };
  }
  const match = bearer.exec(authorization ?? '');
  const principal = match ? deps.tokens.authenticate(match[1]) : undefined;
  if (!principal) {
    throw new ApiError(
      401,
      'unauthorized',
      match ? 'the bearer token is not valid' : 'a bearer token (or a sign-in cookie) is required',
    );
  }
  return { principal, via: 'bearer' };
}

/** A request's caller: `identify`, and for a cookie on a request that changes state, its CSRF token (403 `csrf`). */
export function authenticate(deps: AuthDeps, req: Pick<IncomingMessage, 'headers' | 'method'>): Credentials {
  const credentials = identify(deps, req);
  if (credentials.signIn && !SAFE_METHODS.has(req.method ?? 'GET')) checkCsrf(deps, credentials.signIn, req);
  return credentials;
}

export function checkCsrf(deps: AuthDeps, signIn: SignIn, req: Pick<IncomingMessage, 'headers'>): void {
  const given = req.headers[CSRF_HEADER];
  if (!deps.signIns?.csrfMatches(signIn, typeof given === 'string' ? given : undefined)) {
    throw new ApiError(
      403,
      'csrf',
      given === undefined
        ? 'a request signed in by cookie that changes state needs the X-CSRF-Token header (from /login or /me)'
        : 'the X-CSRF-Token header does not match this sign-in',
    );
  }
}
