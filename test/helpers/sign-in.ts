/** Browser sign-in as a test drives it: POST /login for the cookie and CSRF token, then requests as the browser sends them. */
import { USERS, type User } from './api';
import { rawRequest, type RawAnswer } from './raw-http';

const json = { 'content-type': 'application/json' };

export interface Signed {
  answer: RawAnswer;
  /** `orchestra_sign_in=<value>`, as a browser sends it back. */
  cookie: string;
  csrf: string;
}

export const setCookie = (r: RawAnswer): string[] => r.headers['set-cookie'] ?? [];

export async function signInAt(base: string, user: User | string): Promise<Signed> {
  const token = user in USERS ? USERS[user as User].token : user;
  const answer = await rawRequest(`${base}/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ token }),
  });
  expect(answer.status).toBe(200);
  return { answer, cookie: setCookie(answer)[0].split(';')[0], csrf: answer.body.csrfToken };
}

/** A request as the browser sends it when signed in: the cookie, and the CSRF token when given. */
export function asBrowser(
  base: string,
  s: Pick<Signed, 'cookie'>,
  method: string,
  p: string,
  { body, csrf, origin }: { body?: unknown; csrf?: string; origin?: string } = {},
): Promise<RawAnswer> {
  return rawRequest(`${base}${p}`, {
    method,
    headers: {
      cookie: s.cookie,
      ...(body === undefined ? {} : json),
      ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }),
      ...(origin === undefined ? {} : { origin }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
