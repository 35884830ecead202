/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the
 * real API, worker and dev server, the scripted model server playing the model. A person
 * spawns an agent from the page, watches its text and tool calls arrive, messages it, pauses,
 * resumes and cancels it, and allows a supervised agent's call (dashboard-list has 200
 * agents, sorted and filtered).
 * The page hears of changes by the live feed's WebSocket (/api/v1/ws) and steers over it; the
 * frames it sends and receives are recorded here. The page signs in as a user alone in a
 * workspace (one test opens it with no tokens, the open loopback mode); dashboard-sign-in has
 * more of signing in.
 * Screenshots go to test-artifacts/dashboard/ (ORCHESTRA_DOCS_SCREENSHOTS=1: the README's to
 * docs/ too). Needs `npm run build` (dist/dashboard).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { get } from 'node:http';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { soloTokens, startTestApi, useApi, USERS } from './helpers/api';
import { ARTIFACTS, launchBrowser, requireBrowser, signIn, watchedPage } from './helpers/browser';
import { useHarness } from './helpers/harness';

requireBrowser();

const REPLY =
  'Reading the project first. ' +
  'I will list the files, look at how the pager is wired, and then make the smallest change that works. '.repeat(
    5,
  );

describe('the dashboard', () => {
  let browser: Browser;
  let page: Page;
  // Before the API's own: the browser's streams close first, so the API's close does not wait on them.
  afterAll(() => browser?.close());
  /** What the page threw: nothing, at the end. */
  const errors: string[] = [];
  const h = useHarness();
  // Signed in as a user alone in a workspace: the page sees this suite's agents and zones only
  // (the open mode's page sees every suite's; one test below opens the page in that mode).
  const api = useApi(h, { tokens: soloTokens('dashboard') });

  /** The WebSocket frames the page sent (commands) and received (the feed's frames), parsed. */
  const sent: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  const received: Array<Record<string, any>> = []; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Every request the page made: `METHOD path?query`. */
  const requests: string[] = [];
  const parse = (payload: string | Buffer) => {
    try {
      return JSON.parse(String(payload)) as Record<string, unknown>;
    } catch {
      return {};
    }
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchBrowser();
    page = await watchedPage(browser, errors, { width: 1440, height: 900 });
    page.on('websocket', (ws) => {
      ws.on('framesent', (f) => sent.push(parse(f.payload)));
      ws.on('framereceived', (f) => received.push(parse(f.payload)));
    });
    page.on('request', (r) =>
      requests.push(`${r.method()} ${new URL(r.url()).pathname}${new URL(r.url()).search}`),
    );
    // Signed in, the stats bar says how the page hears of changes: the feed's WebSocket.
    await signIn(page, `${api.server.url}/`, USERS.solo.token);
  });
  afterEach(async () => {
    expect(errors).toEqual([]);
    // The page as each test left it, passed or failed.
    const name = (expect.getState().currentTestName ?? 'test').replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await shot(`end-${name}`).catch(() => undefined);
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
  const status = () => page.getByTestId('agent-status');

  async function spawnFromPage(fields: { task: string; name: string; autonomy?: string }) {
    await page.getByRole('button', { name: 'New agent' }).click();
    const form = page.getByRole('form', { name: 'New agent' });
    await form.getByLabel('Task').fill(fields.task);
    await form.getByLabel('Working directory').fill(await h.tempDir());
    await form.getByLabel('Name', { exact: true }).fill(fields.name);
    if (fields.autonomy) await form.getByLabel('Autonomy').selectOption(fields.autonomy);
    await form.getByRole('button', { name: 'Start' }).click();
    await page.getByTestId('agent-card').getByRole('heading', { name: fields.name }).waitFor();
  }

  test('the page is served with its own strict policy, and only to the API’s own names', async () => {
    const answer = await fetch(`${api.server.url}/`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(answer.headers.get('cache-control')).toBe('no-cache');
    const html = await answer.text();
    const script = /src="([^"]+app\.js\?v=[0-9a-f]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const js = await fetch(`${api.server.url}${script}`);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${api.server.url}/dashboard/agents/x`)).headers.get('content-type')).toMatch(/html/);
    expect((await fetch(`${api.server.url}/dashboard/nothing.js`)).status).toBe(404);
    // fetch sends its own Host: a plain request says another.
    const foreign = await new Promise<number | undefined>((resolve, reject) =>
      get(`${api.server.url}/`, { headers: { host: 'evil.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject),
    );
    expect(foreign).toBe(421);
  });

  test('with no tokens (the open loopback mode) the page asks for no sign-in and is fed', async () => {
    const open = await startTestApi(h, { tokens: null });
    const other = await watchedPage(browser, errors);
    try {
      await other.goto(`${open.server.url}/`);
      await other.getByTestId('stats').getByTestId('feed').filter({ hasText: 'websocket' }).waitFor();
      await expect(other.getByLabel('API token').count()).resolves.toBe(0);
    } finally {
      await other.close();
      await open.close();
    }
  });

  test('an agent spawned from the page streams its reply and tools, takes a message, pauses, resumes and is cancelled', async () => {
    // The reply is held halfway until the page has shown it being written.
    const written = `dash-${randomUUID()}`;
    const task = h.script(
      [
        { text: REPLY, toolCalls: [{ name: 'list_files', input: {} }], textGate: written },
        { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 800 },
      ],
      { repeatLast: true, task: 'Tidy the pager' },
    );
    await spawnFromPage({ task, name: 'dash-one' });
    // The model's text arrives as it is written, then as the whole message.
    await page.getByTestId('writing').waitFor();
    await shot('chat-streaming');
    h.model.openGate(written);
    await page
      .locator('.msg.assistant:not(.writing)', { hasText: 'smallest change that works' })
      .first()
      .waitFor();
    await page
      .locator('.subtabs')
      .getByRole('button', { name: /^tools/ })
      .click();
    await page.locator('.call.ok', { hasText: 'list_files' }).first().waitFor();
    await expect(page.locator('.call.ok .took').first().textContent()).resolves.toMatch(/\d+(\.\d)? m?s/);
    await shot('tool-log');

    await page.locator('.subtabs').getByRole('button', { name: 'chat' }).click();
    await page.getByLabel('message').fill('Use the pytest fixtures, please');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.msg.user', { hasText: 'Use the pytest fixtures' }).waitFor();

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('agent-status').filter({ hasText: 'paused' }).waitFor();
    await shot('paused');
    await page.getByLabel('new task').fill('Now only the tests');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('agent-status').filter({ hasText: 'running' }).waitFor();

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Confirm cancel' }).click();
    await page.getByTestId('agent-status').filter({ hasText: 'cancelled' }).waitFor();
    await expect(status().textContent()).resolves.toBe('cancelled');
    await shot('cancelled');

    // Every one of those went over the feed's WebSocket and was answered there, none by REST.
    const types = sent.map((c) => c.type);
    for (const t of ['spawn_agent', 'send_message', 'pause_agent', 'resume_agent', 'kill_agent'])
      expect(types).toContain(t);
    const replies = received.filter((f) => f.event === 'reply').map((f) => f.data);
    for (const c of sent.filter((c) => c.type !== 'resume'))
      expect(replies).toContainEqual(expect.objectContaining({ requestId: c.requestId, ok: true }));
    expect(requests.filter((r) => /^(POST|DELETE) \/api\/v1\/agents/.test(r))).toEqual([]);
  });

  test('a supervised agent’s call waits in the tool log until a person allows it', async () => {
    const task = h.script(
      [{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'Done, with your leave.' }],
      {
        task: 'Look around',
      },
    );
    await spawnFromPage({ task, name: 'dash-supervised', autonomy: 'supervised' });
    await page
      .locator('.subtabs')
      .getByRole('button', { name: /^tools/ })
      .click();
    const approval = page.getByTestId('approval');
    await approval.waitFor();
    await expect(approval.textContent()).resolves.toContain('list_files');
    await shot('approval');
    await approval.getByRole('button', { name: 'Allow' }).click();
    await page.getByTestId('agent-status').filter({ hasText: 'completed' }).waitFor();
    expect(sent).toContainEqual(expect.objectContaining({ type: 'approve', decision: 'allow' }));
    expect(requests.filter((r) => r.startsWith('POST /api/v1/approvals'))).toEqual([]);
    await expect(page.getByTestId('agent-result').textContent()).resolves.toContain('Done, with your leave.');
    await expect(approval.count()).resolves.toBe(0);
  });

  test('an agent started elsewhere shows its text and its tool calls in the list, through the feed', async () => {
    // The reply is held halfway until its row has shown it being written.
    const written = `dash-${randomUUID()}`;
    const task = h.script(
      [
        { text: REPLY, toolCalls: [{ name: 'list_files', input: {} }], textGate: written },
        { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 800 },
      ],
      { repeatLast: true, task: 'Tidy the pager elsewhere' },
    );
    await page.getByRole('button', { name: 'agents' }).click();
    const listsBefore = requests.filter((r) => r.startsWith('GET /api/v1/agents?')).length;
    const started = await api.call('solo', 'POST', '/agents', {
      task,
      cwd: await h.tempDir(),
      name: 'from-the-cli',
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    // Not selected: no stream of its own is open; its row hears of it by the feed alone.
    const row = page.locator(`.rows .row[data-agent-id="${id}"]`);
    const activity = row.getByTestId('row-activity');
    await activity.filter({ hasText: /^✎ .*(Reading|pager|files)/ }).waitFor();
    await shot('list-streaming');
    h.model.openGate(written);
    await activity.filter({ hasText: '⚙ list_files' }).waitFor();
    // Its count of calls comes from its own view, read once the feed has named it.
    await row
      .locator('.c-toolCalls')
      .filter({ hasText: /^[1-9]/ })
      .waitFor();

    // The frames came over the WebSocket, and the lists were not polled meanwhile.
    const about = received.filter((f) => f.subject === id);
    expect(about.map((f) => f.event)).toEqual(
      expect.arrayContaining(['agent_spawned', 'model_text', 'tool_call']),
    );
    const text = about.find((f) => f.event === 'model_text')!;
    expect(text).toMatchObject({
      source: 'agent',
      data: { callId: expect.any(String), offset: expect.any(Number) },
    });
    expect(typeof text.id).toBe('string');
    expect(requests.filter((r) => r.startsWith('GET /api/v1/agents?')).length).toBe(listsBefore);
    expect(requests.some((r) => r.startsWith(`GET /api/v1/agents/${id}/stream`))).toBe(false);
    await expect(page.getByTestId('feed').textContent()).resolves.toBe('websocket');
    await api.call('solo', 'DELETE', `/agents/${id}`);
  });
});
