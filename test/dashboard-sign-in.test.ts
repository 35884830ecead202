/**
 * The dashboard with tokens configured, in a real browser: people sign in with their token
 * (POST /api/v1/login sets an HttpOnly cookie), each sees only their workspaces' agents, the
 * page sends the CSRF token with every change, the token stays out of URLs and storage, and
 * signing out ends it. Against the real API, worker and dev server (dashboard.test.ts has the rest).
 */
import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { useApi, USERS } from './helpers/api';
import { ARTIFACTS, launchBrowser, requireBrowser, watch } from './helpers/browser';
import { useHarness } from './helpers/harness';

requireBrowser();

let browser: Browser;
/** What the pages threw: nothing, at the end. */
const errors: string[] = [];
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(() => browser?.close());
afterEach(() => expect(errors).toEqual([]));
const h = useHarness();

describe('with tokens: people sign in', () => {
  const contexts: BrowserContext[] = [];
  // Before the API's own: the pages' streams close first, so the API's close does not wait on them.
  afterAll(() => Promise.all(contexts.map((c) => c.close())));
  const signed = useApi(h); // alice and bob in acme, carol in beta (test/helpers/api.ts)

  /** A fresh browser (its own cookies and storage), with every request URL it makes. */
  async function person() {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const urls: string[] = [];
    const csrf: Array<string | undefined> = [];
    context.on('request', (r) => {
      urls.push(r.url());
      if (r.method() !== 'GET') csrf.push(r.headers()['x-csrf-token']);
    });
    const p = watch(await context.newPage(), errors);
    p.on('websocket', (ws) => urls.push(ws.url()));
    return { context, page: p, urls, csrf };
  }
  async function signIn(p: Page, user: 'alice' | 'carol') {
    await p.goto(`${signed.server.url}/`);
    await p.getByLabel('API token').fill(USERS[user].token);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.getByTestId('feed').filter({ hasText: 'websocket' }).waitFor();
  }
  /** The rows the page lists under `name` (its search box), once the list has settled. */
  async function named(p: Page, name: string) {
    await p.getByLabel('search').fill(name);
    await p.waitForTimeout(300);
    const rows = await p.locator('.rows .row .c-name').allTextContents();
    await p.getByLabel('search').fill('');
    return rows;
  }

  test('alice and carol each see their own agents; the token stays out of URLs and storage; sign out', async () => {
    const task = h.script([{ text: 'ok' }], { task: 'A small job' });
    const cwd = await h.tempDir();
    for (const [user, name] of [
      ['alice', 'alices-agent'],
      ['carol', 'carols-agent'],
    ] as const)
      expect((await signed.call(user, 'POST', '/agents', { task, cwd, name })).status).toBe(201);

    const alice = await person();
    await alice.page.goto(`${signed.server.url}/`);
    await alice.page.getByRole('button', { name: 'Sign in' }).waitFor();
    await alice.page.screenshot({ path: path.join(ARTIFACTS, 'login.png') });
    await signIn(alice.page, 'alice');
    await alice.page.locator('.rows .row', { hasText: 'alices-agent' }).waitFor();
    await expect(alice.page.locator('header .user').textContent()).resolves.toBe('alice');

    const carol = await person();
    await signIn(carol.page, 'carol');
    await carol.page.locator('.rows .row', { hasText: 'carols-agent' }).waitFor();
    // Each sees their own and not the other's (other suites' agents share the server: by name).
    expect(await named(alice.page, 'alices-agent')).toEqual(['alices-agent']);
    expect(await named(alice.page, 'carols-agent')).toEqual([]);
    expect(await named(carol.page, 'carols-agent')).toEqual(['carols-agent']);
    expect(await named(carol.page, 'alices-agent')).toEqual([]);
    await carol.page.screenshot({ path: path.join(ARTIFACTS, 'signed-in-carol.png') });

    // A change from the page by REST: the sign-in cookie, and the CSRF token in its header.
    await alice.page.getByRole('button', { name: 'zones' }).click();
    const created = alice.page.waitForResponse(
      (r) => r.url().endsWith('/api/v1/zones') && r.request().method() === 'POST',
    );
    await alice.page.getByPlaceholder('Name').fill('alices-zone');
    await alice.page.getByRole('button', { name: 'Create' }).click();
    const answer = await created;
    expect(answer.status()).toBe(201);
    expect(answer.request().headers()['x-csrf-token']).toMatch(/.{16,}/);
    expect(
      (await signed.call('alice', 'GET', '/zones')).body.items.map((z: { name: string }) => z.name),
    ).toContain('alices-zone');
    expect((await signed.call('carol', 'GET', '/zones')).body.items).toEqual([]);
    // Every request that changed state carried it.
    expect(alice.csrf.length).toBeGreaterThan(1); // the login (none needed) and the zone
    expect(alice.csrf.slice(1).every((t) => typeof t === 'string' && t.length > 0)).toBe(true);

    // The token: in no URL, in no storage, not in the cookie the scripts cannot read anyway.
    for (const [who, seen] of [
      ['alice', alice],
      ['carol', carol],
    ] as const) {
      const token = USERS[who].token;
      expect(seen.urls.filter((u) => u.includes(token))).toEqual([]);
      expect(seen.page.url()).not.toContain(token);
      const stored = await seen.page.evaluate(() => {
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- run in the page
        const { localStorage, sessionStorage, document } = globalThis as any;
        return JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie;
      });
      expect(stored).not.toContain(token);
      const cookies = await seen.context.cookies();
      expect(cookies.find((c) => c.name === 'orchestra_sign_in')).toMatchObject({ httpOnly: true });
      expect(JSON.stringify(cookies)).not.toContain(token);
    }

    // Signing out: the form again, and the cookie opens nothing any more.
    await alice.page.getByRole('button', { name: 'Sign out' }).click();
    await alice.page.getByRole('button', { name: 'Sign in' }).waitFor();
    const me = await alice.page.evaluate(() => fetch('/api/v1/me').then((r) => r.status));
    expect(me).toBe(401);
    await expect(alice.page.locator('.rows .row').count()).resolves.toBe(0);
  });
});
