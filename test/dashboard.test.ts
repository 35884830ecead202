/**
 * The dashboard in a real browser (Debian's Chromium, driven by playwright-core) against the
 * real API, worker and dev server, the scripted model server playing the model. A person
 * spawns an agent from the page, watches its text and tool calls arrive, messages it, pauses,
 * resumes it with a new task and cancels it, allows one of a supervised agent's calls and
 * denies another, opens an agent's card (config, limits, todos, subagents, the Web UI link, a
 * failed one's error), starts an interactive agent of a type, model and zone of their choosing
 * and talks with it, and reads the stats bar's counts and totals as all that happens
 * (dashboard-list has 200 agents, sorted and filtered).
 * The page hears of changes by the live feed's WebSocket (/api/v1/ws) and steers over it; the
 * frames it sends and receives are recorded here. The page signs in as a user alone in a
 * workspace (one test opens it with no tokens, the open loopback mode); dashboard-sign-in has
 * more of signing in.
 * Screenshots go to test-artifacts/dashboard/ (ORCHESTRA_DOCS_SCREENSHOTS=1: the README's to
 * docs/ too). Needs `npm run build` (dist/dashboard).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { get } from 'node:http';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEFAULTS } from '../src/config';
import { tokens } from '../src/dashboard/format';
import { soloTokens, startTestApi, useApi, USERS } from './helpers/api';
import { ARTIFACTS, launchBrowser, requireBrowser, signIn, watchedPage } from './helpers/browser';
import { stat, statSays as statSaysOn, tokensOf } from './helpers/dashboard-page';
import { TEST_MODEL, useHarness } from './helpers/harness';
import { until } from './helpers/poll';

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
  /** The agents started from the page, by name, for a later test's sums. */
  const ids: Record<string, string> = {};
  /** A zone of the suite's workspace, made before the page signs in (it reads zones then). */
  let zone: { id: string; name: string };

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
    const made = await api.call('solo', 'POST', '/zones', { name: 'dash-zone' });
    expect(made.status).toBe(201);
    zone = made.body as typeof zone;
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
  const card = () => page.getByTestId('agent-card');
  /** Wait until the stats bar's figure under `label` reads exactly `value`. */
  const statSays = (label: string, value: string | number) => statSaysOn(page, label, value);
  /** What the agent's model was given by people (its task, messages, a resume's task), as text. */
  const toldByPeople = async (id: string) => {
    const { body } = await api.call('solo', 'GET', `/agents/${id}/transcript`);
    return JSON.stringify((body.messages as Array<{ role: string }>).filter((m) => m.role === 'user'));
  };

  async function spawnFromPage(fields: {
    task: string;
    name: string;
    autonomy?: string;
    type?: string;
    model?: string;
    zone?: string;
  }): Promise<{ id: string; cwd: string }> {
    await page.getByRole('button', { name: 'New agent' }).click();
    const form = page.getByRole('form', { name: 'New agent' });
    const cwd = await h.tempDir();
    await form.getByLabel('Task').fill(fields.task);
    await form.getByLabel('Working directory').fill(cwd);
    await form.getByLabel('Name', { exact: true }).fill(fields.name);
    if (fields.autonomy) await form.getByLabel('Autonomy').selectOption(fields.autonomy);
    if (fields.type) await form.getByLabel('Type').selectOption(fields.type);
    if (fields.model) await form.getByLabel('Model').fill(fields.model);
    if (fields.zone) await form.getByLabel('Zone').selectOption(fields.zone);
    await form.getByRole('button', { name: 'Start' }).click();
    const heading = card().getByRole('heading', { name: fields.name });
    await heading.waitFor();
    const id = (await heading.getAttribute('title'))!;
    ids[fields.name] = id;
    return { id, cwd };
  }

  /** Open the agent's row in the list: its card, chat and tools beside it. */
  async function openRow(id: string) {
    await page.locator(`.rows .row[data-agent-id="${id}"]`).click();
    await card().locator(`h2[title="${id}"]`).waitFor();
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
    // Nothing of this workspace has run yet: no tool call in the last minute.
    await statSays('calls/min', 0);
    const { id } = await spawnFromPage({ task, name: 'dash-one' });
    // The one agent of the workspace, counted active.
    await statSays('active', 1);
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
    // Its calls count in the stats bar's calls per minute, as the feed tells of them.
    await until(
      () => stat(page, 'calls/min'),
      (n) => Number(n) >= 1,
      'calls per minute counting its calls',
    );

    await page.locator('.subtabs').getByRole('button', { name: 'chat' }).click();
    await page.getByLabel('message').fill('Use the pytest fixtures, please');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.msg.user', { hasText: 'Use the pytest fixtures' }).waitFor();

    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByTestId('agent-status').filter({ hasText: 'paused' }).waitFor();
    await shot('paused');
    await statSays('paused', 1);
    await statSays('active', 0);
    await page.getByLabel('new task').fill('Now only the tests');
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('agent-status').filter({ hasText: 'running' }).waitFor();
    // The new task is taken: the chat shows it, and the model is given it at its next step.
    await page.locator('.msg.task', { hasText: 'Now only the tests' }).waitFor();
    await until(
      () => toldByPeople(id),
      (told) => told.includes('Now only the tests'),
      'the new task given to the model',
    );

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

  test('a supervised agent’s calls wait in the tool log: one a person allows runs, one they deny does not, and the agent is told', async () => {
    const task = h.script(
      [
        { toolCalls: [{ name: 'list_files', input: {} }] },
        { toolCalls: [{ name: 'write_file', input: { path: 'denied.txt', content: 'not wanted' } }] },
        { text: 'Done, with your leave.' },
      ],
      { task: 'Look around' },
    );
    const { id, cwd } = await spawnFromPage({ task, name: 'dash-supervised', autonomy: 'supervised' });
    await page
      .locator('.subtabs')
      .getByRole('button', { name: /^tools/ })
      .click();
    const approval = page.getByTestId('approval');
    // Waiting on a person: in the tool log, and counted waiting and as an approval.
    await Promise.all([approval.waitFor(), statSays('approvals', 1), statSays('waiting', 1)]);
    await expect(approval.textContent()).resolves.toContain('list_files');
    await shot('approval');
    await approval.getByRole('button', { name: 'Allow' }).click();
    await page.locator('.call.ok', { hasText: 'list_files' }).waitFor();

    const second = approval.filter({ hasText: 'write_file' });
    await second.waitFor();
    await second.getByRole('button', { name: 'Deny' }).click();
    await page.getByTestId('agent-status').filter({ hasText: 'completed' }).waitFor();
    expect(sent).toContainEqual(expect.objectContaining({ type: 'approve', decision: 'allow' }));
    expect(sent).toContainEqual(expect.objectContaining({ type: 'approve', decision: 'deny' }));
    expect(requests.filter((r) => r.startsWith('POST /api/v1/approvals'))).toEqual([]);
    await expect(page.getByTestId('agent-result').textContent()).resolves.toContain('Done, with your leave.');
    await expect(approval.count()).resolves.toBe(0);
    // The denied call did not run, its result in the tool log says so, and so did the agent's next step.
    expect(existsSync(path.join(cwd, 'denied.txt'))).toBe(false);
    const denied = page.locator('.call.failed', { hasText: 'write_file' });
    await expect(denied.locator('.took').textContent()).resolves.toContain('error');
    await denied.locator('summary').click();
    await expect(denied.locator('pre.output').textContent()).resolves.toMatch(
      /^denied: write_file was not run/,
    );
    const { body } = await api.call('solo', 'GET', `/agents/${id}/transcript`);
    const results = (body.messages as Array<{ content: unknown }>).flatMap((m) =>
      Array.isArray(m.content)
        ? (m.content as Array<{ type: string; is_error?: boolean; content?: unknown }>)
        : [],
    );
    expect(results.filter((b) => b.type === 'tool_result')).toEqual([
      expect.not.objectContaining({ is_error: true }),
      expect.objectContaining({
        is_error: true,
        content: expect.stringMatching(/^denied: write_file was not run/),
      }),
    ]);
  });

  test('an agent’s card opens on its config, limits, todos, subagents and Web UI link; a failed one shows its error', async () => {
    const cwd = await h.tempDir();
    const child = h.script([{ text: 'The pager is fine.' }], { task: 'Check the pager' });
    const planner = h.script(
      [
        {
          toolCalls: [
            {
              name: 'todo',
              input: {
                todos: [
                  { content: 'read the pager', status: 'completed' },
                  { content: 'write the fix', status: 'in_progress' },
                ],
              },
            },
            { name: 'task', input: { description: 'pager check', prompt: child } },
          ],
        },
        { text: 'Planned, and checked.' },
      ],
      { task: 'Plan the pager fix' },
    );
    const broken = h.script(
      [{ errors: [{ status: 400, message: 'this request is malformed on purpose' }] }],
      {
        task: 'Fail at once',
      },
    );
    // Started elsewhere, both at once; the page hears of them by the feed.
    const [planned, failed] = await Promise.all([
      api.call('solo', 'POST', '/agents', {
        task: planner,
        cwd,
        name: 'dash-planner',
        limits: { maxIterations: 7 },
        // Its open todo would send it back once more: not this test's business.
        hooks: { todoCheck: false },
      }),
      api.call('solo', 'POST', '/agents', { task: broken, cwd, name: 'dash-broken' }),
    ]);
    expect([planned.status, failed.status]).toEqual([201, 201]);
    const id = planned.body.id as string;
    const brokenId = failed.body.id as string;

    await openRow(id);
    await status().filter({ hasText: 'completed' }).waitFor();
    await card().getByRole('button', { name: '▸' }).click();
    const more = card().locator('.more');
    await more.waitFor();
    const facts = Object.fromEntries(
      await more
        .locator('dl > div')
        .evaluateAll((els) =>
          els.map((e) => [e.querySelector('dt')!.textContent, e.querySelector('dd')!.textContent]),
        ),
    );
    expect(facts).toMatchObject({ type: 'adhoc', model: TEST_MODEL, cwd, owner: 'solo' });
    // Its limits: the one it was given, the others' defaults.
    expect(JSON.parse((await more.locator('pre.limits').textContent())!)).toMatchObject({
      maxIterations: 7,
      maxToolCalls: 200,
    });
    // Its todos, each marked by its status (a mark of its own for each).
    const todos = await more
      .locator('.todos li')
      .evaluateAll((els) =>
        els.map((e) => [e.className, e.textContent!.slice(0, 1), e.textContent!.slice(2)]),
      );
    expect(todos.map(([status, , text]) => [status, text])).toEqual([
      ['todo-completed', 'read the pager'],
      ['todo-in_progress', 'write the fix'],
    ]);
    expect(todos[0][1]).not.toBe(todos[1][1]);
    // Its subagent, in the tree by its name and status; a click opens it, its card names its parent.
    const sub = more.locator('.subagents .tree li');
    await sub.filter({ hasText: 'pager check' }).filter({ hasText: 'completed' }).waitFor();
    // The Web UI link goes to the agent's workflow (the port is the API's config's: default here,
    // api-auth-cors checks it follows ORCHESTRA_UI_PORT).
    const href = new URL((await card().locator('a.webui').getAttribute('href'))!);
    expect(`${href.hostname}:${href.port}${href.pathname}`).toBe(
      `${h.address.split(':')[0]}:${DEFAULTS.ORCHESTRA_UI_PORT}/namespaces/${h.namespace}/workflows/agent-${id}`,
    );
    await shot('agent-card-open');
    await sub.getByRole('link', { name: 'pager check' }).click();
    await card().locator(`h2[title="${id}.1"]`).waitFor();
    await card().getByRole('button', { name: '▸' }).click();
    await expect(card().locator('.more dd a').textContent()).resolves.toBe(id);

    // The failed one shows why, and the stats bar counts it.
    await openRow(brokenId);
    await status().filter({ hasText: 'failed' }).waitFor();
    await expect(card().locator('pre.error').textContent()).resolves.toContain(
      'this request is malformed on purpose',
    );
    await statSays('failed', 1);
    // Every agent of the workspace is ended and read: the tokens total is theirs, whole.
    const listedIds = ((await api.call('solo', 'GET', '/agents')).body.items as Array<{ id: string }>).map(
      (a) => a.id,
    );
    expect(listedIds).toEqual(
      expect.arrayContaining([ids['dash-one'], ids['dash-supervised'], id, `${id}.1`]),
    );
    const spent = await Promise.all(listedIds.map((a) => tokensOf(api, a)));
    const sum = spent.reduce((n, t) => n + t, 0);
    expect(sum).toBeGreaterThan(0);
    await statSays('tokens', tokens(sum));
    await statSays('active', 0);
    await statSays('waiting', 0);
  });

  test('an interactive agent of the type, model and zone chosen in the form answers a message in place', async () => {
    const task = h.script(
      [{ text: 'Ready: ask me about the pager.' }, { text: 'Twenty rows a page, as the pager has it.' }],
      { task: 'Answer questions about the pager' },
    );
    const model = 'claude-scripted-other';
    const { id } = await spawnFromPage({
      task,
      name: 'dash-interactive',
      type: 'interactive',
      model,
      zone: zone.id,
    });
    // It replied to its task and waits for a message: counted waiting.
    await page
      .locator('.msg.assistant:not(.writing)', { hasText: 'Ready: ask me about the pager.' })
      .waitFor();
    await status().filter({ hasText: 'waiting_for_input' }).waitFor();
    await statSays('waiting', 1);
    await page.getByLabel('message').fill('How many rows does a page hold?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.msg.user', { hasText: 'How many rows does a page hold?' }).waitFor();
    // Its answer, in the same chat, after the question; and it waits again, not ended.
    await page.locator('.msg.assistant:not(.writing)', { hasText: 'Twenty rows a page' }).waitFor();
    await expect(
      page
        .locator('.chat .msg.user, .chat .msg.assistant:not(.writing)')
        .evaluateAll((els) => els.map((e) => e.textContent)),
    ).resolves.toEqual([
      'Ready: ask me about the pager.',
      'How many rows does a page hold?',
      'Twenty rows a page, as the pager has it.',
    ]);
    await status().filter({ hasText: 'waiting_for_input' }).waitFor();
    await shot('interactive');

    // What the form chose: its type and model (the model server was asked for that model), its zone.
    const view = (await api.call('solo', 'GET', `/agents/${id}`)).body;
    expect(view).toMatchObject({ type: 'interactive', model });
    expect(new Set(h.requestsFor(task).map((r) => r.model))).toEqual(new Set([model]));
    const zones = (await api.call('solo', 'GET', '/zones')).body.items as Array<{
      id: string;
      agentIds: string[];
    }>;
    expect(zones.find((z) => z.id === zone.id)?.agentIds).toEqual([id]);
    await page.locator(`.rows .row[data-agent-id="${id}"] .c-zone`, { hasText: 'dash-zone' }).waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Confirm cancel' }).click();
    await status().filter({ hasText: 'cancelled' }).waitFor();
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
    // Its count of calls comes from its own view, read once the feed has named it (and again
    // every few seconds while it runs: waiting for the count to pass 0 took up to 8 s).
    await row.locator('.c-toolCalls').filter({ hasText: /^\d+$/ }).waitFor();

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
