/** Ownership: strangers see nothing (404), members look but do not touch (403), owners and operators do. */
import { useHarness, waitForStatus } from './helpers/harness';
import { expectEachNotFound, runningAgent, useApi } from './helpers/api';
import { until } from './helpers/poll';

const h = useHarness();
const api = useApi(h);
// Each test only touches agents, sessions and swarms of its own (ids of its own): they run at the
// same time.

const tuning = { modelHeartbeatTimeoutSeconds: 5 };

const alicesAgent = () => runningAgent(h, api, 'alice');

test.concurrent(
  "a user of another workspace cannot see, list, pause, follow or cancel alice's agent",
  async () => {
    const id = await alicesAgent();
    // Exactly what an unknown id gets: nothing says the agent exists.
    await expectEachNotFound(
      api,
      'carol',
      [
        ['GET', `/agents/${id}`],
        ['GET', `/agents/${id}/events`],
        ['GET', `/agents/${id}/transcript`],
        ['GET', `/agents/${id}/stream`],
        ['POST', `/agents/${id}/pause`, {}],
        ['POST', `/agents/${id}/message`, { content: 'hi' }],
        ['DELETE', `/agents/${id}`],
      ],
      `no agent with id "${id}"`,
    );
    const listed = await api.call('carol', 'GET', '/agents?limit=200');
    expect(listed.body.items.map((a: { id: string }) => a.id)).not.toContain(id);
    const asked = await api.call('carol', 'GET', '/agents?workspace=acme');
    expect(asked.body.items).toEqual([]);
    expect(
      (await api.call('carol', 'POST', '/agents', { task: 'x', cwd: await h.tempDir(), workspace: 'acme' }))
        .status,
    ).toBe(403);
    expect((await api.call('alice', 'GET', `/agents/${id}`)).body.status).toBe('running');
    await api.call('alice', 'DELETE', `/agents/${id}`);
  },
);

test.concurrent(
  'a member of the workspace who does not own the agent can list and read it, but not control it',
  async () => {
    const id = await alicesAgent();
    const seen = await api.call('bob', 'GET', `/agents/${id}`);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ id, owner: 'alice', workspace: 'acme' });
    expect((await api.call('bob', 'GET', `/agents/${id}/events`)).status).toBe(200);
    const listed = async () =>
      (await api.call('bob', 'GET', '/agents?limit=200&workspace=acme')).body.items.map(
        (a: { id: string }) => a.id,
      ) as string[];
    expect(await until(listed, (ids) => ids.includes(id), `${id} listed for bob`, 15_000)).toContain(id);

    for (const [method, path, body, action] of [
      ['POST', `/agents/${id}/pause`, {}, 'pause'],
      ['POST', `/agents/${id}/resume`, {}, 'resume'],
      ['POST', `/agents/${id}/message`, { content: 'hi' }, 'message'],
      ['DELETE', `/agents/${id}`, undefined, 'cancel'],
    ] as const) {
      const r = await api.call('bob', method, path, body);
      expect({ action, status: r.status, code: r.body.error?.code }).toEqual({
        action,
        status: 403,
        code: 'forbidden',
      });
      expect(r.body.error.message).toBe(`only the agent's owner (alice) may ${action} it`);
    }
    expect((await api.call('alice', 'GET', `/agents/${id}`)).body.status).toBe('running');

    // An operator (admin) may step in.
    expect((await api.call('ops', 'POST', `/agents/${id}/pause`, { reason: 'ops' })).status).toBe(202);
    await waitForStatus(h.client, id, (v) => v.status === 'paused');
    expect((await api.call('alice', 'DELETE', `/agents/${id}`)).status).toBe(202);
  },
);

