/** The control API over real HTTP, dev server and worker; tests timed by the API's waits run alone. */
import { useHarness, waitForStatus } from './helpers/harness';
import { useApi } from './helpers/api';
import { until } from './helpers/poll';

const h = useHarness();
const api = useApi(h);

const tuning = { modelHeartbeatTimeoutSeconds: 5 };
// Busy agents must outlive their test, however fast each step is.
const spawnBody = async (task: string, extra: object = {}) => ({
  task,
  cwd: await h.tempDir(),
  tuning,
  limits: { maxIterations: 5000 },
  ...extra,
});

test('health says Temporal is reachable, and the OpenAPI document is served, both without a token', async () => {
  const health = await api.call(undefined, 'GET', '/health');
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ status: 'ok', temporal: { reachable: true, address: h.address } });
  const doc = await api.call(undefined, 'GET', '/openapi.json');
  expect(doc.status).toBe(200);
  expect(doc.body.openapi).toBe('3.1.0');
});

test.concurrent('no token or a wrong one is 401; a token never shows up in an answer', async () => {
  const attempts: Array<Record<string, string>> = [
    {},
    { authorization: 'Bearer not-a-real-token-at-all' },
    { authorization: 'Basic abc' },
  ];
  for (const headers of attempts) {
    const r = await api.call(undefined, 'GET', '/agents', undefined, headers);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
    expect(JSON.stringify(r.body)).not.toContain('not-a-real-token');
  }
});

test('spawn, status, events and transcript of an agent that runs to the end', async () => {
  const task = h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'all done' }]);
  const spawned = await api.call('alice', 'POST', '/agents', await spawnBody(task, { name: 'lister' }));
  expect(spawned.status).toBe(201);
  expect(spawned.body).toMatchObject({ workspace: 'acme', owner: 'alice' });
  const { id } = spawned.body;
  expect(spawned.headers.get('location')).toBe(`/api/v1/agents/${id}`);

  const done = await until(
    () => api.call('alice', 'GET', `/agents/${id}`),
    // The status turns completed a moment before the workflow itself closes.
    (r) => r.body.status === 'completed' && r.body.temporalStatus === 'COMPLETED',
    'the agent did not complete',
  );
  expect(done.body).toMatchObject({
    id,
    name: 'lister',
    result: 'all done',
    toolCalls: 1,
    iterations: 2,
    owner: 'alice',
    workspace: 'acme',
    stale: false,
    temporalStatus: 'COMPLETED',
  });

  const events = await api.call('alice', 'GET', `/agents/${id}/events?after=0&limit=3`);
  expect(events.status).toBe(200);
  expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(['spawned', 'task', 'status']);
  const rest = await api.call('alice', 'GET', `/agents/${id}/events?after=${events.body.last}`);
  expect(rest.body.events[0].seq).toBe(4);
  expect(rest.body.events.map((e: { type: string }) => e.type)).toContain('tool_result');

  const transcript = await api.call('alice', 'GET', `/agents/${id}/transcript`);
  expect(transcript.status).toBe(200);
  expect(transcript.body.messages.map((m: { role: string }) => m.role)).toEqual([
    'user',
    'assistant',
    'user',
    'assistant',
  ]);
});

