/**
 * The agent list at scale, in a real browser against the real API, worker and dev server: 200
 * agents, only the rows in sight drawn; sorted by name, and by tokens (a number only each
 * agent's own view holds: the rows not read yet are read, a few at a time, and placed last
 * meanwhile); filtered by status, `stale` among them. How smooth it stays is the bench's part
 * "list"; dashboard.test.ts has one agent's life. Screenshots go to test-artifacts/dashboard/.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { soloTokens, useApi, USERS } from './helpers/api';
import { ARTIFACTS, launchBrowser, requireBrowser, signIn, watchedPage } from './helpers/browser';
import { rowIds as rowIdsOf } from './helpers/dashboard-page';
import { FeedClient } from './helpers/feed';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

requireBrowser();

let browser: Browser;
let page: Page;
/** What the page threw: nothing, at the end. */
const errors: string[] = [];
// Before the API's own: the browser's streams close first, so the API's close does not wait on them.
afterAll(() => browser?.close());
afterEach(() => expect(errors).toEqual([]));
const h = useHarness();
// Signed in as a user alone in a workspace: the list holds this suite's agents only.
const api = useApi(h, { tokens: soloTokens('dashboard-list') });

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchBrowser();
  // Not tall: fewer rows in sight, fewer views read (each a query of a worker, slow under load).
  page = await watchedPage(browser, errors, { width: 1280, height: 640 });
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });

/* eslint-disable @typescript-eslint/no-explicit-any -- code run in the page: the tests compile without the DOM's types */
/** Run in the page: how many agents the list says it holds. */
const listed = () =>
  Number(
    (globalThis as any).document.querySelector('[data-testid=agent-count]')?.textContent?.split(' of ')[1] ??
      0,
  );
/* eslint-enable @typescript-eslint/no-explicit-any */

const rowIds = () => rowIdsOf(page);

/** A figure of the tokens column as the page writes it (12, 4.5k, 1.2M), or -1 for none yet (—). */
function tokensShown(text: string): number {
  const m = /^([\d.]+)([kM]?)$/.exec(text.trim());
  if (!m) return -1;
  return Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'M' ? 1e6 : 1);
}

/** The tokens column of the rows drawn, when it is in order (most first, none yet last); else undefined. */
async function tokensInOrder(): Promise<number[] | undefined> {
  const shown = (await page.locator('.rows .row .c-tokens').allTextContents()).map(tokensShown);
  return shown.every((n, i) => i === 0 || n <= shown[i - 1]) ? shown : undefined;
}

test('200 agents: only the rows in sight drawn, sorted by name and by tokens (rows not read yet read and placed last), filtered by status', async () => {
  // The feed runs before the page opens (another tab, another person): the page opened after
  // learns of these agents from the list alone. (The first listener of an idle feed is told each
  // recent agent's story, tokens included: the page would know every row's tokens.)
  const listener = await FeedClient.open(`${api.url.replace(/^http/, 'ws')}/ws`, USERS.solo.token);
  try {
    await listOf200(listener);
  } finally {
    listener.close();
  }
});

