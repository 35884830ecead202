/**
 * The feed's hub over a stand-in for Temporal (no server): which events of an agent it hears of
 * are news. The suites against the real server (api-feed, dashboard-feed) cover the rest.
 */
import type { Client } from '@temporalio/client';
import { FeedHub } from '../src/api/feed-hub';
import { FeedRing } from '../src/api/feed-ring';
import type { TemporalGate } from '../src/api/temporal-gate';
import type { FeedFrame } from '../src/domain';
import type { Orchestra } from '../src/sdk/orchestra';
import type { Change } from '../src/temporal/changes';
import { until } from './helpers/poll';

const OVERLAP_MS = 300;
const WORKSPACE = 'w1';

/** Agents as the visibility store lists them (each from `listedFrom` on) and their logs. */
interface Fake {
  change: Change;
  listedFrom: number;
  events: Array<{ seq: number; at: string; type: string; [key: string]: unknown }>;
}

function hubOver(agents: Fake[], lingerMs?: number): FeedHub {
  const orchestra = {
    changes: async (since: Date) =>
      agents
        .filter((a) => Date.now() >= a.listedFrom)
        .map((a) => a.change)
        .filter((c) => c.active || c.startedAt > since || (c.closedAt !== undefined && c.closedAt > since)),
    agents: {
      events: async (id: string, after: number) =>
        agents.find((a) => a.change.id === id)!.events.filter((e) => e.seq > after),
    },
  } as unknown as Orchestra;
  // An agent at work is described each tick: a history that grew says its events are worth a read.
  let history = 0;
  const description = () => ({
    runId: 'r',
    typedSearchAttributes: { get: () => undefined },
    raw: { pendingActivities: [] },
    status: { name: 'RUNNING' },
    historyLength: ++history,
  });
  const client = {
    workflow: { getHandle: () => ({ describe: async () => description() }) },
    withAbortSignal: (_signal: AbortSignal, fn: () => unknown) => fn(),
    withDeadline: (_deadline: number, fn: () => unknown) => fn(),
  } as unknown as Client;
  return new FeedHub({
    orchestra,
    client,
    gate: { down: false } as TemporalGate,
    staleAfterMs: 60_000,
    requestTimeoutMs: 5_000,
    pollMs: 20,
    overlapMs: OVERLAP_MS,
    lingerMs,
  });
}

/** An agent at work (listed whatever its start), or closed at its last event. */
const agent = (id: string, startedAt: number, listedFrom: number, at: number[], active = false): Fake => ({
  change: {
    kind: 'agent',
    id,
    workflowId: `agent-${id}`,
    workspace: WORKSPACE,
    status: active ? 'running' : 'completed',
    temporalStatus: active ? 'RUNNING' : 'COMPLETED',
    active,
    startedAt: new Date(startedAt),
    ...(active ? {} : { closedAt: new Date(at.at(-1)!) }),
  },
  listedFrom,
  events: at.map((t, i) => ({
    seq: i + 1,
    at: new Date(t).toISOString(),
    type: i ? 'task' : 'spawned',
    agentId: id,
    name: id,
    task: 't',
  })),
});

test('an agent the visibility store lists only past the overlap is news from its first event; one from before the hub looked is not', async () => {
  const t0 = Date.now();
  // Started after the hub looked, at work, and listed past the overlap (a loaded visibility store).
  const late = agent('late', t0 + 50, t0 + 50 + 3 * OVERLAP_MS, [t0 + 50, t0 + 60], true);
  // Started long before the hub looked, and listed as it closes: only its last event is news.
  const old = agent('old', t0 - 60_000, t0 + 50 + 3 * OVERLAP_MS, [t0 - 60_000, t0 + 4 * OVERLAP_MS]);
  const hub = hubOver([late, old]);
  const frames: FeedFrame[] = [];
  const close = hub.open({ user: 'u', workspaces: [WORKSPACE], admin: false }, undefined, (f) =>
    frames.push(f),
  );
  try {
    const of = (id: string) => frames.filter((f) => f.subject === id).map((f) => f.event);
    await until(
      async () => of('late'),
      (events) => events.length === 2,
      'both events of the late-listed agent',
      5000,
    );
    expect(of('late')).toEqual(['agent_spawned', 'agent_task']);
    await until(
      async () => of('old'),
      (events) => events.length > 0,
      'the old agent closing',
      5000,
    );
    expect(of('old')).toEqual(['agent_task']);
  } finally {
    close();
    await hub.close();
  }
});

