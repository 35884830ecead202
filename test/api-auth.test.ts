/**
 * Browser sign-in: a token posted once buys an HttpOnly cookie and a CSRF token; the cookie
 * sees and controls exactly what the token does; it ends at logout, at expiry, and when its
 * token leaves the table. CORS for a dashboard elsewhere; neither token nor cookie in the logs.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { SignIns } from '../src/api/sign-in';
import { TokenTable } from '../src/api/tokens';
import { useHarness, waitForStatus } from './helpers/harness';
import { FeedClient } from './helpers/feed';
import { localApis, runningAgent, useApi, TOKENS_JSON, USERS, type User } from './helpers/api';
import { until } from './helpers/poll';
import { rawRequest } from './helpers/raw-http';
import { asBrowser, setCookie, signInAt, type Signed } from './helpers/sign-in';

const h = useHarness();
const api = useApi(h);
const start = localApis(h);
const json = { 'content-type': 'application/json' };

/** Signs in at this suite's API (helpers/sign-in.ts signs in anywhere). */
const signIn = (user: User | string) => signInAt(api.url, user);

const running = (user: User) => runningAgent(h, api, user);

/** What `feed`'s close says, once the server closes it (a rejection after 10 s: it stayed open). */
const closing = <T>(feed: FeedClient, what: (code: number, reason: string) => T): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the feed connection stayed open')), 10_000);
    feed.ws.once('close', (code, reason) => {
      clearTimeout(timer);
      resolve(what(code, reason.toString()));
    });
  });

