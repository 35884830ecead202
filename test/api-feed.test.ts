/* eslint-disable @typescript-eslint/no-explicit-any -- frames are read loosely; expect() checks them */
/** The feed: everything a user may see on one WebSocket (or SSE stream), steered over the same socket, resumable. */
import { randomUUID } from 'node:crypto';
import { until } from './helpers/poll';
import { useHarness, waitForStatus } from './helpers/harness';
import { startLocalApi, TOKENS_JSON, useApi, USERS } from './helpers/api';
import { FeedClient, hubTicks } from './helpers/feed';
import { readSse } from './helpers/sse';

const h = useHarness();
const api = useApi(h);
// The cost test's own API: its one user's workspace is no other suite's (they share the dev
// server), so its hub follows that test's agents alone and its counts are theirs.
const DANA = 'dana-token-0123456789abcdef-feed';
const alone = useApi(h, {
  tokens: JSON.stringify({ users: [{ id: 'dana', token: DANA, workspaces: [`feed-cost-${Date.now()}`] }] }),
});
const wsUrl = () => `${api.url.replace(/^http/, 'ws')}/ws`;
const clients: FeedClient[] = [];
const open = async (user: keyof typeof USERS, query = '') => {
  const client = await FeedClient.open(`${wsUrl()}${query}`, USERS[user].token);
  clients.push(client);
  return client;
};
// The tests touch only agents of their own (the cost test, an API of its own too): most run at
// the same time, and so get no afterEach.
afterAll(() => clients.splice(0).forEach((c) => c.close()));

const tuning = { modelHeartbeatTimeoutSeconds: 5, localModelCallMs: 0 };
const LONG_TEXT =
  'The change is done: I read the module, found the off-by-one in the pager, fixed it, ' +
  'added a test for the last page, and ran the whole suite, which passes. Nothing else changed.';