async function listOf200(listener: FeedClient): Promise<void> {
  const cwd = await h.tempDir();
  const start = async (task: string, name: string) => {
    const r = await api.call('solo', 'POST', '/agents', { task, cwd, name });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  // One fails at once, one is cancelled while it waits on its model: for the status filter.
  const [failed, cancelled] = await Promise.all([
    start(
      h.script([{ errors: [{ status: 400, message: 'malformed on purpose' }] }], { task: 'Fail' }),
      'failing',
    ),
    start(h.script([{ text: 'never said', gate: `never-${randomUUID()}` }], { task: 'Wait' }), 'cancelled'),
  ]);
  const cancelling = api.call('solo', 'DELETE', `/agents/${cancelled}`); // while the others start
  const small = h.script([{ text: 'ok' }], { repeatLast: true, task: 'A small job' });
  // One of the last started writes a long report: it spends the most tokens of all, and its row is
  // in sight (read) when the page opens on the newest.
  const report = h.script([{ text: 'A finding, with its evidence. '.repeat(1500) }], {
    task: 'A long report',
  });
  const crowd: string[] = [];
  for (let batch = 0; batch < 10; batch++)
    crowd.push(
      ...(await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          start(batch * 20 + i === 199 ? report : small, `crowd-${batch * 20 + i}`),
        ),
      )),
    );
  const reporter = crowd[199];
  expect((await cancelling).status).toBe(202);

  // Signed in once the feed has told of them (quiet a few ticks): the page reads the list, and
  // the views of the rows it shows only.
  await until(
    async () => {
      const heard = listener.frames.length;
      await new Promise((resolve) => setTimeout(resolve, 1000)); // a few of the feed's ticks
      return listener.frames.length === heard;
    },
    (quiet) => quiet,
    'the feed quiet',
  );
  /** The agents whose view the page asked for; and those whose rows it drew (it reads theirs). */
  const viewsRead = new Set<string>();
  const drawn = new Set<string>();
  const draw = async () => (await rowIds()).forEach((id) => drawn.add(id));
  page.on('request', (r) => {
    const id = /^\/api\/v1\/agents\/([^/]+)$/.exec(new URL(r.url()).pathname)?.[1];
    if (id && r.method() === 'GET') viewsRead.add(id);
  });
  await signIn(page, `${api.server.url}/`, USERS.solo.token);
  // Polled from here: the page's policy forbids the string evaluation waitForFunction uses.
  await until(
    () => page.evaluate(listed),
    (n) => n >= 202,
    'the list holds 202 agents',
    60_000,
  );
  // Only the rows in sight are drawn.
  expect(await page.locator('.rows .row').count()).toBeLessThan(80);
  await draw();
  await shot('agent-list-200');

  // Sorted by name, the rows in sight are in order; scrolled to the bottom, others are drawn, as few.
  await page.getByRole('button', { name: /^name/ }).click();
  await page.getByRole('button', { name: 'name ▴' }).waitFor();
  const names = () => page.locator('.rows .row .c-name').allTextContents();
  const top = await names();
  expect(top).toEqual([...top].sort());
  await draw();
  await page.locator('.rows').evaluate((el) => (el.scrollTop = el.scrollHeight));
  const bottom = await until(names, (drawn) => !drawn.includes(top[0]), 'rows further down drawn');
  expect(bottom).toEqual([...bottom].sort());
  expect(bottom.length).toBeLessThan(80);
  await draw();

  // Filtered by status: only the rows of that status remain.
  const filterBy = async (value: string, want: string[]) => {
    await page.getByLabel('status').selectOption(value);
    await until(
      rowIds,
      (shown) => JSON.stringify([...shown].sort()) === JSON.stringify([...want].sort()),
      `the rows of status ${value}`,
    );
    await expect(page.getByTestId('agent-count').textContent()).resolves.toMatch(
      new RegExp(`^${want.length} of \\d+$`),
    );
    await expect(page.locator('.rows .row .c-status').allTextContents()).resolves.toEqual(
      Array(want.length).fill(value),
    );
  };
  await filterBy('failed', [failed]);
  await filterBy('cancelled', [cancelled]);
  await shot('agent-list-filtered');
  // Stale is a choice of its own, whatever the status: none went silent here.
  await expect(page.getByLabel('status').locator('option[value="stale"]').textContent()).resolves.toBe(
    'stale',
  );
  await filterBy('stale', []);
  await page.getByLabel('status').selectOption('');

  // Tokens come from each agent's own view, read as its row comes into sight: most rows were
  // not, and the total says it is a floor.
  await expect(page.locator('[data-stat=tokens] b').textContent()).resolves.toMatch(/^≥/);
  const readBefore = new Set(viewsRead);
  // Sorted by tokens: the rows in order, those not read yet last (—) and read now, a few at a
  // time, though never drawn (the page reads the rows in sight anyway: those are left out, the
  // rows drawn looked at as the reads go; without the sort's reads, none).
  await page.locator('.rows').evaluate((el) => (el.scrollTop = 0));
  await page.getByRole('button', { name: /^tokens/ }).click();
  await page.getByRole('button', { name: 'tokens ▾' }).waitFor();
  expect(await tokensInOrder()).toBeDefined();
  await until(
    async () => {
      const read = [...viewsRead];
      await draw();
      return read.filter((id) => !readBefore.has(id) && !drawn.has(id)).length;
    },
    (n) => n >= 10,
    'views of rows never drawn read for the sort',
  );
  // The report on top once its view is read (under load the first read can be partial, with no
  // tokens: read again in its turn).
  await until(rowIds, (shown) => shown[0] === reporter, 'the agent that spent most tokens on top', 60_000);
  expect(await tokensInOrder()).toBeDefined();
  await page.locator('.rows').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await until(rowIds, (shown) => !shown.includes(reporter), 'rows further down drawn');
  expect(await tokensInOrder()).toBeDefined();
  await shot('agent-list-by-tokens');
}
