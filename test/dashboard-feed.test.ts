/**
 * The dashboard's live feed when the network is not kind, in a real browser against the real
 * API, worker and dev server: behind a proxy that does not pass WebSocket upgrades the page
 * falls back to Server-Sent Events; and when its WebSocket drops mid-agent, it reconnects,
 * resumes after the frames it saw, and misses none of the agent's events.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page, Request, WebSocketRoute } from 'playwright-core';
import { soloTokens, useApi, USERS } from './helpers/api';
import { launchBrowser, requireBrowser, signIn, watch } from './helpers/browser';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

requireBrowser();

let browser: Browser;
/** The suite's pages, signed in once: the cookie holds for every page of it, and every port of the host. */
let signedIn: BrowserContext;
afterAll(() => browser?.close());
const h = useHarness();
// Signed in as a user alone in a workspace: the page's feed follows this suite's agents only.
const api = useApi(h, { tokens: soloTokens('dashboard-feed') });

beforeAll(async () => {
  browser = await launchBrowser();
  signedIn = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  const page = watch(await signedIn.newPage(), errors);
  await signIn(page, `${api.server.url}/`, USERS.solo.token);
  await page.close();
  expect(errors).toEqual([]);
});

/**
 * Run `test` on a new signed-in page, and close it after, passed or failed (an open page holds
 * its stream through the proxy and the API). What the page threw: nothing, at the end. The
 * tests run at the same time, so each checks its own page (a concurrent test gets no afterEach).
 */
async function onPage(test: (page: Page) => Promise<void>): Promise<void> {
  const errors: string[] = [];
  const page = watch(await signedIn.newPage(), errors);
  try {
    await test(page);
    expect(errors).toEqual([]);
  } finally {
    await page.close();
  }
}

/** An agent of `turns` tool calls, `delayMs` a turn (turn `gated.turn` waits at gate `gated.gate`), started by the API. */
async function startAgent(
  turns: number,
  delayMs: number,
  gated?: { turn: number; gate: string },
): Promise<string> {
  const task = h.script(
    [
      ...Array.from({ length: turns }, (_, i) => ({
        toolCalls: [{ name: 'list_files', input: {} }],
        delayMs,
        ...(gated?.turn === i ? { gate: gated.gate } : {}),
      })),
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

// The two tests touch only their own page and agent: they run at the same time.
let proxy: Server | undefined;
afterAll(() => {
  proxy?.closeAllConnections(); // the page's event stream, kept open
  return new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
});

test.concurrent(
  'behind a proxy without WebSocket upgrades, the page falls back to Server-Sent Events and hears an agent start and finish',
  () =>
    onPage(async (page) => {
      const target = new URL(api.server.url);
      // Passes every request on, streams included; refuses upgrades, as some proxies do.
      const through = createServer((req, res) => {
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
      proxy = through;
      through.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 501 Not Implemented\r\n\r\n'));
      await new Promise<void>((resolve) => through.listen(0, '127.0.0.1', resolve));
      const port = (through.address() as AddressInfo).port;

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
    }),
);

test.concurrent(
  'a dropped WebSocket reconnects after the frames it saw and misses none of an agent’s events',
  () =>
    onPage(async (page) => {
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

      // Its third turn waits until the connection has dropped: it is still at work then, and goes
      // on while the page reconnects (a second later).
      const dropped = `dropped-${randomUUID()}`;
      const id = await startAgent(10, 0, { turn: 2, gate: dropped });
      const toolCallsSeen = () =>
        connections.flatMap((c) => c.frames).filter((f) => f.subject === id && f.event === 'tool_call')
          .length;
      await until(
        async () => toolCallsSeen(),
        (n) => n >= 2,
        'two of its tool calls on the first connection',
      );

      // The connection drops (a proxy's idle timeout, a laptop's Wi-Fi): the page closes its side.
      await first!.close({ code: 1001, reason: 'going away' });
      await page.getByTestId('feed').filter({ hasText: 'connecting' }).waitFor();
      h.model.openGate(dropped);
      await until(
        async () => connections.length,
        (n) => n >= 2,
        'the page connecting again',
      );
      await page.getByTestId('feed').filter({ hasText: 'websocket' }).waitFor();
      await rowSays(page, id, 'completed');

      // Every event of the agent's log reaches the page, across the two connections. Waited for:
      // the row can say `completed` from the agent's own view (GET) before the feed's tick has
      // sent its last events.
      const heard = () =>
        new Set(
          connections
            .flatMap((c) => c.frames)
            .filter((f) => f.subject === id && f.source === 'agent' && f.event !== 'model_text')
            .map((f) => (f.data as { seq: number }).seq),
        );
      const logged = await loggedSeqs(id);
      expect(logged.length).toBeGreaterThanOrEqual(20);
      await until(
        async () => logged.filter((seq) => !heard().has(seq)),
        (missing) => missing.length === 0,
        "every event of the agent's log heard",
      );
      expect(toolCallsSeen()).toBeGreaterThanOrEqual(10);
      // It resumed after a frame it had (frames still on their way when the socket dropped are lost
      // with it): the server replayed what came after, with no resync.
      const after = new URL(connections[1].url).searchParams.get('after');
      expect(connections[0].frames.map((f) => f.id)).toContain(after);
      expect(connections[1].frames.map((f) => f.event)).not.toContain('resync');
    }),
);