test('pause, message, resume, cancel a running agent; refused transitions are 409', async () => {
  const { body } = await api.call('alice', 'POST', '/agents', await spawnBody(h.busyTask(200)));
  const id: string = body.id;
  await waitForStatus(h.client, id, (v) => v.status === 'running');

  const resumeRunning = await api.call('alice', 'POST', `/agents/${id}/resume`, {});
  expect(resumeRunning.status).toBe(409);
  expect(resumeRunning.body.error).toMatchObject({ code: 'invalid_transition' });
  expect(resumeRunning.body.error.message).toMatch(/running/);

  const paused = await api.call('alice', 'POST', `/agents/${id}/pause`, { reason: 'lunch' });
  expect(paused.status).toBe(202);
  expect(paused.body).toMatchObject({ id, action: 'pause', statusBefore: 'running' });
  await until(
    () => api.call('alice', 'GET', `/agents/${id}`),
    (r) => r.body.status === 'paused',
    'not paused',
  );
  expect((await api.call('alice', 'GET', `/agents/${id}`)).body.pausedReason).toBe('lunch');

  expect(
    (await api.call('alice', 'POST', `/agents/${id}/message`, { content: 'also check the tests' })).status,
  ).toBe(202);
  // A pause with no body at all is fine too: the body of a control request is optional.
  expect((await api.call('alice', 'POST', `/agents/${id}/pause`)).status).toBe(409);
  expect((await api.call('alice', 'POST', `/agents/${id}/resume`)).status).toBe(202);
  await until(
    () => api.call('alice', 'GET', `/agents/${id}`),
    (r) => r.body.status === 'running',
    'not resumed',
  );
  const events = await api.call('alice', 'GET', `/agents/${id}/events?limit=1000`);
  expect(events.body.events).toContainEqual(
    expect.objectContaining({ type: 'message', text: 'also check the tests' }),
  );

  const cancelled = await api.call('alice', 'DELETE', `/agents/${id}`, { reason: 'enough' });
  expect(cancelled.status).toBe(202);
  await until(
    () => api.call('alice', 'GET', `/agents/${id}`),
    (r) => r.body.status === 'cancelled',
    'not cancelled',
  );
  // The history is kept: the agent can still be read.
  expect((await api.call('alice', 'GET', `/agents/${id}/transcript`)).status).toBe(200);
  const again = await api.call('alice', 'DELETE', `/agents/${id}`);
  expect(again.status).toBe(409);
  expect(again.body.error.message).toMatch(/nothing leaves cancelled/);
  expect((await api.call('alice', 'POST', `/agents/${id}/pause`, {})).status).toBe(409);
});

test.concurrent('bad input is a 400 with the field named, never a 500', async () => {
  const cwd = await h.tempDir();
  const cases: Array<[string, string, unknown, RegExp]> = [
    ['POST', '/agents', '{"task": "x", ', /not valid JSON/],
    ['POST', '/agents', { task: 5, cwd }, /task/],
    ['POST', '/agents', { task: 'x', cwd, colour: 'blue' }, /colour/],
    ['POST', '/agents', { task: 'x'.repeat(100_001), cwd }, /task/],
    ['POST', '/agents', { task: 'x', cwd: 'relative/dir' }, /absolute/],
    ['POST', '/agents', { task: 'x', cwd, limits: { maxIterations: -1 } }, /maxIterations/],
    ['POST', '/agents', [1, 2], /expected object/],
    ['POST', '/agents', 'null', /not valid JSON|expected object/],
    ['GET', '/agents?limit=abc', undefined, /limit/],
    ['GET', '/agents?status=sleeping', undefined, /status/],
    ['GET', '/agents?sessionId=a%00b', undefined, /sessionId/],
    ['GET', '/agents?colour=blue', undefined, /colour/],
    ['GET', '/agents?cursor=not*a*cursor', undefined, /cursor/],
    ['GET', '/agents?cursor=AAAA', undefined, /cursor/],
    ['GET', '/agents?cursor=AAAA.AAAAAAAAAAAAAAAAAAAAAA', undefined, /cursor/],
    ['GET', '/agents/bad%20id!', undefined, /id/],
    ['GET', '/agents/x/events?after=-1', undefined, /after/],
    ['POST', '/agents/x/message', { content: '' }, /content/],
    ['POST', '/agents/x/pause', { reason: 7 }, /reason/],
    ['POST', '/swarms', { spec: { strategy: 'parallel', task: 't', agents: [] }, cwd }, /agents/],
    ['POST', '/sessions', { cwd, id: 'has spaces' }, /id/],
  ];
  for (const [method, path, body, message] of cases) {
    const r = await api.call('alice', method, path, body);
    expect({ method, path, status: r.status }).toEqual({ method, path, status: 400 });
    expect(r.body.error.message).toMatch(message);
    expect(['invalid_request', 'malformed_json', 'bad_request']).toContain(r.body.error.code);
  }
});

