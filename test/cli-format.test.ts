/** How the CLI shows things to a person: pure rendering, no server. */
import { emptyUsage, type AgentEvent, type AgentStatusView, type SwarmOutcome } from '../src/domain';
import { formatEvent, formatList, formatStatus } from '../src/cli/format';
import { formatLimits } from '../src/cli/commands/limits';
import { mergeInWords } from '../src/cli/merge-words';
import { swarmSummary, swarmTable } from '../src/cli/swarm-view';
import * as path from 'node:path';
import { packageRoot } from '../src/package-root';

const NOW = Date.parse('2026-11-26T12:00:00Z');

test('agent list: name, status, task, cost and how long ago, under a header for every column', () => {
  const lines = formatList(
    [
      {
        id: 'a1',
        workflowId: 'agent-a1',
        name: 'fixer',
        task: 'fix the failing test in src/math.ts and explain what was wrong with it in detail',
        status: 'running',
        costUsd: 0.0123,
        kind: 'agent',
        temporalStatus: 'RUNNING',
        startedAt: '2026-11-26T11:57:00Z',
      },
      {
        id: 'b2',
        workflowId: 'agent-b2',
        status: 'completed',
        temporalStatus: 'COMPLETED',
        startedAt: '2026-11-24T12:00:00Z',
      },
    ],
    NOW,
  ).split('\n');
  expect(lines[0].split(/\s{2,}/)).toEqual([
    'ID',
    'NAME',
    'STATUS',
    'TASK',
    'COST',
    'STARTED',
    'KIND',
    'SESSION',
  ]);
  expect(lines[1]).toMatch(
    /^a1\s+fixer\s+running\s+fix the failing test in src\/math\.ts and explain…\s+\$0\.0123\s+3m ago\s+agent$/,
  );
  expect(lines[2]).toMatch(/^b2\s+completed\s+2d ago$/);
  expect(formatList([])).toBe('no agents');
});

const todos = [
  { content: 'read', status: 'completed' },
  { content: 'fix', status: 'in_progress' },
  { content: 'test', status: 'pending' },
];

test('status and logs mark todos alike; status says what the agent waits for and how to answer', () => {
  const view = {
    id: 'a1',
    name: 'fixer',
    type: 'coder',
    status: 'waiting_for_input',
    task: 'fix it',
    model: 'm',
    cwd: '/w',
    iterations: 1,
    toolCalls: 1,
    tokens: { input: 1, output: 1 },
    startedAt: '',
    updatedAt: '',
    todos,
    artifacts: [],
    pendingMessages: 0,
    pendingApprovals: [{ callId: 'toolu_1', tool: 'bash', reason: 'bash asks for approval' }],
  } as unknown as AgentStatusView;
  const status = formatStatus(view);
  expect(status).toContain('todos     [x] read; [~] fix; [ ] test');
  expect(status).toContain(
    "waiting   for a person's approval of bash (toolu_1): bash asks for approval — orchestra approve toolu_1 [--deny]",
  );
  const event = {
    seq: 3,
    at: '2026-11-26T12:00:00.000Z',
    type: 'tool_call',
    callId: 'c',
    tool: 'todo',
    input: { todos },
  };
  expect(formatEvent(event as AgentEvent)).toBe('12:00:00 #3    todos    [x] read; [~] fix; [ ] test');
});

test('status lists every subagent, the background ones marked, with when each started and ended', () => {
  const view = {
    id: 'a1',
    name: 'lead',
    type: 'adhoc',
    status: 'running',
    task: 't',
    model: 'm',
    cwd: '/w',
    iterations: 2,
    toolCalls: 2,
    tokens: { input: 1, output: 1 },
    startedAt: '',
    updatedAt: '',
    todos: [],
    artifacts: [],
    pendingMessages: 0,
    pendingApprovals: [],
    children: [
      { id: 'a1.1', name: 'survey', background: false, status: 'completed', startedAt: 'T1', endedAt: 'T2' },
      { id: 'a1.2', name: 'long run', background: true, status: 'running', startedAt: 'T3' },
    ],
  } as unknown as AgentStatusView;
  const lines = formatStatus(view).split('\n');
  expect(lines.filter((l) => l.startsWith('subagent'))).toEqual([
    'subagent  a1.1 completed · survey · started T1 · ended T2',
    'subagent  a1.2 running in the background · long run · started T3',
  ]);
});

