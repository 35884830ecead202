/**
 * The dashboard's live feed when the network is not kind, in a real browser against the real
 * API, worker and dev server: behind a proxy that does not pass WebSocket upgrades the page
 * falls back to Server-Sent Events; and when its WebSocket drops mid-agent, it reconnects,
 * resumes after the frames it saw, and misses none of the agent's events.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page, Request, WebSocketRoute } from 'playwright-core';
import { soloTokens, useApi, USERS } from './helpers/api';
import { launchBrowser, requireBrowser, signIn, watchedPage } from './helpers/browser';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

requireBrowser();

let browser: Browser;
/** What the pages threw: nothing, at the end. */
const errors: string[] = [];
afterAll(() => browser?.close());
const h = useHarness();
// Signed in as a user alone in a workspace: the page's feed follows this suite's agents only.
const api = useApi(h, { tokens: soloTokens('dashboard-feed') });

beforeAll(async () => {
  browser = await launchBrowser();
});
/** Closed after each test, passed or failed: an open page holds its stream through the proxy and the API. */
const pages: Page[] = [];
afterEach(async () => {
  await Promise.all(pages.splice(0).map((p) => p.close()));
  expect(errors).toEqual([]);
});

/** A new page, signed in (its cookie holds for every port of the host), left on a blank page. */
const newPage = async () => {
  const page = await watchedPage(browser, errors);
  pages.push(page);
  await signIn(page, `${api.server.url}/`, USERS.solo.token);
  await page.goto('about:blank');
  return page;
};

/** An agent of `turns` tool calls, `delayMs` a turn, started by the API (not the page). */
async function startAgent(turns: number, delayMs: number): Promise<string> {
  const task = h.script(
    [
      ...Array.from({ length: turns }, () => ({ toolCalls: [{ name: 'list_files', input: {} }], delayMs })),
      { text: 'All listed.' },
    ],
    { task: 'List the files again and again' },
  );
  const started = await api.call('solo', 'POST', '/agents', { task, cwd: await h.tempDir() });
  expect(started.status).toBe(201);
  return started.body.id as string;
}

/** The agent's whole event log, as the API keeps it: the sequence numbers. */
async function loggedSeqs(id: string): Promise<number[]> {
  const { body } = await api.call('solo', 'GET', `/agents/${id}/events?limit=1000`);
  return (body.events as Array<{ seq: number }>).map((e) => e.seq);
}

/** The page's row for `id` says `status`. */
const rowSays = (page: Page, id: string, status: string) =>
  page.locator(`.rows .row[data-agent-id="${id}"]`).filter({ hasText: status }).waitFor({ timeout: 60_000 });

describe('behind a proxy without WebSocket upgrades', () => {
  let proxy: Server;
  afterAll(() => {
    proxy?.closeAllConnections(); // the page's event stream, kept open
    return new Promise((resolve) => proxy?.close(resolve));
  });

  test('the page falls back to Server-Sent Events and hears an agent start and finish', async () => {
    const target = new URL(api.server.url);
    // Passes every request on, streams included; refuses upgrades, as some proxies do.
    proxy = createServer((req, res) => {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          // As a reverse proxy does by default: the upstream's own name (the API answers only to its names).
          headers: { ...req.headers, host: target.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    proxy.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 501 Not Implemented\r\n\r\n'));
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const port = (proxy.address() as AddressInfo).port;

    const page = await newPage();
    const requests: string[] = [];
    let listsOpen = 0; // reads of the agent list under way (a page of it at a time)
    const isList = (r: Request) => new URL(r.url()).pathname === '/api/v1/agents';
    page.on('request', (r) => {
      requests.push(new URL(r.url()).pathname);
      if (isList(r)) listsOpen += 1;
    });
    const finished = (r: Request) => {
      if (isList(r)) listsOpen -= 1;
    };
    page.on('requestfinished', finished);
    page.on('requestfailed', finished);
    await page.goto(`http://${target.hostname}:${port}/`);
    await page.getByTestId('feed').filter({ hasText: 'sse' }).waitFor();
    // The first read of the list is done (every page of it: the suites share one server).
    const settled = async () => {
      const before = listsOpen;
      await page.waitForTimeout(300); // between one page of it and the next
      return before === 0 && listsOpen === 0;
    };
    await until(settled, (yes) => yes, 'the page done reading the agent list');

    const listsBefore = requests.filter((r) => r === '/api/v1/agents').length;
    const id = await startAgent(3, 200);
    await rowSays(page, id, 'completed');
    // It came by the event stream: the page did not read the list again for it.
    expect(requests).toContain('/api/v1/events');
    expect(requests.filter((r) => r === '/api/v1/agents').length).toBe(listsBefore);
    await expect(page.getByTestId('feed').textContent()).resolves.toBe('sse');
  });
});

test('a dropped WebSocket reconnects after the frames it saw and misses none of an agent’s events', async () => {
  const page = await newPage();
  /** Each connection the page opened (its URL), and the frames the server sent on it. */
  const connections: Array<{ url: string; frames: Array<Record<string, unknown>> }> = [];
  let first: WebSocketRoute | undefined;
  await page.routeWebSocket(/\/api\/v1\/ws/, (ws) => {
    const frames: Array<Record<string, unknown>> = [];
    connections.push({ url: ws.url(), frames });
    first ??= ws;
    const server = ws.connectToServer();
    server.onMessage((message) => {
      frames.push(JSON.parse(String(message)) as Record<string, unknown>);
      ws.send(message);
    });
    ws.onMessage((message) => server.send(message));
  });
  await page.goto(`${api.server.url}/`);
  await page.getByTestId('feed').filter({ hasText: 'websocket' }).waitFor();

  const id = await startAgent(10, 400);
  const toolCallsSeen = () =>
    connections.flatMap((c) => c.frames).filter((f) => f.subject === id && f.event === 'tool_call').length;
  await until(
    async () => toolCallsSeen(),
    (n) => n >= 2,
    'two of its tool calls on the first connection',
  );

  // The connection drops (a proxy's idle timeout, a laptop's Wi-Fi): the page closes its side.
  await first!.close({ code: 1001, reason: 'going away' });
  await page.getByTestId('feed').filter({ hasText: 'connecting' }).waitFor();
  await until(
    async () => connections.length,
    (n) => n >= 2,
    'the page connecting again',
  );
  await page.getByTestId('feed').filter({ hasText: 'websocket' }).waitFor();
  await rowSays(page, id, 'completed');

  // It resumed after a frame it had (frames still on their way when the socket dropped are lost
  // with it): the server replayed what came after, with no resync.
  const after = new URL(connections[1].url).searchParams.get('after');
  expect(connections[0].frames.map((f) => f.id)).toContain(after);
  expect(connections[1].frames.map((f) => f.event)).not.toContain('resync');
  // Every event of the agent's log reached the page, across the two connections.
  const heard = new Set(
    connections
      .flatMap((c) => c.frames)
      .filter((f) => f.subject === id && f.source === 'agent' && f.event !== 'model_text')
      .map((f) => (f.data as { seq: number }).seq),
  );
  const logged = await loggedSeqs(id);
  expect(logged.length).toBeGreaterThanOrEqual(20);
  expect(logged.filter((seq) => !heard.has(seq))).toEqual([]);
  expect(toolCallsSeen()).toBeGreaterThanOrEqual(10);
});
