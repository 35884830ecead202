/** Live streams: an agent's and a swarm's events as Server-Sent Events, resumable, with partial model text. */
import { agentWorkflowId } from '../src/domain';
import { useHarness } from './helpers/harness';
import { useApi, USERS } from './helpers/api';
import { lastId, readSse, type SseEvent } from './helpers/sse';

const h = useHarness();
const api = useApi(h);
// Each test only follows agents and swarms of its own: they run at the same time.

// Partial text comes from the heartbeats of calls through the model queue; a call on the fast
// path (a local activity, after a short one) has none. These agents' short calls come first.
const tuning = { modelHeartbeatTimeoutSeconds: 5, localModelCallMs: 0 };
const alice = USERS.alice.token;
const LONG_TEXT =
  'The change is done: I read the module, found the off-by-one in the pager, fixed it, ' +
  'added a test for the last page, and ran the whole suite, which passes. Nothing else changed. ' +
  'The pager now stops at the last page instead of one past it, and the empty-list case is covered too.';
/** The reply streams in 24-character chunks, one every 300 ms: about 4 s, several heartbeats. */
const SLOWLY = 300;

const durable = (events: SseEvent[]) => events.filter((e) => e.id !== undefined && !e.id.includes(':'));

test.concurrent(
  "an SSE client gets a running agent's events in order, and resumes with Last-Event-ID without loss or repeats",
  async () => {
    const task = h.script(
      [
        { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 300 },
        {
          toolCalls: [{ name: 'todo', input: { todos: [{ content: 'fix', status: 'in_progress' }] } }],
          delayMs: 300,
        },
        { text: LONG_TEXT, chunkDelayMs: SLOWLY },
      ],
      { task: 'fix the pager' },
    );
    const { body } = await api.call('alice', 'POST', '/agents', {
      task,
      cwd: await h.tempDir(),
      tuning,
      hooks: { todoCheck: false },
    });
    const url = `${api.url}/agents/${body.id}/stream`;

    // Read until the first tool call, then drop the connection.
    const first = await readSse(url, alice, { enough: (es) => es.some((e) => e.event === 'tool_call') });
    expect(first.ended).toBe(false);
    expect(first.events.map((e) => e.event).slice(0, 4)).toEqual([
      'agent_spawned',
      'agent_task',
      'agent_status',
      'tokens',
    ]);
    // Reconnect from the last id seen, and read to the end.
    const second = await readSse(url, alice, { lastEventId: lastId(first.events) });
    expect(second.ended).toBe(true);
    expect(second.events.at(-1)).toMatchObject({ event: 'end', data: { status: 'completed' } });

    const seqs = durable([...first.events, ...second.events]).map((e) => Number(e.id));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1)); // 1, 2, 3, ... : nothing lost, nothing twice
    const all = [...first.events, ...second.events];
    const names = all.map((e) => e.event);
    for (const name of [
      'agent_spawned',
      'agent_task',
      'agent_status',
      'tool_call',
      'tool_result',
      'tokens',
      'message',
    ]) {
      expect(names).toContain(name);
    }
    expect(all.find((e) => e.event === 'tool_call')?.data).toMatchObject({ tool: 'list_files' });

    // The reply streamed in pieces before it was logged whole: the pieces are its beginning,
    // and the `message` event has all of it (text after the last heartbeat arrives there).
    const pieces = all.filter((e) => e.event === 'model_text');
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    const text = pieces.reduce((acc, p) => acc.slice(0, p.data.offset) + p.data.text, '');
    expect(text.length).toBeGreaterThan(0);
    expect(LONG_TEXT.startsWith(text)).toBe(true);
    const whole = all.findIndex((e) => e.event === 'message' && e.data.role === 'assistant');
    expect(all[whole].data.text).toBe(LONG_TEXT);
    expect(all.indexOf(pieces[0])).toBeLessThan(whole);

    // None of it went into the workflow's history: a handful of events, not one per piece.
    const history = await h.client.workflow.getHandle(agentWorkflowId(body.id)).fetchHistory();
    expect(history.events?.length).toBeLessThan(60);
  },
);

test.concurrent(
  'a reconnect in the middle of a model reply carries on from the character it stopped at',
  async () => {
    const task = h.script([{ text: LONG_TEXT, chunkDelayMs: SLOWLY }]);
    const { body } = await api.call('alice', 'POST', '/agents', { task, cwd: await h.tempDir(), tuning });
    const url = `${api.url}/agents/${body.id}/stream`;
    const first = await readSse(url, alice, { enough: (es) => es.some((e) => e.event === 'model_text') });
    const cut = lastId(first.events)!;
    expect(cut).toMatch(/^\d+:.+:\d+$/);
    const second = await readSse(url, alice, { lastEventId: cut });
    const pieces = [...first.events, ...second.events].filter((e) => e.event === 'model_text');
    // Each piece starts where the one before ended: the reconnect repeated nothing.
    for (let i = 1; i < pieces.length; i++) {
      expect(pieces[i].data.offset).toBe(pieces[i - 1].data.offset + pieces[i - 1].data.text.length);
    }
    expect(pieces.length).toBeGreaterThanOrEqual(2);
    expect(LONG_TEXT.startsWith(pieces.map((p) => p.data.text).join(''))).toBe(true);
    expect(second.events.at(-1)?.event).toBe('end');
  },
);

test.concurrent(
  "a swarm's stream shows its agents spawned, their status and tokens, and the losers killed",
  async () => {
    const fast = h.script([{ text: 'fast answer' }]);
    const slow = h.busyTask(300);
    const { body } = await api.call('alice', 'POST', '/swarms', {
      spec: { strategy: 'parallel', task: 'race', merge: 'first', agents: [{ task: fast }, { task: slow }] },
      cwd: await h.tempDir(),
      tuning,
    });
    const read = await readSse(`${api.url}/swarms/${body.id}/stream`, alice);
    expect(read.ended).toBe(true);
    const names = read.events.map((e) => e.event);
    expect(names.filter((n) => n === 'agent_spawned')).toHaveLength(2);
    expect(names).toContain('tokens');
    expect(read.events.find((e) => e.event === 'agent_killed')?.data).toMatchObject({
      agentId: `${body.id}.2`,
    });
    expect(read.events.filter((e) => e.event === 'swarm_status').at(-1)?.data).toMatchObject({
      to: 'completed',
    });
    expect(read.events.at(-1)).toMatchObject({ event: 'end', data: { status: 'completed' } });
    const seqs = durable(read.events).map((e) => Number(e.id));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  },
);

test.concurrent('a bad Last-Event-ID is a 400 before the stream starts', async () => {
  const { body } = await api.call('alice', 'POST', '/agents', {
    task: h.script([{ text: 'ok' }]),
    cwd: await h.tempDir(),
    tuning,
  });
  const r = await api.call('alice', 'GET', `/agents/${body.id}/stream`, undefined, {
    'last-event-id': 'yesterday',
  });
  expect(r.status).toBe(400);
  expect(r.body.error.message).toMatch(/Last-Event-ID/);
});