describe('signing in', () => {
  test('a good token sets an HttpOnly, SameSite=Strict cookie on /api that holds neither the token nor its digest', async () => {
    const { answer, cookie, csrf } = await signIn('alice');
    expect(answer.body).toEqual({
      user: 'alice',
      workspaces: ['acme'],
      admin: false,
      via: 'cookie',
      csrfToken: csrf,
      expiresAt: expect.any(String),
    });
    expect(answer.headers['cache-control']).toBe('no-store');
    const [header] = setCookie(answer);
    const attributes = header.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api']));
    expect(attributes.some((a) => a.startsWith('max-age='))).toBe(true);
    expect(attributes).not.toContain('secure'); // plain HTTP, ORCHESTRA_API_COOKIE_SECURE=auto
    const decoded = Buffer.from(cookie.split('=')[1].split('.')[0], 'base64url').toString();
    expect(decoded).not.toContain(USERS.alice.token);
    expect(header).not.toContain(USERS.alice.token);

    const me = await asBrowser(api.url, { cookie }, 'GET', '/me');
    expect(me.body).toMatchObject({ user: 'alice', via: 'cookie', csrfToken: csrf });
    expect((await api.call('alice', 'GET', '/me')).body).toEqual({
      user: 'alice',
      workspaces: ['acme'],
      admin: false,
      via: 'bearer',
    });
  });

  test('a bad token is a 401 and sets no cookie', async () => {
    for (const body of [{ token: 'not-a-token-0123456789abcdef' }, { token: USERS.alice.token + 'x' }]) {
      const r = await rawRequest(`${api.url}/login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('unauthorized');
      expect(r.headers['set-cookie']).toBeUndefined();
    }
    const malformed = await rawRequest(`${api.url}/login`, { method: 'POST', headers: json, body: '{}' });
    expect(malformed.status).toBe(400);
  });

  test('repeated failed sign-ins from one address get 429 with Retry-After, even for a good token then', async () => {
    const limited = await start({ tokens: TOKENS_JSON }, { loginAttempts: { max: 3, windowMs: 60_000 } });
    const login = (token: string) =>
      rawRequest(`${limited.base}/login`, { method: 'POST', headers: json, body: JSON.stringify({ token }) });
    for (let i = 0; i < 3; i++) expect((await login(`wrong-guess-${i}-0123456789abcdefgh`)).status).toBe(401);
    const refused = await login(USERS.alice.token);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('too_many_sign_ins');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['set-cookie']).toBeUndefined();
    // Bearer requests are not sign-ins: they carry on.
    const bearer = await rawRequest(`${limited.base}/me`, {
      headers: { authorization: `Bearer ${USERS.alice.token}` },
    });
    expect(bearer.status).toBe(200);
  });

  test('without tokens (open loopback mode) /me is the open user, an admin, and there is nothing to sign in to', async () => {
    const open = await start();
    const me = await rawRequest(`${open.base}/me`);
    expect(me.body).toEqual({ user: 'local', workspaces: ['default'], admin: true, via: 'open' });
    const login = await rawRequest(`${open.base}/login`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ token: USERS.alice.token }),
    });
    expect(login.status).toBe(409);
    expect(login.headers['set-cookie']).toBeUndefined();
  });
});

describe('signed in by cookie', () => {
  test('each user sees exactly the agents of their own workspaces', async () => {
    const alices = await running('alice');
    const carols = await running('carol');
    const alice = await signIn('alice');
    const carol = await signIn('carol');
    const ids = async (s: Signed) =>
      ((await asBrowser(api.url, s, 'GET', '/agents?limit=200')).body.items as Array<{ id: string }>).map(
        (a) => a.id,
      );
    expect(
      await until(
        () => ids(alice),
        (l) => l.includes(alices),
        'alice lists hers',
        15_000,
      ),
    ).not.toContain(carols);
    expect(
      await until(
        () => ids(carol),
        (l) => l.includes(carols),
        'carol lists hers',
        15_000,
      ),
    ).not.toContain(alices);
    expect((await asBrowser(api.url, carol, 'GET', `/agents/${alices}`)).status).toBe(404);
    expect((await asBrowser(api.url, alice, 'GET', `/agents/${alices}`)).body.owner).toBe('alice');
    // Owners rule as with tokens: carol's cookie does not stop alice's agent, even with its CSRF token.
    expect(
      (await asBrowser(api.url, carol, 'DELETE', `/agents/${alices}`, { csrf: carol.csrf })).status,
    ).toBe(404);
    await api.call('alice', 'DELETE', `/agents/${alices}`);
    await api.call('carol', 'DELETE', `/agents/${carols}`);
  });

  test('a request that changes state needs the X-CSRF-Token; a bearer request does not', async () => {
    const id = await running('alice');
    const alice = await signIn('alice');
    const other = await signIn('alice'); // another sign-in of the same user: another CSRF token
    expect(other.csrf).not.toBe(alice.csrf);
    for (const csrf of [undefined, '', 'forged', other.csrf]) {
      const r = await asBrowser(api.url, alice, 'POST', `/agents/${id}/pause`, { body: {}, csrf });
      expect({ csrf, status: r.status, code: r.body.error?.code }).toEqual({
        csrf,
        status: 403,
        code: 'csrf',
      });
    }
    expect((await api.call('alice', 'GET', `/agents/${id}`)).body.status).toBe('running');
    const paused = await asBrowser(api.url, alice, 'POST', `/agents/${id}/pause`, {
      body: {},
      csrf: alice.csrf,
    });
    expect(paused.status).toBe(202);
    await waitForStatus(h.client, id, (v) => v.status === 'paused');
    expect((await api.call('alice', 'POST', `/agents/${id}/resume`)).status).toBe(202);
    // A cookie and a bearer header together: the bearer header decides, and needs no CSRF token.
    const both = await rawRequest(`${api.url}/agents/${id}`, {
      method: 'DELETE',
      headers: { cookie: alice.cookie, authorization: `Bearer ${USERS.alice.token}` },
    });
    expect(both.status).toBe(202);
  });

  test('logout clears the cookie, and a copy of it opens nothing afterwards', async () => {
    const alice = await signIn('alice');
    expect((await asBrowser(api.url, alice, 'POST', '/logout')).status).toBe(403); // no CSRF token
    expect((await asBrowser(api.url, alice, 'GET', '/me')).status).toBe(200);
    const out = await asBrowser(api.url, alice, 'POST', '/logout', { csrf: alice.csrf });
    expect(out.status).toBe(204);
    const cleared = setCookie(out)[0];
    expect(cleared).toMatch(/^orchestra_sign_in=;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    const after = await asBrowser(api.url, alice, 'GET', '/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
  });

  test('logout closes the feed connections its sign-in opened, WebSocket (4401) and SSE, each told why; a command after it is not run', async () => {
    const alice = await signIn('alice');
    const id = await running('alice');
    const ws = `${api.url.replace(/^http/, 'ws')}/ws`;
    const feed = await FeedClient.open(ws, undefined, { cookie: alice.cookie });
    const bearer = await FeedClient.open(ws, USERS.alice.token);
    await feed.until((f) => f.event === 'hello', 'hello');
    const closed = closing(feed, (code, reason) => [code, reason]);
    const sse = await fetch(`${api.url}/events`, { headers: { cookie: alice.cookie } });
    expect(sse.status).toBe(200);
    const reader = sse.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    /** The SSE stream read until `done` holds of its text, or the server ends it (true). */
    const readUntil = async (done: (t: string) => boolean): Promise<boolean> => {
      while (!done(text)) {
        const chunk = await reader.read();
        if (chunk.done) return true;
        text += decoder.decode(chunk.value, { stream: true });
      }
      return false;
    };
    await readUntil((t) => t.includes('event: hello'));

    expect((await asBrowser(api.url, alice, 'POST', '/logout', { csrf: alice.csrf })).status).toBe(204);
    // Sent at once: whichever the server meets first, this or its own close, it is not run.
    feed.ws.send(JSON.stringify({ type: 'pause_agent', requestId: 'late', agentId: id }));
    expect(await closed).toEqual([4401, 'signed out']);
    expect(feed.frames.at(-1)).toMatchObject({ event: 'signed_out', source: 'feed' });
    expect(feed.frames.some((f) => f.event === 'reply')).toBe(false);
    expect(await readUntil(() => false)).toBe(true); // the server ended the stream
    expect(text).toContain('event: signed_out');
    // The bearer connection of the same user is no sign-in's: it stays, and steers.
    expect(await bearer.command({ type: 'resume', after: 'x' })).toMatchObject({ ok: true });
    bearer.close();
    expect((await api.call('alice', 'GET', `/agents/${id}`)).body.status).toBe('running');
    await expect(FeedClient.open(ws, undefined, { cookie: alice.cookie })).rejects.toMatchObject({
      status: 401,
    });
    expect((await api.call('alice', 'DELETE', `/agents/${id}`)).status).toBe(202);
  });

  test('a feed connection a sign-in opened closes when the sign-in expires', async () => {
    const brief = await start({ tokens: TOKENS_JSON }, { signInTtlMs: 1500 });
    const alice = await signInAt(brief.base, 'alice');
    const feed = await FeedClient.open(`${brief.base.replace(/^http/, 'ws')}/ws`, undefined, {
      cookie: alice.cookie,
    });
    const closed = closing(feed, (code) => code);
    await feed.until((f) => f.event === 'hello', 'hello');
    expect(await closed).toBe(4401);
    expect(feed.frames.at(-1)).toMatchObject({ event: 'signed_out' });
  });

  test('a tampered, forged or expired cookie is a 401', async () => {
    const alice = await signIn('alice');
    const [name, value] = alice.cookie.split('=');
    const [body, mac] = value.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const asOps = Buffer.from(JSON.stringify({ ...payload, u: 'ops' })).toString('base64url');
    const later = Buffer.from(JSON.stringify({ ...payload, exp: payload.exp + 86_400 })).toString(
      'base64url',
    );
    for (const forged of [`${asOps}.${mac}`, `${later}.${mac}`, `${body}.${mac.slice(1)}x`, 'garbage', '']) {
      const r = await asBrowser(api.url, { cookie: `${name}=${forged}` }, 'GET', '/agents?limit=1');
      expect({ forged, status: r.status }).toEqual({ forged, status: 401 });
    }
    const brief = await start({ tokens: TOKENS_JSON }, { signInTtlMs: 1000 });
    const short = await signInAt(brief.base, 'alice');
    expect((await asBrowser(brief.base, short, 'GET', '/me')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await asBrowser(brief.base, short, 'GET', '/me')).status).toBe(401);
  });

  test('a sign-in ends when its token leaves the tokens file, at the restart that reads it', async () => {
    const file = path.join(await h.tempDir(), 'tokens.json');
    const table = (users: User[]) => JSON.stringify({ users: users.map((id) => ({ id, ...USERS[id] })) });
    await writeFile(file, table(['alice', 'bob']));
    const first = await start({ tokensFile: file });
    const alice = await signInAt(first.base, 'alice');
    await first.close();
    // The same table after a restart (or on another replica): the sign-in holds.
    const same = await start({ tokensFile: file });
    expect((await asBrowser(same.base, alice, 'GET', '/me')).status).toBe(200);
    await same.close();
    await writeFile(file, table(['bob']));
    const revoked = await start({ tokensFile: file });
    expect((await asBrowser(revoked.base, alice, 'GET', '/me')).status).toBe(401);
  });

  test("a sign-in names its token: a changed token or one now someone else's opens to nobody", () => {
    const secret = Buffer.alloc(32, 7);
    const signIns = new SignIns({ secret });
    const before = TokenTable.parse(TOKENS_JSON, 'test');
    const alice = signIns.issue(USERS.alice.token, before.authenticate(USERS.alice.token)!);
    const bob = signIns.issue(USERS.bob.token, before.authenticate(USERS.bob.token)!);
    expect(signIns.open(alice.cookie, before)?.principal.user).toBe('alice');
    const rotated = TokenTable.parse(
      JSON.stringify({
        users: [
          { id: 'alice', token: 'alice-new-token-0123456789abcdef', workspaces: ['acme'] },
          { id: 'bob', ...USERS.bob },
        ],
      }),
      'test',
    );
    expect(signIns.open(alice.cookie, rotated)).toBeUndefined();
    expect(signIns.open(bob.cookie, rotated)?.principal.user).toBe('bob');
    const swapped = TokenTable.parse(
      JSON.stringify({ users: [{ id: 'mallory', token: USERS.alice.token, workspaces: ['acme'] }] }),
      'test',
    );
    expect(signIns.open(alice.cookie, swapped)).toBeUndefined();
  });

  test('a WebSocket upgrade knows the caller as a route does, and refuses a foreign Origin', async () => {
    const alice = await signIn('alice');
    const host = `127.0.0.1:${api.server.port}`;
    const ws = `${api.url.replace(/^http/, 'ws')}/ws`;
    /** Who the feed says the caller is (its first frame), over a real upgrade with these headers. */
    const caller = async (headers: Record<string, string>) => {
      const feed = await FeedClient.open(ws, undefined, headers);
      try {
        return (await feed.until((f) => f.event === 'hello', 'hello')).data;
      } finally {
        feed.close();
      }
    };
    expect(await caller({ cookie: alice.cookie })).toMatchObject({ user: 'alice', workspaces: ['acme'] });
    expect((await caller({ cookie: alice.cookie, origin: `http://${host}` })).user).toBe('alice');
    expect((await caller({ authorization: `Bearer ${USERS.carol.token}` })).user).toBe('carol');
    await expect(caller({ cookie: alice.cookie, origin: 'https://evil.example' })).rejects.toMatchObject({
      status: 403,
    });
    await expect(caller({ host: 'evil.example', cookie: alice.cookie })).rejects.toMatchObject({
      status: 421,
    });
    await expect(caller({})).rejects.toMatchObject({ status: 401 });
  });
});