test.concurrent(
  'one WebSocket sees an agent it spawned at work, and steers another: message, pause, resume, kill',
  async () => {
    const feed = await open('alice');
    expect(feed.frames[0]).toMatchObject({ event: 'hello', source: 'feed', data: { user: 'alice' } });

    // Its reply is held halfway until the feed has carried some of it as it was written.
    const written = `feed-${randomUUID()}`;
    const task = h.script([
      { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 200 },
      { text: LONG_TEXT, textGate: written },
    ]);
    const spawned = await feed.command({
      type: 'spawn_agent',
      request: { task, cwd: await h.tempDir(), tuning },
    });
    expect(spawned).toMatchObject({ ok: true, result: { workspace: 'acme', owner: 'alice' } });
    const id = spawned.result.id as string;
    // Another, kept busy, steered over the socket below: started now, it is at work by then.
    const busy = (
      await feed.command({ type: 'spawn_agent', request: { task: h.busyTask(300), cwd: await h.tempDir() } })
    ).result.id as string;
    await feed.until(
      (f) => f.subject === id && f.event === 'model_text',
      'part of its reply as it is written',
    );
    h.model.openGate(written);
    await feed.status(id, 'completed');
    const frames = feed.about(id);
    const names = frames.map((f) => f.event);
    for (const name of [
      'agent_spawned',
      'agent_task',
      'tool_call',
      'tool_result',
      'tokens',
      'model_text',
      'message',
    ])
      expect(names).toContain(name);
    expect(frames.every((f) => f.source === 'agent' && f.workspace === 'acme' && f.owner === 'alice')).toBe(
      true,
    );
    expect(frames.find((f) => f.event === 'tool_call')?.data).toMatchObject({ tool: 'list_files' });
    // The wire names of the issue: a message's `content` (its `text` kept), a tool result's token
    // totals, those of the model call that asked for the tool (the `tokens` frame before it).
    expect(
      frames.find((f) => f.event === 'message' && (f.data as any).role === 'assistant')?.data,
    ).toMatchObject({ role: 'assistant', text: LONG_TEXT, content: LONG_TEXT });
    const asked = frames.find((f) => f.event === 'tokens')!.data as any;
    expect(frames.find((f) => f.event === 'tool_result')?.data).toMatchObject({
      tool: 'list_files',
      tokens: { input: asked.totalInput, output: asked.totalOutput },
    });
    expect(asked.totalInput).toBeGreaterThan(0);
    // Logged events arrive once each, in order; ids only grow.
    const seqs = frames.filter((f) => f.event !== 'model_text').map((f) => (f.data as any).seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    const ids = feed.frames.filter((f) => f.source !== 'feed').map((f) => Number(f.id.split('-')[1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // The busy one, steered over the socket.
    await feed.status(busy, 'running');
    expect(await feed.command({ type: 'send_message', agentId: busy, content: 'use pytest' })).toMatchObject({
      ok: true,
      result: { action: 'message' },
    });
    await feed.until(
      (f) => f.subject === busy && f.event === 'message' && (f.data as any).text === 'use pytest',
      'the message',
    );
    expect(await feed.command({ type: 'pause_agent', agentId: busy, reason: 'lunch' })).toMatchObject({
      ok: true,
    });
    await feed.status(busy, 'paused');
    // A paused agent does not pause again: refused as the REST route refuses it (409).
    expect(await feed.command({ type: 'pause_agent', agentId: busy })).toMatchObject({
      ok: false,
      error: { code: 'invalid_transition' },
    });
    expect(await feed.command({ type: 'resume_agent', agentId: busy })).toMatchObject({ ok: true });
    await feed.until(
      (f) => f.subject === busy && (f.data as any).to === 'running' && (f.data as any).from === 'paused',
      'running again',
    );
    expect(await feed.command({ type: 'kill_agent', agentId: busy, reason: 'done' })).toMatchObject({
      ok: true,
    });
    // Read from the closing workflow: under load a read may be given up and asked again.
    await feed.until((f) => f.subject === busy && f.event === 'agent_killed', 'killed', 60_000);
  },
);

test.concurrent(
  'an approval shows up on the feed and is answered over it; strangers and members who do not own it are refused as REST refuses them',
  async () => {
    const feed = await open('alice');
    const bobs = await open('bob');
    const carols = await open('carol');
    const task = h.script([
      { toolCalls: [{ name: 'bash', input: { command: 'echo approved' } }] },
      { text: 'ran it' },
    ]);
    const { body } = await api.call('alice', 'POST', '/agents', {
      task,
      cwd: await h.tempDir(),
      policy: { autonomy: 'semi' },
      tuning,
    });
    const asked = await feed.until(
      (f) => f.subject === body.id && f.event === 'approval_requested',
      'the approval',
    );
    const callId = (asked.data as any).callId as string;
    await feed.status(body.id, 'waiting_for_input');

    // carol (another workspace): as if it did not exist; bob (a member): may look, not answer or steer.
    for (const [client, command, code] of [
      [carols, { type: 'approve', callId, decision: 'allow' }, 'not_found'],
      [carols, { type: 'kill_agent', agentId: body.id }, 'not_found'],
      [bobs, { type: 'approve', callId, decision: 'allow' }, 'forbidden'],
      [bobs, { type: 'send_message', agentId: body.id, content: 'hi' }, 'forbidden'],
    ] as const)
      expect(await client.command(command)).toMatchObject({ ok: false, error: { code } });
    expect(bobs.about(body.id).length).toBeGreaterThan(0); // bob sees it all the same

    expect(await feed.command({ type: 'approve', callId, decision: 'allow', note: 'fine' })).toMatchObject({
      ok: true,
      result: { callId, agentId: body.id, decision: 'allow' },
    });
    await feed.until((f) => f.subject === body.id && f.event === 'approval_answered', 'answered');
    await feed.status(body.id, 'completed');
    expect(carols.about(body.id)).toEqual([]);
  },
);

test.concurrent('two users of different workspaces each see only their own', async () => {
  const alices = await open('alice');
  const carols = await open('carol');
  const spawn = async (user: 'alice' | 'carol') =>
    (await api.call(user, 'POST', '/agents', { task: h.script([{ text: 'hi' }]), cwd: await h.tempDir() }))
      .body.id as string;
  const [a, c] = await Promise.all([spawn('alice'), spawn('carol')]);
  await alices.status(a, 'completed');
  await carols.status(c, 'completed');
  // A few more rounds of the hub's reads: a frame of the other one's agent would have come by then.
  await hubTicks(api.server.feed, 5);
  expect(alices.frames.every((f) => f.source === 'feed' || f.workspace === 'acme')).toBe(true);
  expect(carols.frames.every((f) => f.source === 'feed' || f.workspace === 'beta')).toBe(true);
  expect(alices.about(c)).toEqual([]);
  expect(carols.about(a)).toEqual([]);
});

test.concurrent(
  'GET /events carries the same frames as SSE, resumes with Last-Event-ID, and answers a foreign or stale id with resync',
  async () => {
    const task = h.script([
      { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 500 },
      { text: 'done' },
    ]);
    const url = `${api.url}/events`;
    const token = USERS.alice.token;
    const spawned: { id?: string } = {}; // known once the SSE read has started
    const first = readSse(url, token, {
      enough: (es) => es.some((e) => e.event === 'tool_call' && e.data.subject === spawned.id),
    });
    const feed = await open('alice');
    spawned.id = (await api.call('alice', 'POST', '/agents', { task, cwd: await h.tempDir() })).body.id;
    const id = spawned.id!;
    const one = await first;
    expect(one.events[0]).toMatchObject({ event: 'hello' });
    // Cut at the tool call (whatever came after it in the same read is dropped), and resume from there.
    const cutAt = one.events.findIndex((e) => e.event === 'tool_call' && e.data.subject === id);
    const cut = one.events[cutAt].id!;
    const second = await readSse(url, token, {
      lastEventId: cut,
      enough: (es) => es.some((e) => e.data.subject === id && e.data.data?.to === 'completed'),
    });
    expect(second.events[0]).toMatchObject({ event: 'hello' });
    expect(second.events.some((e) => e.event === 'resync')).toBe(false);
    const sse = [...one.events.slice(0, cutAt + 1), ...second.events]
      .filter((e) => e.data.subject === id)
      .map((e) => e.data);
    await feed.status(id, 'completed');
    // The same frames as the WebSocket's, ids included: nothing lost or repeated across the reconnect.
    expect(sse.map((f) => f.id)).toEqual(feed.about(id).map((f) => f.id));
    expect(sse.map((f) => f.event)).toContain('tool_result');

    for (const stale of ['0123abcd-5', 'garbage', `${cut.split('-')[0]}-999999999`]) {
      const read = await readSse(url, token, {
        lastEventId: stale,
        enough: (es) => es.length >= 2,
        timeoutMs: 5000,
      });
      // Live frames may follow in the same read (alice's agents of the tests running beside this one).
      expect(read.events.slice(0, 2).map((e) => e.event)).toEqual(['hello', 'resync']);
    }
    // The WebSocket's resume: what came after an id, or resync.
    const later = await open('alice');
    const replay = await later.command({ type: 'resume', after: cut });
    expect(replay).toMatchObject({ ok: true, result: { replayed: expect.any(Number) } });
    expect(replay.result.replayed).toBeGreaterThan(0);
    expect(await later.command({ type: 'resume', after: 'nope' })).toMatchObject({
      ok: true,
      result: { resync: true },
    });
    expect(later.frames.some((f) => f.event === 'resync')).toBe(true);
  },
);

test.concurrent(
  'bad commands get error replies and the connection stays; the upgrade is authenticated and checked as a request',
  async () => {
    const feed = await open('alice');
    expect(await feed.raw('{not json')).toMatchObject({ ok: false, error: { code: 'malformed_json' } });
    expect(await feed.raw(JSON.stringify({ type: 'fly', requestId: 'x1' }))).toMatchObject({
      requestId: 'x1',
      ok: false,
      error: { code: 'invalid_request' },
    });
    for (const [command, code] of [
      [{ type: 'pause_agent', agentId: '../etc' }, 'invalid_request'],
      [{ type: 'spawn_agent', request: { cwd: '/tmp' } }, 'invalid_request'],
      [{ type: 'kill_agent', agentId: 'nosuchagent' }, 'not_found'],
    ] as const)
      expect(await feed.command(command)).toMatchObject({ ok: false, error: { code } });
    expect(await feed.command({ type: 'resume', after: 'x' })).toMatchObject({ ok: true });

    await expect(FeedClient.open(wsUrl())).rejects.toMatchObject({ status: 401 });
    await expect(FeedClient.open(wsUrl(), 'not-a-token-0123456789abcdefgh')).rejects.toMatchObject({
      status: 401,
    });
    await expect(
      FeedClient.open(wsUrl(), USERS.alice.token, { origin: 'https://evil.example' }),
    ).rejects.toMatchObject({ status: 403 });
    await expect(FeedClient.open(wsUrl(), USERS.alice.token, { host: 'evil.example' })).rejects.toMatchObject(
      {
        status: 421,
      },
    );
    // Without Upgrade, the route says what it is.
    expect(await api.call('alice', 'GET', '/ws')).toMatchObject({
      status: 426,
      body: { error: { code: 'upgrade_required' } },
    });
  },
);

test.concurrent(
  'a client back after the hub stopped on a quiet spell gets resync for the id it had',
  async () => {
    // An API whose hub stops 300 ms after its last listener leaves (30 s in the product).
    const quick = await startLocalApi(h, { api: { tokens: TOKENS_JSON }, feedLingerMs: 300 });
    try {
      const url = `${quick.url.replace(/^http/, 'ws')}/api/v1/ws`;
      const first = await FeedClient.open(url, USERS.carol.token);
      const hello = (await first.until((f) => f.event === 'hello', 'hello')).id;
      first.close();
      await until(
        async () => quick.feed.started,
        (started) => !started,
        'the hub stopping with nobody listening',
        10_000,
      );
      // An agent runs and ends while nobody listens. The restarted hub's first list looks back
      // only its overlap (10 s): after a longer spell, no frame of it would ever be sent.
      const r = await fetch(`${quick.url}/api/v1/agents`, {
        method: 'POST',
        headers: { authorization: `Bearer ${USERS.carol.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ task: h.script([{ text: 'done' }]), cwd: await h.tempDir() }),
      });
      expect(r.status).toBe(201);
      await waitForStatus(h.client, ((await r.json()) as { id: string }).id, (v) => v.status === 'completed');
      const back = await FeedClient.open(`${url}?after=${encodeURIComponent(hello)}`, USERS.carol.token);
      clients.push(back);
      await back.until((f) => f.event === 'resync', 'resync for an id from before the hub stopped', 5000);
      expect(back.frames.slice(0, 2).map((f) => f.event)).toEqual(['hello', 'resync']);
    } finally {
      await quick.close();
    }
  },
);

// Alone, after the others: its 30 agents started at once held up their agents (the steering
// of the busy one took seconds longer).
test("the feed's Temporal calls per tick do not grow with the number of idle and finished agents", async () => {
  const feed = await FeedClient.open(`${alone.url.replace(/^http/, 'ws')}/ws`, DANA);
  clients.push(feed);
  const hub = alone.server.feed;
  const as = { authorization: `Bearer ${DANA}` };
  const call = (method: string, path: string, body?: unknown) =>
    alone.call(undefined, method, path, body, as);
  const busy = (await call('POST', '/agents', { task: h.busyTask(300), cwd: await h.tempDir() })).body.id;
  await feed.until((f) => f.subject === busy && f.event === 'tool_call', 'the busy agent at work');
  // Over a number of ticks, not a time: a loaded machine runs fewer ticks a second.
  const perTick = async (count: number) => {
    const before = { ...hub.calls };
    await hubTicks(hub, count);
    const ticks = hub.calls.ticks - before.ticks;
    return {
      ticks,
      lists: (hub.calls.lists - before.lists) / ticks,
      describes: (hub.calls.describes - before.describes) / ticks,
      events: (hub.calls.events - before.events) / ticks,
      ms: (hub.calls.tickMs - before.tickMs) / ticks,
    };
  };
  const quiet = await perTick(8);

  // 20 that finish at once and 10 interactive ones left waiting for input.
  const cwd = await h.tempDir();
  const finished = await Promise.all(
    Array.from(
      { length: 20 },
      async () =>
        (await call('POST', '/agents', { task: h.script([{ text: 'ok' }]), cwd })).body.id as string,
    ),
  );
  const waiting = await Promise.all(
    Array.from(
      { length: 10 },
      async () =>
        (
          await call('POST', '/agents', {
            task: h.script([{ text: 'ready' }]),
            cwd,
            type: 'interactive',
          })
        ).body.id as string,
    ),
  );
  for (const id of finished) await feed.status(id, 'completed');
  for (const id of waiting) {
    await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input');
    await feed.status(id, 'waiting_for_input');
  }
  // The just-closed stay listed for the overlap, read once already: settled, they cost no reads.
  // Measured once the hub has read all it owes of them (a read that failed under load is tried
  // again).
  await until(
    async () => [...finished, ...waiting].filter((id) => hub.owes('agent', id)),
    (owed) => owed.length === 0,
    'the hub read every one of them',
  );
  await hubTicks(hub, 5);
  const idle = await perTick(8);

  expect(idle.lists).toBe(1);
  expect(idle.describes).toBeLessThanOrEqual(1); // the busy one only
  expect(idle.events).toBeLessThanOrEqual(1);
  // What the one busy agent costs bounds both: read per tick, the 30 idle would add 30 or more.
  // (Not quiet's own figure: how often a busy agent is described varies with the machine's load.)
  for (const m of [quiet, idle]) expect(m.lists + m.describes + m.events).toBeLessThanOrEqual(3);
  await call('DELETE', `/agents/${busy}`);
  await Promise.all(waiting.map((id) => call('DELETE', `/agents/${id}`)));
});