test('a body past the limit is 413; unknown ids and routes are 404; a taken id is 409', async () => {
  const big = await api.call('alice', 'POST', '/agents', { task: 'x'.repeat(2 * 1024 * 1024), cwd: '/tmp' });
  expect(big.status).toBe(413);
  expect(big.body.error.code).toBe('body_too_large');

  for (const path of [
    '/agents/nobody-here',
    '/agents/nobody-here/events',
    '/swarms/nobody',
    '/sessions/nobody',
  ]) {
    const r = await api.call('alice', 'GET', path);
    expect({ path, status: r.status, code: r.body.error.code }).toEqual({
      path,
      status: 404,
      code: 'not_found',
    });
  }
  expect((await api.call('alice', 'POST', '/agents/nobody-here/pause', {})).status).toBe(404);
  expect((await api.call('alice', 'GET', '/no/such/route')).status).toBe(404);

  const id = `taken-${Date.now()}`;
  const first = await api.call(
    'alice',
    'POST',
    '/agents',
    await spawnBody(h.script([{ text: 'ok' }]), { id }),
  );
  expect(first.status).toBe(201);
  const second = await api.call(
    'alice',
    'POST',
    '/agents',
    await spawnBody(h.script([{ text: 'ok' }]), { id }),
  );
  expect(second.status).toBe(409);
  expect(second.body.error.code).toBe('already_exists');
});

test('sessions: create, list, read, pause, resume and cancel; agents join them; lists page with a cursor', async () => {
  const created = await api.call('alice', 'POST', '/sessions', {
    cwd: await h.tempDir(),
    directives: 'be brief',
  });
  expect(created.status).toBe(201);
  const session: string = created.body.id;
  expect(created.body).toMatchObject({ workspace: 'acme', owner: 'alice' });

  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await api.call(
      'alice',
      'POST',
      '/agents',
      await spawnBody(h.script([{ text: `a${i}` }]), { sessionId: session }),
    );
    expect(r.status).toBe(201);
    ids.push(r.body.id);
  }
  // The list's order changes as agents end (by close time): page once all three have ended.
  await until(
    () => api.call('alice', 'GET', `/agents?sessionId=${session}&limit=200`),
    (r) =>
      r.body.items.length === 3 &&
      r.body.items.every((a: { temporalStatus: string }) => a.temporalStatus === 'COMPLETED'),
    'the three agents did not all end',
  );
  const first = await until(
    () => api.call('alice', 'GET', `/agents?sessionId=${session}&limit=2`),
    (r) => r.body.items.length === 2 && r.body.nextCursor !== undefined,
    'no first page',
  );
  const second = await until(
    () => api.call('alice', 'GET', `/agents?sessionId=${session}&limit=2&cursor=${first.body.nextCursor}`),
    (r) => r.body.items.length === 1,
    'no second page',
  );
  expect(second.body.nextCursor).toBeUndefined();
  expect([...first.body.items, ...second.body.items].map((a: { id: string }) => a.id).sort()).toEqual(
    [...ids].sort(),
  );
  expect(first.body.items[0]).toMatchObject({ workspace: 'acme', owner: 'alice', sessionId: session });

  const listed = await until(
    () => api.call('bob', 'GET', '/sessions?limit=200'),
    (r) => r.body.items.some((s: { id: string }) => s.id === session),
    'session not listed',
  );
  expect(listed.status).toBe(200);
  const read = await api.call('alice', 'GET', `/sessions/${session}`);
  expect(read.body).toMatchObject({ id: session, status: 'running', directives: 'be brief', owner: 'alice' });
  expect(read.body.members).toHaveLength(3);

  expect((await api.call('alice', 'POST', `/sessions/${session}/pause`, { reason: 'hold' })).status).toBe(
    202,
  );
  expect((await api.call('alice', 'POST', `/sessions/${session}/resume`)).status).toBe(202);
  expect((await api.call('alice', 'DELETE', `/sessions/${session}`)).status).toBe(202);
  await until(
    () => api.call('alice', 'GET', `/sessions/${session}`),
    (r) => r.body.status === 'cancelled',
    'not cancelled',
  );
  expect((await api.call('alice', 'DELETE', `/sessions/${session}`)).status).toBe(409);
});