const usage = (toolCalls: number) => ({ ...emptyUsage(), toolCalls, tokens: { input: 10, output: 5 } });
const outcome = (merge: Record<string, unknown>): SwarmOutcome =>
  ({
    id: 's1',
    strategy: 'parallel',
    status: 'completed',
    task: 't',
    merge,
    agents: [
      { id: 's1.1', name: 'lead', role: 'lead', status: 'completed', usage: usage(2), startedAt: '' },
      { id: 's1.2', name: 'second', role: 'second', status: 'running', usage: usage(1), startedAt: '' },
    ],
    members: [
      {
        id: 's1.1.1',
        name: 'helper',
        status: 'running',
        toolCalls: 4,
        tokens: { input: 3, output: 2 },
        costUsd: 0,
      },
    ],
    stats: {
      spawned: 3,
      completed: 1,
      failed: 0,
      cancelled: 0,
      toolCalls: 7,
      tokens: { input: 23, output: 12 },
      costUsd: 0,
      wallTimeMs: 1000,
      agentTimeMs: 1500,
      criticalPathMs: 900,
      speedup: 1.5,
    },
  }) as unknown as SwarmOutcome;

test('the swarm view shows every agent at any depth, each column under a header', () => {
  const [headline, header, ...rows] = swarmTable(outcome({ merge: 'all', results: [] }));
  expect(headline).toMatch(/^swarm s1 · parallel · completed · 3 agents/);
  expect(header.split(/\s{2,}/)).toEqual(['AGENT', 'NAME', 'STATUS', 'TOKENS IN/OUT', 'TOOLS']);
  expect(rows.map((r) => r.trim().split(/\s{2,}/))).toEqual([
    ['s1.1', 'lead', 'completed', '10/5', '2'],
    ['s1.1.1', 'helper', 'running', '3/2', '4'],
    ['s1.2', 'second', 'running', '10/5', '1'],
  ]);
  expect(rows[1]).toMatch(/^ {2}s1\.1\.1/); // a subagent, indented under its parent
});

test('the merge in words, for each strategy', () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [
      {
        merge: 'all',
        results: [
          { agent: 'a', status: 'completed' },
          { agent: 'b', status: 'failed' },
        ],
      },
      'all 2 results kept (1 completed)',
    ],
    [
      { merge: 'first', winner: 's1.2', cancelled: ['s1.1'] },
      'the first to finish won: s1.2; cancelled s1.1',
    ],
    [
      {
        merge: 'vote',
        winner: 's1.1',
        tie: false,
        counts: [
          { answer: '4', votes: 2, agents: ['s1.1', 's1.3'] },
          { answer: '5', votes: 1, agents: ['s1.2'] },
        ],
      },
      'by vote: s1.1 with 2 of 3 votes',
    ],
    [
      {
        merge: 'best',
        scorer: 'judge',
        judge: 's1.j',
        best: 's1.2',
        reason: 'tested',
        scores: [{ agent: 's1.2', score: 9 }],
      },
      'the judge s1.j chose s1.2 — tested (scores: s1.2 9)',
    ],
    [
      {
        merge: 'best',
        scorer: 'shortest',
        best: 's1.1',
        scores: [
          { agent: 's1.1', score: 1 },
          { agent: 's1.2', score: 0.5 },
        ],
      },
      'best by the shortest scorer: s1.1 (scores: s1.1 1, s1.2 0.5)',
    ],
    [
      { decidedBy: 'judge', judge: 'j', winner: 'pro', reason: 'clearer', rounds: [{}, {}] },
      'debate of 2 rounds, decided by the judge j: pro — clearer',
    ],
    [
      { decidedBy: 'vote', winner: 'con', tie: true, rounds: [{}] },
      'debate of 1 rounds, decided by vote: con (a tie, broken by order)',
    ],
    [{ outputs: ['a', 'b', 'c'] }, 'the pipeline ran 3 stages, each output passed to the next'],
    [{ failedStage: 'review', outputs: ['a'] }, 'the pipeline stopped at stage review'],
    [{ supervisor: 's1.1' }, "the supervisor s1.1 wrote the result from its workers'"],
    [{ something: 'new', rounds: [1] }, '{"something":"new"}'],
  ];
  for (const [merge, words] of cases) expect(mergeInWords(merge)).toBe(words);
  expect(swarmSummary(outcome({ merge: 'first', winner: 's1.2', cancelled: [] }))).toContain(
    'merge:   the first to finish won: s1.2\n',
  );
});

