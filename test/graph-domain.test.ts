/** Task graphs, pure: validation, stages, what may start, what never will, the critical path, plans. */
import {
  criticalPath,
  graphProblems,
  graphStages,
  jsonObjectIn,
  nodePrompt,
  parsePlan,
  startable,
  swarmSpecSchema,
  unreachable,
  type NodeStatus,
} from '../src/domain';

const n = (id: string, ...dependsOn: string[]) => ({ id, dependsOn });
const diamond = [n('a'), n('b', 'a'), n('c', 'a'), n('d', 'b', 'c')];

test('graphProblems names duplicates, unknown and own dependencies, and a cycle with its path', () => {
  expect(graphProblems(diamond)).toEqual([]);
  expect(graphProblems([n('a'), n('a')])).toEqual(['subtask "a" is given twice']);
  expect(graphProblems([n('planner')])).toEqual([
    `"planner" is the planner's name: give the subtask another id`,
  ]);
  expect(graphProblems([n('a', 'zz'), n('b', 'b')])).toEqual([
    'subtask "a" depends on "zz", which is not in the graph',
    'subtask "b" depends on itself',
  ]);
  expect(graphProblems([n('a', 'c'), n('b', 'a'), n('c', 'b'), n('d')])).toEqual([
    'the dependencies go round in a circle: a → c → b → a',
  ]);
});

test('the spec schema refuses a bad graph, and nodes with a planner, with the reason', () => {
  const parse = (spec: object) => swarmSpecSchema.safeParse({ strategy: 'graph', task: 't', ...spec });
  expect(parse({ nodes: [{ id: 'a', task: 'x', dependsOn: ['a'] }] }).error?.issues[0]).toMatchObject({
    message: 'subtask "a" depends on itself',
    path: ['nodes'],
  });
  expect(parse({ nodes: [{ id: 'a', task: 'x' }], planner: { by: 'domain' } }).error?.issues[0].message).toBe(
    'give nodes or a planner, not both',
  );
  expect(parse({ nodes: [{ id: '1a', task: 'x' }] }).success).toBe(false);
  const ok = parse({ nodes: [{ id: 'a', task: 'x', model: 'claude-haiku-4-5' }] });
  expect(ok.data).toMatchObject({ maxConcurrent: 4, onFailure: 'fail', nodes: [{ dependsOn: [] }] });
  expect(parse({}).success).toBe(true); // no nodes: a planner decomposes the task
});

test('stages: one past the latest dependency', () => {
  expect(Object.fromEntries(graphStages(diamond))).toEqual({ a: 1, b: 2, c: 2, d: 3 });
  expect(Object.fromEntries(graphStages([n('x'), n('y', 'x'), n('z')]))).toEqual({ x: 1, y: 2, z: 1 });
});

test('startable: pending subtasks whose inputs are done, in order, as many as there is room for', () => {
  const status = (entries: Record<string, NodeStatus>) => new Map(Object.entries(entries));
  expect(startable(diamond, status({ a: 'pending', b: 'pending', c: 'pending', d: 'pending' }), 4)).toEqual([
    'a',
  ]);
  const afterA = status({ a: 'completed', b: 'pending', c: 'pending', d: 'pending' });
  expect(startable(diamond, afterA, 4)).toEqual(['b', 'c']);
  expect(startable(diamond, afterA, 1)).toEqual(['b']);
  expect(startable(diamond, afterA, 0)).toEqual([]);
  expect(
    startable(diamond, status({ a: 'completed', b: 'completed', c: 'running', d: 'pending' }), 4),
  ).toEqual([]);
});

test('unreachable: what waits on a failed, skipped or cancelled subtask, one level at a time', () => {
  const status = new Map<string, NodeStatus>([
    ['a', 'completed'],
    ['b', 'failed'],
    ['c', 'running'],
    ['d', 'pending'],
  ]);
  expect(unreachable(diamond, status)).toEqual([{ id: 'd', because: 'b' }]);
  const chain = [n('x'), n('y', 'x'), n('z', 'y')];
  const chained = new Map<string, NodeStatus>([
    ['x', 'cancelled'],
    ['y', 'pending'],
    ['z', 'pending'],
  ]);
  expect(unreachable(chain, chained)).toEqual([{ id: 'y', because: 'x' }]);
});

test('the critical path follows the longest chain by time, and counts the stages', () => {
  const times = new Map([
    ['a', 100],
    ['b', 500],
    ['c', 200],
    ['d', 50],
  ]);
  expect(criticalPath(diamond, times)).toEqual({ path: ['a', 'b', 'd'], ms: 650, steps: 3 });
  expect(criticalPath([n('x'), n('y')], new Map([['y', 10]]))).toEqual({ path: ['y'], ms: 10, steps: 1 });
});

test('a plan is read from the JSON object a reply ends with, and refused with the reason', () => {
  const reply = (o: object) => `I read the code {roughly}. Plan:\n\`\`\`json\n${JSON.stringify(o)}\n\`\`\``;
  const plan = {
    nodes: [
      { id: 'api', task: 'do {it}', extra: 1 },
      { id: 'ui', task: 'x', dependsOn: ['api'] },
    ],
  };
  expect(parsePlan(reply(plan), 5)).toEqual({
    nodes: [
      { id: 'api', task: 'do {it}', dependsOn: [] },
      { id: 'ui', task: 'x', dependsOn: ['api'] },
    ],
  });
  expect(parsePlan('no plan', 5)).toEqual({ error: 'the plan has no JSON object' });
  expect(parsePlan('{ not json }', 5)).toEqual({ error: 'the plan is not valid JSON' });
  expect(parsePlan(reply(plan), 1)).toEqual({ error: 'the plan has 2 subtasks, more than 1' });
  expect(parsePlan(reply({ nodes: [{ id: 'a', task: 'x', dependsOn: ['b'] }] }), 5)).toEqual({
    error: 'subtask "a" depends on "b", which is not in the graph',
  });
  expect(parsePlan(reply({ nodes: [] }), 5)).toMatchObject({
    error: expect.stringMatching(/^the plan does not fit/),
  });
});

test('jsonObjectIn takes the widest span that parses as an object', () => {
  expect(jsonObjectIn('a {"x": {"y": "}"}} b')).toEqual({ x: { y: '}' } });
  expect(jsonObjectIn('{oops} then {"ok": true}')).toEqual({ ok: true });
  expect(jsonObjectIn('[1, 2]')).toBeUndefined();
  expect(jsonObjectIn('{ [1] }')).toBeNull();
});

test('a subtask is told the overall task, its inputs (clipped) and its own job', () => {
  const prompt = nodePrompt('build it', { id: 'ui', task: 'the button', specialty: 'frontend' }, [
    { id: 'api', output: 'GET /x' },
    { id: 'big', output: 'y'.repeat(20_005) },
  ]);
  expect(prompt).toMatch(
    /^The overall task:\nbuild it\n\nResults of the subtasks yours depends on:\n\n### api\nGET \/x\n\n### big\n/,
  );
  expect(prompt).toContain(`${'y'.repeat(20_000)}\n… (5 more characters)`);
  expect(prompt).toMatch(
    /Your subtask \("ui", as the frontend specialist\):\nthe button\n\nReply with your subtask's result\.$/,
  );
  expect(nodePrompt('t', { id: 'a', task: 'x' }, [])).not.toContain('Results of');
});
