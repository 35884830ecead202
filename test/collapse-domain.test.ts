/** Swarm collapse, pure: what an agent's calls say of its progress, a branch's score, and who is collapsed. */
import {
  afterCall,
  afterTodos,
  callDigest,
  collapseDecisions,
  collapseSchema,
  emptyProgress,
  parallelSpecSchema,
  progressReport,
  scoreBranch,
  swarmRequestSchema,
  usagePayload,
  type Branch,
  type CollapseSettings,
  type ProgressReport,
} from '../src/domain';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const settings = (over: Partial<CollapseSettings> = {}): CollapseSettings =>
  collapseSchema.parse({ every: 10, ...over });
const ok = { ok: true };
const wrote = { ok: true, artifacts: ['a.txt'] };
const read = (path: string) => ({ tool: 'read_file', input: { path } });

/** A branch that started at T0 and reported this much. */
function branch(
  id: string,
  toolCalls: number,
  progress: Partial<ProgressReport> = {},
  tokens = 1000,
): Branch {
  return {
    id,
    startedAt: T0,
    report: {
      tokens: { input: tokens, output: 0 },
      toolCalls,
      progress: { toolErrors: 0, repeatedCalls: 0, changes: 0, todosDone: 0, todosTotal: 0, ...progress },
    },
  };
}
const looping = (id: string, calls = 20) => branch(id, calls, { repeatedCalls: calls - 1 });
const working = (id: string) => branch(id, 10, { changes: 3, progressAt: T0 + 20_000 });

describe('what an agent keeps of its progress', () => {
  test('a call repeated with the same arguments counts, another path does not; a change forgets what was seen', () => {
    expect(callDigest('read_file', { path: 'a' })).toBe(callDigest('read_file', { path: 'a' }));
    expect(callDigest('read_file', { path: 'a' })).not.toBe(callDigest('read_file', { path: 'b' }));
    expect(callDigest('read_file', { path: 'a' })).not.toBe(callDigest('grep', { path: 'a' }));
    const p = emptyProgress();
    afterCall(p, read('a'), ok, T0);
    afterCall(p, read('b'), ok, T0);
    afterCall(p, read('a'), ok, T0);
    afterCall(p, read('a'), ok, T0);
    expect(p.repeatedCalls).toBe(2);
    // Editing, then running the same check again, is work, not a loop.
    afterCall(p, { tool: 'write_file', input: { path: 'a', content: 'x' } }, wrote, T0 + 5000);
    afterCall(p, read('a'), ok, T0 + 6000);
    expect(p).toMatchObject({
      repeatedCalls: 2,
      changes: 1,
      progressAt: T0 + 5000,
      seen: [expect.any(String)],
    });
  });

  test('a failed call is a tool error, and a todo newly completed is progress', () => {
    const p = emptyProgress();
    afterCall(p, read('missing'), { ok: false }, T0);
    afterTodos(
      p,
      [
        { content: 'x', status: 'in_progress' },
        { content: 'y', status: 'pending' },
      ],
      T0 + 1000,
    );
    expect(p).toMatchObject({ toolErrors: 1, todosDone: 0, todosTotal: 2 });
    expect(p.progressAt).toBeUndefined();
    afterTodos(
      p,
      [
        { content: 'x', status: 'completed' },
        { content: 'y', status: 'pending' },
      ],
      T0 + 2000,
    );
    expect(p).toMatchObject({ todosDone: 1, progressAt: T0 + 2000 });
    expect(progressReport(p)).not.toHaveProperty('seen');
  });

  test('the usage report takes the progress, and still takes a report without it (older senders)', () => {
    const report = { agentId: 'a', version: 1, tokens: { input: 1, output: 2 }, toolCalls: 3, iterations: 1 };
    expect(usagePayload.safeParse(report).success).toBe(true);
    expect(usagePayload.safeParse({ ...report, progress: progressReport(emptyProgress()) }).success).toBe(
      true,
    );
    expect(usagePayload.safeParse({ ...report, progress: { toolErrors: -1 } }).success).toBe(false);
  });
});