test('orchestra limits: the limit now, what runs and waits, the 429s and 529s, and whose view it is', () => {
  const view = {
    worker: '4181@build-7',
    at: '2026-11-26T12:00:00.000Z',
    taskQueue: 'orchestra',
    workers: 1,
    model: {
      max: 100,
      limit: 50,
      lowest: 50,
      inFlight: 12,
      queued: 0,
      calls: 3120,
      ok: 3101,
      rateLimited: 7,
      overloaded: 0,
      cuts: 1,
      waits: { count: 40, totalMs: 51_200, lastMs: 1950, maxMs: 2010 },
      pausedUntil: '2026-11-26T12:00:01.400Z',
    },
    fleet: null,
  };
  expect(formatLimits(view).split('\n')).toEqual([
    'worker 4181@build-7, the one polling orchestra',
    'MODEL CALLS',
    'limit now    50 calls at once (of 100; lowest 50; cut 1 time)',
    'in flight    12 running, 0 waiting; paused for 1.4 s more (retry-after)',
    'calls        3120 (3101 replied)',
    '429 / 529    7 rate limited / 0 overloaded',
    'waits        40 waited: 51200 ms in all, 1280 ms on average, last 1950 ms, longest 2010 ms',
    'FLEET RATE   none: ORCHESTRA_MODEL_RPM is not set on this worker',
  ]);
  const fleet = formatLimits({ ...view, workers: 3, model: { ...view.model, pausedUntil: null } });
  expect(fleet).toContain('worker 4181@build-7: one of 3 polling orchestra; each keeps its own limits');
  expect(fleet).toContain('12 running, 0 waiting; not paused');
});

test("orchestra limits: the fleet's rate, the last change and why, and the answering worker's cuts", () => {
  const fleet = {
    taskQueue: 'orchestra-model',
    configured: 600,
    floor: 1,
    current: 300,
    lowest: 150,
    cooldownMs: 30_000,
    lastChange: {
      at: '2026-11-26T11:59:20.000Z',
      reason: 'orchestra cut: the provider answered 429; 600 → 300 calls a minute',
      by: '4181@build-7',
    },
    cuts: 2,
    raises: 1,
  };
  const model = {
    ...{ max: 100, limit: 100, lowest: 100, inFlight: 0, queued: 0, calls: 0, ok: 0 },
    ...{ rateLimited: 0, overloaded: 0, cuts: 0, pausedUntil: null },
    waits: { count: 0, totalMs: 0, lastMs: 0, maxMs: 0 },
  };
  const view = { worker: '4181@build-7', at: '2026-11-26T12:00:00.000Z', taskQueue: 'orchestra', workers: 1 };
  const lines = formatLimits({ ...view, model, fleet }).split('\n');
  expect(lines.slice(-4)).toEqual([
    'FLEET RATE   kept by the Temporal server on orchestra-model',
    'rate now     300 calls a minute (of 600; floor 1; lowest 150)',
    'last change  40s ago by 4181@build-7: orchestra cut: the provider answered 429; 600 → 300 calls a minute',
    'this worker  2 cuts, 1 raise; at most one change every 30 s',
  ]);
  const unread = formatLimits({ ...view, model, fleet: { ...fleet, current: null, error: 'UNAVAILABLE' } });
  expect(unread).toContain('rate now     unknown: the server did not say (UNAVAILABLE)');
  const never = formatLimits({ ...view, model, fleet: { ...fleet, current: 600, lastChange: null } });
  expect(never).toContain("last change  never: the workers' own limit (ORCHESTRA_MODEL_RPM) holds");
});

test('the package root is found from the sources, the build and the CLI bundle alike; nowhere, it says so', () => {
  const root = path.resolve(__dirname, '..');
  for (const from of ['src/cli', 'dist/src/cli', 'dist/src', 'src'])
    expect(packageRoot(path.join(root, from))).toBe(root);
  expect(() => packageRoot('/')).toThrow('no package.json in / or above it');
});
