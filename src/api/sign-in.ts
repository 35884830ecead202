/**
 * Browser sign-in. A browser cannot send the bearer header on its own (EventSource cannot at
 * all), and a token must never ride in a URL. So a page posts the token once (POST /login) and
 * gets a cookie holding a signed, expiring sign-in, never the token itself:
 *
 *   orchestra_sign_in = base64url(JSON { v: 1, u: user, exp: unix seconds, t: token tag, sid }) "." mac
 *
 * `mac` is an HMAC-SHA256 of the payload under the server's key: derived from the token
 * table's secret, so every replica with the same tokens accepts the others' cookies (and a
 * changed table ends every sign-in), or random per process. `t` is an HMAC of the token's
 * digest, so the cookie names which token made it without carrying it: a sign-in whose token
 * is gone from the table, or now belongs to someone else, opens to nobody.
 *
 * A cookie is an ambient credential (the browser attaches it to any request to the API), so a
 * request it authenticates that changes state must also carry `X-CSRF-Token`: an HMAC of the
 * sign-in id, which only a page that may read the API's answers (/login, /me) can know.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { Principal } from './principal';
import type { TokenTable } from './tokens';

export const SIGN_IN_COOKIE = 'orchestra_sign_in';
export const CSRF_HEADER = 'x-csrf-token';

/** How long a sign-in lasts: a working day. */
export const DEFAULT_SIGN_IN_TTL_MS = 12 * 60 * 60 * 1000;

const payloadSchema = z
  .object({
    v: z.literal(1),
    u: z.string(),
    exp: z.number().int(),
    t: z.string(),
    sid: z.string(),
  })
  .strict();
type Payload = z.output<typeof payloadSchema>;

/** An open sign-in: who, and the CSRF token its state-changing requests must carry. */
export interface SignIn {
  principal: Principal;
  csrfToken: string;
  /** Unix ms. */
  expiresAt: number;
  sid: string;
}

export interface SignInsOptions {
  /** Signs cookies and derives CSRF tokens; random per process when left out. */
  secret?: Buffer;
  /** @default 12 hours */
  ttlMs?: number;
  now?: () => number;
}

/** setTimeout's longest wait; a later expiry is waited for in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const sameBytes = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export class SignIns {
  private readonly key: Buffer;
  readonly ttlMs: number;
  private readonly now: () => number;
  /** Sign-ins ended by logout before their expiry (this process only): sid → expiry. */
  private readonly ended = new Map<string, number>();
  /** What to do when a sign-in ends, by sid: its open feed connections close (watch). */
  private readonly watchers = new Map<string, Set<() => void>>();
  /** The token tags of the table last asked about, computed once per table. */
  private tagged?: { table: TokenTable; byTag: Map<string, Principal> };

  constructor(options: SignInsOptions = {}) {
    this.key = createHmac('sha256', options.secret ?? randomBytes(32))
      .update('orchestra-sign-in')
      .digest();
    this.ttlMs = options.ttlMs ?? DEFAULT_SIGN_IN_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /** A new sign-in for the holder of `token` (already authenticated as `principal`): the cookie value and its CSRF token. */
  issue(token: string, principal: Principal): { cookie: string; signIn: SignIn } {
    const expiresAt = this.now() + this.ttlMs;
    const payload: Payload = {
      v: 1,
      u: principal.user,
      exp: Math.floor(expiresAt / 1000),
      t: this.tag(createHash('sha256').update(token, 'utf8').digest()),
      sid: b64(randomBytes(16)),
    };
    const body = b64(JSON.stringify(payload));
    return {
      cookie: `${body}.${this.mac('cookie', body)}`,
      signIn: {
        principal,
        csrfToken: this.csrf(payload.sid),
        expiresAt: payload.exp * 1000,
        sid: payload.sid,
      },
    };
  }

  /** The sign-in a cookie value holds, if it is ours, unexpired, not ended, and its token still names its user. */
  open(cookie: string, tokens: TokenTable): SignIn | undefined {
    const dot = cookie.indexOf('.');
    if (dot <= 0 || cookie.length > 1024) return undefined;
    const body = cookie.slice(0, dot);
    if (!sameBytes(cookie.slice(dot + 1), this.mac('cookie', body))) return undefined;
    let payload: Payload;
    try {
      const parsed = payloadSchema.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
      if (!parsed.success) return undefined;
      payload = parsed.data;
    } catch {
      return undefined;
    }
    const expiresAt = payload.exp * 1000;
    if (expiresAt <= this.now() || this.ended.has(payload.sid)) return undefined;
    const principal = this.principalsByTag(tokens).get(payload.t);
    if (!principal || principal.user !== payload.u) return undefined;
    return { principal, csrfToken: this.csrf(payload.sid), expiresAt, sid: payload.sid };
  }

  /** Whether `given` is the CSRF token of `signIn`, compared in constant time. */
  csrfMatches(signIn: SignIn, given: string | undefined): boolean {
    return given !== undefined && sameBytes(given, signIn.csrfToken);
  }

  /** Logout: the sign-in opens no more in this process, even with a copy of the cookie, and what watches it is told. */
  end(signIn: SignIn): void {
    const now = this.now();
    for (const [sid, expiresAt] of this.ended) if (expiresAt <= now) this.ended.delete(sid);
    this.ended.set(signIn.sid, signIn.expiresAt);
    const fns = this.watchers.get(signIn.sid);
    this.watchers.delete(signIn.sid);
    for (const fn of [...(fns ?? [])]) fn();
  }

  /** Whether `signIn` still holds: unexpired, and not ended by logout in this process. */
  live(signIn: SignIn): boolean {
    return signIn.expiresAt > this.now() && !this.ended.has(signIn.sid);
  }

  /**
   * Call `onEnd` once when `signIn` ends, by logout or expiry: a connection it opened lives on
   * after its upgrade, and must not outlast it. The function returned stops watching.
   */
  watch(signIn: SignIn, onEnd: () => void): () => void {
    let timer: NodeJS.Timeout | undefined;
    const fns = this.watchers.get(signIn.sid) ?? new Set();
    this.watchers.set(signIn.sid, fns);
    const fire = () => {
      unwatch();
      onEnd();
    };
    const unwatch = () => {
      clearTimeout(timer);
      fns.delete(fire);
      if (fns.size === 0 && this.watchers.get(signIn.sid) === fns) this.watchers.delete(signIn.sid);
    };
    const arm = () => {
      timer = setTimeout(
        () => (this.live(signIn) ? arm() : fire()),
        Math.min(Math.max(0, signIn.expiresAt - this.now()), MAX_TIMER_MS),
      );
      timer.unref();
    };
    fns.add(fire);
    // Ended before it was watched (a logout between sign-in and here): now, not at its expiry.
    if (this.live(signIn)) arm();
    else queueMicrotask(fire);
    return unwatch;
  }

  private principalsByTag(tokens: TokenTable): Map<string, Principal> {
    if (this.tagged?.table !== tokens) {
      this.tagged = { table: tokens, byTag: tokens.tagged((digest) => this.tag(digest)) };
    }
    return this.tagged.byTag;
  }

  private tag(digest: Buffer): string {
    return this.mac('token', digest.toString('hex'));
  }

  private csrf(sid: string): string {
    return this.mac('csrf', sid);
  }

  private mac(purpose: string, text: string): string {
    return createHmac('sha256', this.key).update(`${purpose}\n${text}`).digest('base64url');
  }
}

/** The sign-in cookie's value in a request, if it sent one. */
export function signInCookie(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SIGN_IN_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}
