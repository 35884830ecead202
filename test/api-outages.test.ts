/**
 * The control API with Temporal gone, and under many readers: it answers 503 with Retry-After
 * within its budget when Temporal is down (and at once once it knows), is back within seconds
 * of Temporal, and caps and shares live streams.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createServer, type Server, type Socket } from 'node:net';
import {
  Client,
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';
import { connectClient } from '../src/temporal/connection';
import type { DevServer } from '../src/temporal/dev-server';
import { useHarness } from './helpers/harness';
import { localApis, TOKENS_JSON, USERS } from './helpers/api';
import { until } from './helpers/poll';
import { freePort } from './helpers/ports';
import { openStream, rawRequest, type OpenStream } from './helpers/raw-http';
import { startScratchServer } from './helpers/scratch-server';
import { readSse } from './helpers/sse';

const h = useHarness();
const start = localApis(h);
const bearer = (user: keyof typeof USERS) => ({ authorization: `Bearer ${USERS[user].token}` });
const json = { 'content-type': 'application/json' };

/** A TCP port that accepts connections and never says a word: a server lost behind a firewall. */
async function blackHole(): Promise<{ address: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${port}`,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('with Temporal down', () => {
  test('a server that never answers: the 503 comes within the budget, with Retry-After', async () => {
    const hole = await blackHole();
    const client = new Client({ connection: Connection.lazy({ address: hole.address }) });
    try {
      const api = await start({}, { client, address: hole.address, requestTimeoutMs: 2000 });
      const r = await rawRequest(`${api.base}/agents`);
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('5');
      expect(r.body.error.code).toBe('temporal_unavailable');
      // The budget, plus slack for a loaded machine; not the budget plus the client's retries.
      expect(r.ms).toBeLessThan(2000 + 1500);
      const stream = await openStream(`${api.base}/agents/someone/stream`);
      stream.close();
      expect(stream.status).toBe(503);
      expect(stream.ms).toBeLessThan(2000 + 1500);
    } finally {
      await client.connection.close();
      await hole.close();
    }
  });

  test('GET, POST and streams are 503 with Retry-After within the budget; back within seconds of Temporal', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-down-'));
    const port = await freePort();
    let server: DevServer | undefined = await startScratchServer(dir, port);
    // The client the product uses (`orchestra api`): its reconnect backoff is bounded.
    const client = await connectClient({ temporalAddress: server.address, namespace: 'default' });
    try {
      const api = await start({}, { client, address: server.address });
      const get = () => rawRequest(`${api.base}/agents?limit=1`);
      expect((await get()).status).toBe(200);

      await server.stop();
      server = undefined;
      const figures: Record<string, number> = {};
      const expect503 = (
        what: string,
        r: { status: number; headers: Record<string, unknown>; ms: number },
      ) => {
        figures[what] = r.ms;
        expect({ what, status: r.status, retryAfter: r.headers['retry-after'] }).toEqual({
          what,
          status: 503,
          retryAfter: '5',
        });
        // Within the API's own 10 s deadline (plus slack for a loaded machine), never past it.
        expect(r.ms).toBeLessThan(10_000 + 1500);
      };
      const first = await get();
      expect503('first GET', first);
      expect(first.body.error.code).toBe('temporal_unavailable');
      expect503('second GET', await get());
      expect503(
        'POST',
        await rawRequest(`${api.base}/agents`, {
          method: 'POST',
          headers: json,
          body: JSON.stringify({ task: 'x', cwd: dir }),
        }),
      );
      const stream = await openStream(`${api.base}/agents/someone/stream`);
      stream.close();
      expect503('stream', stream);
      const health = await rawRequest(`${api.base}/health`);
      expect503('health', health);
      expect(health.body.error.details).toMatchObject({ address: expect.any(String) });
      // Once the connection is known down, the answer does not wait at all.
      expect(figures['second GET']).toBeLessThan(3000);

      await new Promise((r) => setTimeout(r, 5000)); // down for a while: the reconnect backoff grows
      server = await startScratchServer(dir, port);
      const back = Date.now();
      const r = await until(get, (answer) => answer.status === 200, 'a list answered once Temporal is back');
      figures['recovered after'] = Date.now() - back;
      console.log(`with Temporal down (ms): ${JSON.stringify(figures)}`);
      expect(r.status).toBe(200);
      expect(figures['recovered after']).toBeLessThan(6000);
    } finally {
      // Calls the API gave up on may still be retried by the client for a few seconds.
      setTimeout(() => void client.connection.close(), 20_000).unref();
      await server?.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('live streams', () => {
  /** An agent through the API, its model calls on the queue (so that queries of it answer at once). */
  const spawn = async (base: string, task: string) => {
    const r = await rawRequest(`${base}/agents`, {
      method: 'POST',
      headers: { ...json, ...bearer('alice') },
      body: JSON.stringify({
        task,
        cwd: await h.tempDir(),
        tuning: { modelHeartbeatTimeoutSeconds: 5, localModelCallMs: 0 },
      }),
    });
    expect(r.status).toBe(201);
    return r.body.id as string;
  };
  const stop = (id: string) => h.client.workflow.getHandle(`agent-${id}`).terminate('test over');

  test('a user may hold so many streams at once: past it a 429 with Retry-After, and a closed one frees its slot', async () => {
    const api = await start({ tokens: TOKENS_JSON, streamsPerUser: 2 });
    const id = await spawn(api.base, h.busyTask(300));
    const url = `${api.base}/agents/${id}/stream`;
    const held: OpenStream[] = [];
    try {
      for (let i = 0; i < 2; i++) held.push(await openStream(url, bearer('alice')));
      expect(held.map((s) => s.status)).toEqual([200, 200]);
      const third = await rawRequest(url, { headers: bearer('alice') });
      expect(third.status).toBe(429);
      expect(third.headers['retry-after']).toBe('5');
      expect(third.body.error.code).toBe('too_many_streams');
      // The cap is each user's: another member of the workspace still gets one.
      const bobs = await openStream(url, bearer('bob'));
      held.push(bobs);
      expect(bobs.status).toBe(200);
      // Alice closes one; the server hears of it and her next stream is served.
      held.shift()!.close();
      // Each refused try is closed before the next.
      let tried: OpenStream | undefined;
      const next = await until(
        async () => {
          tried?.close();
          return (tried = await openStream(url, bearer('alice')));
        },
        (stream) => stream.status !== 429,
        "alice's stream served once the server hears hers closed",
        10_000,
      );
      held.push(next);
      expect(next.status).toBe(200);
    } finally {
      held.forEach((s) => s.close());
      await stop(id);
    }
  });

  test('the streams of one agent share its looks: ten cost about what one does, and each gets every event', async () => {
    // A client that counts the calls the API makes of Temporal.
    const calls = { describe: 0, query: 0 };
    type Interceptor = NonNullable<ConnectionOptions['interceptors']>[number];
    const counting: Interceptor = (options, nextCall) => {
      const method = (options as { method_definition?: { path?: string } }).method_definition?.path ?? '';
      if (method.endsWith('/DescribeWorkflowExecution')) calls.describe++;
      if (method.endsWith('/QueryWorkflow')) calls.query++;
      return nextCall(options) as ReturnType<Interceptor>;
    };
    const client = new Client({
      connection: await Connection.connect({
        address: h.address,
        interceptors: [counting, makeGrpcRetryInterceptor(defaultGrpcRetryOptions())],
      }),
    });
    try {
      const api = await start({ tokens: TOKENS_JSON }, { client });
      // Waiting on a long model call: its streams look every poll and find nothing new.
      const quiet = await spawn(api.base, h.busyTask(30_000));
      const url = `${api.base}/agents/${quiet}/stream`;
      const costOf = async (streams: number) => {
        const held = await Promise.all(
          Array.from({ length: streams }, () => openStream(url, bearer('alice'))),
        );
        await new Promise((r) => setTimeout(r, 1000)); // past the looks before they started
        const before = { ...calls };
        await new Promise((r) => setTimeout(r, 3000));
        const cost = calls.describe - before.describe + calls.query - before.query;
        held.forEach((s) => s.close());
        return cost;
      };
      const one = await costOf(1);
      const ten = await costOf(10);
      console.log(`Temporal calls in 3 s: one stream ${one}, ten streams on the same agent ${ten}`);
      expect(one).toBeGreaterThan(10);
      // Unshared, ten streams make ten times the calls; shared, about as many as one.
      expect(ten).toBeLessThan(one * 3);
      await stop(quiet);

      // Ten readers of an agent from its start to its end see every event, once, in order.
      const task = h.script([
        ...Array.from({ length: 4 }, () => ({
          toolCalls: [{ name: 'list_files', input: {} }],
          delayMs: 300,
        })),
        { text: 'done' },
      ]);
      const id = await spawn(api.base, task);
      const reads = await Promise.all(
        Array.from({ length: 10 }, () => readSse(`${api.base}/agents/${id}/stream`, USERS.alice.token)),
      );
      for (const read of reads) {
        expect(read.ended).toBe(true);
        expect(read.events.at(-1)).toMatchObject({ event: 'end', data: { status: 'completed' } });
        const seqs = read.events
          .filter((e) => e.id !== undefined && !e.id.includes(':'))
          .map((e) => Number(e.id));
        expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // 1, 2, 3, ...: none missed, none twice
        expect(read.events.filter((e) => e.event === 'tool_call')).toHaveLength(4);
      }
    } finally {
      setTimeout(() => void client.connection.close(), 20_000).unref();
    }
  });
});
