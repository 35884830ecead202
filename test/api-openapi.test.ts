/**
 * The OpenAPI document matches the routes Express serves (the schemathesis fuzz run over it is
 * test/api-fuzz.test.ts, a slow suite).
 */
import pino from 'pino';
import { createApp } from '../src/api/app';
import { ClosedViews } from '../src/api/closed-views';
import { LiveViews } from '../src/api/live-views';
import { QuickInspections } from '../src/api/quick-inspections';
import { Cursors } from '../src/api/cursor';
import { TokenTable } from '../src/api/tokens';
import { useHarness } from './helpers/harness';
import { useApi, TOKENS_JSON } from './helpers/api';

const h = useHarness();
const api = useApi(h);

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  match?: (path: string) => boolean;
}

test('the OpenAPI document lists exactly the routes Express serves, with their methods and parameters', async () => {
  const { app } = createApp({
    deps: {
      client: h.client,
      defaults: { taskQueue: 'x', model: 'm' },
      tokens: TokenTable.parse(TOKENS_JSON, 'test'),
      openUser: 'local',
      openWorkspace: 'default',
      staleAfterMs: 1,
      pollMs: 1,
      requestTimeoutMs: 1,
      queryTimeoutMs: 1,
      maxBodyBytes: 1,
      streams: new Set(),
      cursors: new Cursors(),
      closedViews: new ClosedViews(),
      liveViews: new LiveViews(1),
      inspections: new QuickInspections(),
    },
    log: pino({ level: 'silent' }),
    temporal: { address: h.address, namespace: 'default', connection: h.client.connection },
  });
  // What Express will answer: every route layer of the mounted router, as "METHOD /path".
  const served: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          served.push(`${method.toUpperCase()} ${prefix}${layer.route.path}`);
        // The API's router, mounted at /api/v1; the dashboard's, at the root, serves the page, not the API.
      } else if (layer.handle?.stack && !layer.match?.('/')) walk(layer.handle.stack, '/api/v1');
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');

  const doc = (await api.call(undefined, 'GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string }> }>>;
  };
  const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
  );
  expect(documented.sort()).toEqual(served.sort());
  for (const [p, ops] of Object.entries(doc.paths)) {
    const inPath = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const op of Object.values(ops)) {
      expect(op.parameters.filter((x) => x.in === 'path').map((x) => x.name)).toEqual(inPath);
    }
  }
  // The routes are all there.
  for (const route of [
    'POST /api/v1/agents',
    'GET /api/v1/agents',
    'GET /api/v1/agents/:id',
    'POST /api/v1/agents/:id/pause',
    'POST /api/v1/agents/:id/resume',
    'POST /api/v1/agents/:id/message',
    'DELETE /api/v1/agents/:id',
    'GET /api/v1/agents/:id/events',
    'GET /api/v1/agents/:id/transcript',
    'GET /api/v1/agents/:id/stream',
    'GET /api/v1/workspaces/:id/agent-sessions',
    'POST /api/v1/sessions',
    'GET /api/v1/sessions',
    'GET /api/v1/sessions/:id',
    'DELETE /api/v1/sessions/:id',
    'POST /api/v1/swarms',
    'GET /api/v1/swarms/:id',
    'POST /api/v1/swarms/:id/pause',
    'POST /api/v1/swarms/:id/resume',
    'DELETE /api/v1/swarms/:id',
    'GET /api/v1/swarms/:id/stream',
    'GET /api/v1/health',
    'GET /api/v1/openapi.json',
  ]) {
    expect(served).toContain(route);
  }
});