test.concurrent('swarms: start from a spec, read, list, events, pause, resume and cancel', async () => {
  const done = await api.call('alice', 'POST', '/swarms', {
    spec: {
      strategy: 'parallel',
      task: h.script([{ text: 'same' }], { repeatLast: true }),
      agents: [{}, {}],
      merge: 'vote',
    },
    cwd: await h.tempDir(),
    tuning,
  });
  expect(done.status).toBe(201);
  const finished = await until(
    () => api.call('alice', 'GET', `/swarms/${done.body.id}`),
    (r) => r.body.status === 'completed',
    'swarm did not complete',
  );
  expect(finished.body).toMatchObject({
    strategy: 'parallel',
    result: 'same',
    owner: 'alice',
    workspace: 'acme',
  });
  const events = await api.call('alice', 'GET', `/swarms/${done.body.id}/events`);
  const types = events.body.events.map((e: { type: string }) => e.type);
  expect(types.filter((t: string) => t === 'spawned')).toHaveLength(2);
  expect(types.at(-1)).toBe('status');
  await until(
    () => api.call('alice', 'GET', '/swarms?limit=200'),
    (r) => r.body.items.some((s: { id: string }) => s.id === done.body.id),
    'swarm not listed',
  );
  // Its agents are listed with the swarm they work in (the dashboard's swarm filter and 3D lines).
  await until(
    () => api.call('alice', 'GET', '/agents?limit=200'),
    (r) => r.body.items.filter((a: { swarmId?: string }) => a.swarmId === done.body.id).length === 2,
    "the swarm's agents not listed with their swarm",
  );

  const busy = await api.call('alice', 'POST', '/swarms', {
    spec: { strategy: 'parallel', task: h.busyTask(200), agents: [{}, {}] },
    cwd: await h.tempDir(),
    tuning,
  });
  const id: string = busy.body.id;
  expect((await api.call('alice', 'POST', `/swarms/${id}/resume`)).status).toBe(409);
  expect((await api.call('alice', 'POST', `/swarms/${id}/pause`, { reason: 'wait' })).status).toBe(202);
  await until(
    () => api.call('alice', 'GET', `/swarms/${id}`),
    (r) => r.body.status === 'paused',
    'not paused',
  );
  expect((await api.call('alice', 'POST', `/swarms/${id}/resume`)).status).toBe(202);
  expect((await api.call('alice', 'DELETE', `/swarms/${id}`)).status).toBe(202);
  const cancelled = await until(
    () => api.call('alice', 'GET', `/swarms/${id}`),
    (r) => r.body.status === 'cancelled',
    'not cancelled',
  );
  expect(cancelled.body.agents.every((a: { status: string }) => a.status === 'cancelled')).toBe(true);
  const swarmEvents = await api.call('alice', 'GET', `/swarms/${id}/events?limit=1000`);
  expect(swarmEvents.body.events.filter((e: { type: string }) => e.type === 'killed')).toHaveLength(2);
});

test.concurrent('a workspace lists the agents running in it, whoever owns them', async () => {
  const mine = await api.call('alice', 'POST', '/agents', await spawnBody(h.busyTask(300)));
  const bobs = await api.call('bob', 'POST', '/agents', await spawnBody(h.busyTask(300)));
  const listed = await until(
    () => api.call('bob', 'GET', '/workspaces/acme/agent-sessions?limit=200'),
    (r) => [mine.body.id, bobs.body.id].every((id) => r.body.items.some((a: { id: string }) => a.id === id)),
    'running agents not listed',
  );
  const items: Array<{ id: string; workspace: string; temporalStatus: string; stale: boolean }> =
    listed.body.items;
  expect(items.every((a) => a.workspace === 'acme')).toBe(true);
  // Other suites' agents may be ending as this runs: these two are the ones this test knows about.
  for (const id of [mine.body.id, bobs.body.id])
    expect(items.find((a) => a.id === id)).toMatchObject({ temporalStatus: 'RUNNING', stale: false });
  expect((await api.call('carol', 'GET', '/workspaces/acme/agent-sessions')).status).toBe(404);
  await api.call('alice', 'DELETE', `/agents/${mine.body.id}`);
  await api.call('bob', 'DELETE', `/agents/${bobs.body.id}`);
});
