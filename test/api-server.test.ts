/**
 * The API process itself: it refuses to listen openly without tokens, refuses bad token
 * configuration with the field named, answers 503 when Temporal is gone, never logs a
 * token, and ends live streams on shutdown.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { startApi, type ApiOptions } from '../src/api/server';
import { closeConnection } from '../src/temporal/connection';
import { TokenTable } from '../src/api/tokens';
import { useHarness } from './helpers/harness';
import { startTestApi, TOKENS_JSON, USERS } from './helpers/api';
import { CLI, runCli } from './helpers/cli';
import { startScratchServer } from './helpers/scratch-server';
import { readSse } from './helpers/sse';

const h = useHarness();

const config = (api: Partial<ApiOptions['config']['api']> = {}): ApiOptions['config'] => ({
  taskQueue: 'unused',
  model: 'm',
  user: 'local',
  workspace: 'default',
  api: { host: '127.0.0.1', port: 0, ...api },
  staleAfterSeconds: 120,
  temporalAddress: h.address,
  namespace: 'default',
});
const quiet = pino({ level: 'silent' });
// Each test starts API servers (and a Temporal server) of its own: they run at the same time.

test.concurrent(
  'without tokens the API listens on loopback only, and there everyone is the local user',
  async () => {
    await expect(
      startApi({ client: h.client, config: config({ host: '0.0.0.0' }), log: quiet }),
    ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 without tokens/);
    const open = await startTestApi(h, { tokens: null });
    try {
      const r = await open.call(undefined, 'POST', '/sessions', { cwd: await h.tempDir() });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ owner: 'local', workspace: 'default' });
    } finally {
      await open.close();
    }
    const guarded = await startApi({
      client: h.client,
      config: config({ host: '0.0.0.0', tokens: TOKENS_JSON }),
      log: quiet,
    });
    await guarded.close();
  },
);

test.concurrent('a bad token configuration is refused with what is wrong, naming the field', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-tokens-'));
  const file = path.join(dir, 'tokens.json');
  await writeFile(file, JSON.stringify({ users: [{ id: 'al', token: 'short', workspaces: ['w'] }] }));
  expect(() => TokenTable.load({ tokensFile: file })).toThrow(
    /at least 24 characters.*at users\[0\]\.token/s,
  );
  await writeFile(file, JSON.stringify({ users: [{ id: 'al', token: 'x'.repeat(30), workspaces: [] }] }));
  expect(() => TokenTable.load({ tokensFile: file })).toThrow(/workspaces/);
  const twice = { id: 'al', token: 'x'.repeat(30), workspaces: ['w'] };
  expect(() =>
    TokenTable.parse(JSON.stringify({ users: [twice, { ...twice, id: 'bo' }] }), 'inline'),
  ).toThrow(/share a token/);
  expect(() => TokenTable.load({ tokensFile: path.join(dir, 'missing.json') })).toThrow(/cannot read/);
  expect(() => TokenTable.load({ tokens: '{not json' })).toThrow(/ORCHESTRA_API_TOKENS: not JSON/);

  // A digest instead of the token itself works the same.
  const digest = createHash('sha256').update('y'.repeat(30)).digest('hex');
  const table = TokenTable.parse(
    JSON.stringify({ users: [{ id: 'al', tokenSha256: digest, workspaces: ['w'] }] }),
    'x',
  );
  expect(table.authenticate('y'.repeat(30))).toMatchObject({ user: 'al', workspaces: ['w'], admin: false });
  expect(table.authenticate('y'.repeat(29))).toBeUndefined();
});

test.concurrent('requests are logged one line each, with the user and never the token', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  const api = await startApi({
    client: h.client,
    config: config({ tokens: TOKENS_JSON }),
    log: pino({ level: 'info' }, sink),
  });
  try {
    await fetch(`${api.url}/api/v1/agents/nobody`, {
      headers: { authorization: `Bearer ${USERS.bob.token}` },
    });
    await fetch(`${api.url}/api/v1/agents`, {
      headers: { authorization: 'Bearer wrong-token-wrong-token-wrong' },
    });
  } finally {
    await api.close();
  }
  const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
  expect(requests).toEqual([
    expect.objectContaining({
      method: 'GET',
      path: '/api/v1/agents/nobody',
      status: 404,
      user: 'bob',
      ms: expect.any(Number),
    }),
    expect.objectContaining({ method: 'GET', path: '/api/v1/agents', status: 401 }),
  ]);
  const all = lines.join('\n');
  expect(all).not.toContain(USERS.bob.token);
  expect(all).not.toContain('wrong-token');
});

test.concurrent(
  'with Temporal gone, requests are 503 with Retry-After and health says so; nothing is a 500',
  async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-gone-'));
    const server = await startScratchServer(dir);
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const api = await startApi({
      client,
      config: { ...config({ tokens: TOKENS_JSON }), temporalAddress: server.address },
      log: quiet,
      requestTimeoutMs: 1000,
    });
    const get = (p: string) =>
      fetch(`${api.url}/api/v1${p}`, { headers: { authorization: `Bearer ${USERS.alice.token}` } });
    try {
      expect((await get('/health')).status).toBe(200);
      await server.stop();
      const health = await get('/health');
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ error: { code: 'temporal_unavailable' } });
      for (const p of ['/agents/someone', '/agents', '/sessions', '/swarms/x']) {
        const r = await get(p);
        expect({ p, status: r.status }).toEqual({ p, status: 503 });
        expect(r.headers.get('retry-after')).toBe('5');
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe('temporal_unavailable');
      }
    } finally {
      await api.close();
      await closeConnection(client.connection);
    }
  },
);

test.concurrent(
  'shutdown ends live streams with a shutdown event, and the client can resume elsewhere',
  async () => {
    const api = await startTestApi(h);
    const { body } = await api.call('alice', 'POST', '/agents', {
      task: h.busyTask(300),
      cwd: await h.tempDir(),
      tuning: { modelHeartbeatTimeoutSeconds: 5 },
    });
    const reading = readSse(`${api.url}/agents/${body.id}/stream`, USERS.alice.token);
    // Long enough for the first look: a query waits for the run of local steps in flight and
    // for the next (the fast path's checkpoints come after a second of model time).
    await new Promise((r) => setTimeout(r, 4000));
    await api.close();
    const read = await reading;
    expect(read.ended).toBe(true);
    expect(read.events.at(-1)?.event).toBe('shutdown');
    expect(read.events.some((e) => e.event === 'agent_spawned')).toBe(true);
    await h.client.workflow.getHandle(`agent-${body.id}`).terminate('test over');
  },
);

test.concurrent(
  '`orchestra api` serves until SIGTERM and exits cleanly; without tokens it will not bind a public address',
  async () => {
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: h.address,
      ORCHESTRA_API_TOKENS: TOKENS_JSON,
      ORCHESTRA_LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, [CLI, 'api', '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /Orchestra API at (http:\/\/\S+\/api\/v1)/.exec(out);
        if (match) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`orchestra api exited: ${out}`)));
    });
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    // It says where its dashboard is, and the page is there.
    const dashboard = /dashboard at (http:\/\/\S+\/);/.exec(out)?.[1];
    expect(dashboard).toBe(url.replace(/api\/v1$/, ''));
    expect((await fetch(dashboard!)).headers.get('content-type')).toMatch(/^text\/html/);
    const agents = await fetch(`${url}/agents?limit=1`, {
      headers: { authorization: `Bearer ${USERS.carol.token}` },
    });
    expect(agents.status).toBe(200);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const refused = await runCli(['api', '--host', '0.0.0.0', '--port', '0'], {
      TEMPORAL_ADDRESS: h.address,
      ORCHESTRA_API_TOKENS: '',
      ORCHESTRA_API_TOKENS_FILE: '',
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without tokens/);
  },
);