test("a tool result carries the agent's token totals, from a tokens event older than the hub too", async () => {
  const t0 = Date.now();
  const old = agent('busy', t0 - 60_000, t0, [t0 - 60_000], true);
  const event = (seq: number, at: number, body: Record<string, unknown>) => ({
    seq,
    at: new Date(at).toISOString(),
    type: String(body.type),
    ...body,
  });
  old.events.push(
    event(2, t0 - 59_000, { type: 'tokens', input: 7, output: 3, totalInput: 70, totalOutput: 30 }),
    event(3, t0 - 59_000, { type: 'tool_call', callId: 'c1', tool: 'bash', input: {} }),
  );
  const hub = hubOver([old]);
  const frames: FeedFrame[] = [];
  const close = hub.open({ user: 'u', workspaces: [WORKSPACE], admin: false }, undefined, (f) =>
    frames.push(f),
  );
  try {
    await until(
      async () => hub.calls.events,
      (n) => n > 0,
      'a read of its events',
      5000,
    );
    // Its result comes once the hub looks: news, unlike the tokens event before it.
    old.events.push(
      event(4, Date.now(), { type: 'tool_result', callId: 'c1', tool: 'bash', ok: true, output: 'x' }),
    );
    const result = await until(
      async () => frames.find((f) => f.event === 'tool_result'),
      (f) => f !== undefined,
      'the tool result',
      5000,
    );
    expect(frames.filter((f) => f.event === 'tokens')).toEqual([]);
    expect(result!.data).toMatchObject({ callId: 'c1', tokens: { input: 70, output: 30 } });
  } finally {
    close();
    await hub.close();
  }
});

describe('resuming', () => {
  const frame = (n: number) => ({ event: 'tick', source: 'feed' as const, data: { n } });

  test('an id the ring holds replays what came after it; one trimmed off, foreign or garbage does not', () => {
    const ring = new FeedRing(4);
    const sent = [1, 2, 3, 4, 5, 6].map((n) => ring.push(frame(n)));
    // The sixth frame trims the ring back to four: the first two are gone.
    expect(ring.replay(sent[0].id)).toBeUndefined();
    expect(ring.replay(sent[1].id)).toEqual(sent.slice(2));
    expect(ring.replay(sent[3].id, sent[4].id)).toEqual([sent[4]]);
    expect(ring.replay(ring.lastId)).toEqual([]);
    for (const bad of ['0123abcd-3', 'garbage', `${ring.epoch}-99`]) expect(ring.replay(bad)).toBeUndefined();
  });

  test('after a clear, every id sent before it gets resync, the last one too; ids after it resume', () => {
    const ring = new FeedRing(4);
    const sent = ring.push(frame(1));
    const before = ring.lastId; // a greeting's id: the last frame's
    ring.clear();
    expect(ring.replay(before)).toBeUndefined();
    expect(ring.replay(sent.id)).toBeUndefined();
    const greeting = ring.lastId;
    expect(greeting).not.toBe(before);
    expect(ring.replay(greeting)).toEqual([]);
    const next = ring.push(frame(2));
    expect(ring.replay(greeting)).toEqual([next]);
  });

  test("a client back after the hub stopped on a quiet spell gets resync for its greeting's id", async () => {
    const hub = hubOver([], 50);
    const principal = { user: 'u', workspaces: [WORKSPACE], admin: false };
    const connect = (after?: string) => {
      const frames: FeedFrame[] = [];
      return { frames, close: hub.open(principal, after, (f) => frames.push(f)) };
    };
    try {
      const first = connect();
      const hello = first.frames[0].id;
      first.close();
      // Nobody listens: the hub stops after its linger and forgets. What happens then is unheard.
      await until(
        async () => hub.started,
        (started) => !started,
        'the hub stopping',
        5000,
      );
      const back = connect(hello);
      expect(back.frames.map((f) => f.event)).toEqual(['hello', 'resync']);
      // Resuming from the new greeting misses nothing: no resync.
      const again = connect(back.frames[0].id);
      expect(again.frames.map((f) => f.event)).toEqual(['hello']);
      back.close();
      again.close();
    } finally {
      await hub.close();
    }
  });
});