describe('the score', () => {
  test('a branch doing nothing wrong scores 1', () => {
    expect(scoreBranch(working('w'), T0 + 30_000, settings())).toEqual({
      score: 1,
      components: { repetition: 1, errors: 1, stall: 1, efficiency: 1 },
      weaknesses: [],
    });
  });

  test('a loop sinks the score and is named', () => {
    const s = scoreBranch(looping('l', 20), T0 + 30_000, settings());
    expect(s.components.repetition).toBeCloseTo(1 - 17 / 20);
    expect(s.score).toBeLessThan(0.3);
    expect(s.weaknesses[0]).toBe('19 repeated identical calls');
  });

  test('two repeats and one error are forgiven; every call failing is not', () => {
    expect(scoreBranch(branch('b', 10, { repeatedCalls: 2, toolErrors: 1 }), T0, settings()).score).toBe(1);
    const failing = scoreBranch(branch('f', 10, { toolErrors: 10 }), T0, settings());
    expect(failing.components.errors).toBeCloseTo(0.1);
    expect(failing.weaknesses).toEqual(['10 tool errors in 10 calls']);
  });

  test('no progress past stallSeconds, and many tokens per change, lower the score gradually', () => {
    const stalled = scoreBranch(branch('s', 5), T0 + 480_000, settings({ stallSeconds: 120 }));
    expect(stalled.components.stall).toBe(0.25);
    expect(stalled.weaknesses).toEqual(['no progress for 480 s']);
    // Progress resets the clock: 100 s since the last change is no stall.
    expect(scoreBranch(working('w'), T0 + 120_000, settings()).components.stall).toBe(1);
    const costly = scoreBranch(branch('c', 5, { progressAt: T0 }, 2_000_000), T0, settings());
    expect(costly.components.efficiency).toBe(0.25);
    expect(costly.weaknesses).toEqual(['2000k tokens and no change']);
  });

  test('time held (a pause, a wait for a person) is no stall: idle counts from when it went on', () => {
    const paused = { ...branch('p', 5), heldUntil: T0 + 400_000 };
    // 480 s since its start, but only 80 s since the pause ended.
    expect(scoreBranch(paused, T0 + 480_000, settings({ stallSeconds: 120 })).components.stall).toBe(1);
    expect(scoreBranch(paused, T0 + 640_000, settings({ stallSeconds: 120 })).components.stall).toBe(0.5);
  });
});

describe('who is collapsed', () => {
  const now = T0 + 30_000;

  test('below-score cancels the looping branch with a reason naming its weakest counts, and keeps the working one', () => {
    const decisions = collapseDecisions(
      { running: [working('w'), looping('l')], completed: 0 },
      now,
      settings({ stallSeconds: 20 }),
    );
    expect(decisions).toEqual([
      {
        agentId: 'l',
        score: expect.any(Number),
        components: expect.objectContaining({ repetition: 0.15 }),
        reason: expect.stringMatching(
          /^collapsed: score 0\.\d+ < 0\.3 \(19 repeated identical calls, no progress for 30 s\)$/,
        ),
      },
    ]);
  });

  test('never below keepAtLeast (completed branches count), never before one period, never before a report', () => {
    const two = { running: [looping('a'), looping('b')], completed: 0 };
    // The later started goes first among equals.
    expect(collapseDecisions(two, now, settings()).map((d) => d.agentId)).toEqual(['b']);
    expect(collapseDecisions(two, now, settings({ keepAtLeast: 2 }))).toEqual([]);
    expect(collapseDecisions({ ...two, completed: 1 }, now, settings()).map((d) => d.agentId)).toEqual([
      'b',
      'a',
    ]);
    // Younger than one `every` period: no fair chance yet.
    expect(collapseDecisions(two, T0 + 9_000, settings())).toEqual([]);
    const silent = { id: 's', startedAt: T0 };
    expect(collapseDecisions({ running: [silent, working('w')], completed: 0 }, now, settings())).toEqual([]);
  });

  test('keep-best cancels the weakest until keepAtLeast are left, whatever their scores; off cancels nothing', () => {
    const running = [working('w'), branch('x', 10, { repeatedCalls: 5 }), branch('y', 10)];
    const best = collapseDecisions({ running, completed: 0 }, now, settings({ policy: 'keep-best' }));
    expect(best.map((d) => d.agentId)).toEqual(['x', 'y']);
    expect(best[1].reason).toBe('collapsed: score 1, not among the 1 best');
    expect(best[0].reason).toBe('collapsed: score 0.7, not among the 1 best (5 repeated identical calls)');
    expect(collapseDecisions({ running, completed: 0 }, now, settings({ policy: 'off' }))).toEqual([]);
  });

  test('the settings are validated, with defaults, on both swarm specs that take them', () => {
    expect(collapseSchema.parse({})).toEqual({
      policy: 'below-score',
      minScore: 0.3,
      every: 30,
      keepAtLeast: 1,
      stallSeconds: 120,
    });
    const bad = collapseSchema.safeParse({ policy: 'sometimes', minScore: 2, every: 0, extra: 1 });
    expect(bad.error?.issues.map((i) => i.path.join('.') || i.code)).toEqual([
      'policy',
      'minScore',
      'every',
      'unrecognized_keys',
    ]);
    const spec = { strategy: 'parallel', task: 't', agents: [{}], collapse: { every: 5 } };
    expect(parallelSpecSchema.parse(spec).collapse).toMatchObject({ every: 5, policy: 'below-score' });
    const request = {
      cwd: '/work',
      spec: {
        strategy: 'graph',
        task: 't',
        nodes: [{ id: 'a', task: 'x' }],
        collapse: { policy: 'keep-best' },
      },
    };
    expect(swarmRequestSchema.parse(request).spec).toMatchObject({
      collapse: { policy: 'keep-best', every: 30 },
    });
    const refused = swarmRequestSchema.safeParse({
      ...request,
      spec: { ...request.spec, collapse: { every: 0 } },
    });
    expect(refused.error?.issues[0].path).toEqual(['spec', 'collapse', 'every']);
  });
});