test.concurrent(
  "only a session's owner adds to it and controls it; only a swarm's owner controls it",
  async () => {
    const session = (await api.call('alice', 'POST', '/sessions', { cwd: await h.tempDir() })).body.id;
    const cwd = await h.tempDir();
    const join = await api.call('bob', 'POST', '/agents', { task: 'x', cwd, sessionId: session });
    expect(join.status).toBe(403);
    expect(join.body.error.message).toMatch(/session's owner \(alice\) may add agents to it/);
    expect((await api.call('carol', 'POST', '/agents', { task: 'x', cwd, sessionId: session })).status).toBe(
      404,
    );
    expect((await api.call('bob', 'GET', `/sessions/${session}`)).status).toBe(200);
    expect((await api.call('bob', 'DELETE', `/sessions/${session}`)).status).toBe(403);
    expect((await api.call('carol', 'GET', `/sessions/${session}`)).status).toBe(404);
    const carolsSessions = await api.call('carol', 'GET', '/sessions?limit=200');
    expect(carolsSessions.body.items.map((s: { id: string }) => s.id)).not.toContain(session);

    const swarm = await api.call('alice', 'POST', '/swarms', {
      spec: { strategy: 'parallel', task: h.busyTask(300), agents: [{}] },
      cwd,
      tuning,
      sessionId: session,
    });
    expect(swarm.status).toBe(201);
    expect(swarm.body.workspace).toBe('acme');
    expect((await api.call('bob', 'POST', `/swarms/${swarm.body.id}/pause`, {})).status).toBe(403);
    expect((await api.call('carol', 'GET', `/swarms/${swarm.body.id}`)).status).toBe(404);
    expect((await api.call('carol', 'GET', `/swarms/${swarm.body.id}/stream`)).status).toBe(404);
    expect((await api.call('alice', 'DELETE', `/sessions/${session}`)).status).toBe(202);
  },
);

test.concurrent(
  "nobody takes a finished agent's id, nor the id a subagent or swarm member will have",
  async () => {
    const id = `mine-${Date.now()}`;
    const done = await api.call('alice', 'POST', '/agents', {
      task: h.script([{ text: 'ok' }]),
      cwd: await h.tempDir(),
      id,
    });
    expect(done.status).toBe(201);
    await waitForStatus(h.client, id, (v) => v.status === 'completed');
    // Before, a finished agent's id was free: carol's run took it, and alice's look found carol's agent.
    const taken = await api.call('carol', 'POST', '/agents', { task: 'x', cwd: await h.tempDir(), id });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('already_exists');
    const again = await api.call('alice', 'POST', '/agents', { task: 'x', cwd: await h.tempDir(), id });
    expect(again.status).toBe(409);
    expect(await api.call('alice', 'GET', `/agents/${id}`)).toMatchObject({
      status: 200,
      body: { id, status: 'completed', result: 'ok', workspace: 'acme' },
    });
    // `<parent>.<n>` is a subagent's or a swarm member's id: taking it first would make the parent's start fail.
    const dotted = await api.call('carol', 'POST', '/agents', {
      task: 'x',
      cwd: await h.tempDir(),
      id: `${id}.1`,
    });
    expect(dotted.status).toBe(400);
    expect(dotted.body.error.message).toMatch(/"\." is kept for subagents and swarm members/);
  },
);

test.concurrent('an agent and a swarm never share an id: their members would share ids', async () => {
  const id = `shared-${Date.now()}`;
  const agent = await api.call('alice', 'POST', '/agents', {
    task: h.script([{ text: 'ok' }]),
    cwd: await h.tempDir(),
    id,
  });
  expect(agent.status).toBe(201);
  const spec = { strategy: 'parallel', task: h.script([{ text: 'ok' }]), merge: 'all', agents: [{}] };
  const swarm = await api.call('carol', 'POST', '/swarms', { spec, cwd: await h.tempDir(), id });
  expect(swarm).toMatchObject({ status: 409, body: { error: { code: 'already_exists' } } });
  const other = `swarm-first-${Date.now()}`;
  expect(
    (await api.call('carol', 'POST', '/swarms', { spec, cwd: await h.tempDir(), id: other })).status,
  ).toBe(201);
  const taken = await api.call('alice', 'POST', '/agents', {
    task: 'x',
    cwd: await h.tempDir(),
    id: other,
  });
  expect(taken).toMatchObject({ status: 409, body: { error: { code: 'already_exists' } } });
});
