/** The `task` tool: subagents as child workflows, their limits, and control reaching them. */
import {
  agentEvents,
  agentStatus,
  agentTranscript,
  controlAgent,
  listAgents,
  waitForAgent,
} from '../src/temporal/agents';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();
// Each test only touches agents of its own (their own scripts): they run at the same time.

const delegate = (prompt: string, extra: Record<string, unknown> = {}) => ({
  name: 'task',
  input: { description: 'sub', prompt, ...extra },
});

const toolResults = async (id: string) =>
  (await agentTranscript(h.client, id)).flatMap((m) => m.content).filter((b) => b.type === 'tool_result');

test.concurrent(
  "a subagent runs as a child workflow and its result is the parent's tool result",
  async () => {
    const child = h.script([
      { toolCalls: [{ name: 'write_file', input: { path: 'from-child.txt', content: 'hi' } }] },
      { text: 'child wrote from-child.txt' },
    ]);
    const parent = h.script([
      { toolCalls: [delegate(child, { description: 'write the file' })] },
      { text: 'parent done' },
    ]);
    const id = await h.spawn({ task: parent });
    const result = await waitForAgent(h.client, id);
    expect(result).toMatchObject({ status: 'completed', result: 'parent done' });

    const [taskResult] = await toolResults(id);
    expect(taskResult).toMatchObject({
      content: expect.stringMatching(
        /^child wrote from-child.txt\n\n\[subagent \S+\.1 completed · 2 iterations · 1 tool calls/,
      ),
    });
    expect(taskResult).not.toHaveProperty('is_error');

    const childView = await agentStatus(h.client, `${id}.1`);
    expect(childView).toMatchObject({
      type: 'subagent',
      name: 'write the file',
      parentId: id,
      depth: 1,
      status: 'completed',
      cwd: (await agentStatus(h.client, id)).cwd,
    });
    expect((await agentStatus(h.client, id)).subagents).toEqual([`${id}.1`]);
    // Accounting rolls up: the parent's totals are its own metrics plus the child's.
    const childResult = await waitForAgent(h.client, `${id}.1`);
    const own = result.metrics;
    const sub = childResult.metrics;
    expect(result.totals).toEqual({
      tokens: { input: own.tokens.input + sub.tokens.input, output: own.tokens.output + sub.tokens.output },
      toolCalls: own.toolCalls + sub.toolCalls,
      iterations: own.iterations + sub.iterations,
      agents: 2,
      costUsd: 0, // the scripted test model is not in the price table
    });
    const description = await h.client.workflow.getHandle(`agent-${id}.1`).describe();
    expect(description.parentExecution?.workflowId).toBe(`agent-${id}`);
  },
);

test.concurrent('several task calls in one reply run at the same time', async () => {
  const slowChild = (n: number) => h.script([{ text: `child ${n} done`, delayMs: 1500 }]);
  const children = [slowChild(1), slowChild(2), slowChild(3)];
  const parent = h.script([{ toolCalls: children.map((c) => delegate(c)) }, { text: 'all three done' }]);
  const id = await h.spawn({ task: parent });
  const result = await waitForAgent(h.client, id);
  expect(result.status).toBe('completed');
  // At the same time: every child asked its model before any child had its 1.5 s answer (one
  // after another, each would ask after the previous one's answer). Read from the model
  // server's own clock, so a loaded machine cannot fail it.
  const asked = children.map((c) => h.requestsFor(c)[0]);
  const firstAnswer = Math.min(...asked.map((r) => r.answeredAt ?? Infinity));
  expect(Math.max(...asked.map((r) => r.at))).toBeLessThan(firstAnswer);
  expect(
    (await toolResults(id)).map((r) => (r.type === 'tool_result' ? r.content.split('\n')[0] : '')),
  ).toEqual(['child 1 done', 'child 2 done', 'child 3 done']);
});

test.concurrent('the depth limit and the count limit give the model a clear tool error', async () => {
  const grandchild = h.script([{ text: 'never runs' }]);
  const child = h.script([{ toolCalls: [delegate(grandchild)] }, { text: 'child could not delegate' }]);
  const parent = h.script([
    { toolCalls: [delegate(child), delegate(h.script([{ text: 'second' }]))] },
    { text: 'done' },
  ]);
  const id = await h.spawn({ task: parent, limits: { maxDepth: 1, maxSubagents: 1 } });
  await waitForAgent(h.client, id);
  const [first, second] = await toolResults(id);
  expect(first).toMatchObject({ content: expect.stringMatching(/^child could not delegate/) });
  expect(second).toMatchObject({
    is_error: true,
    content: expect.stringMatching(/started its 1 subagents \(maxSubagents\)/),
  });
  const [grand] = await toolResults(`${id}.1`);
  // Totals count the child, and the failed-nothing grandchild never existed.
  expect((await waitForAgent(h.client, id)).totals.agents).toBe(2);
  expect(grand).toMatchObject({
    is_error: true,
    content: expect.stringMatching(/subagents may nest 1 deep and this agent is at depth 1/),
  });
});

test.concurrent("a subagent's failure is a tool error for the parent, which carries on", async () => {
  const child = h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }], { repeatLast: true });
  const parent = h.script([
    { toolCalls: [delegate(child, { maxIterations: 2 })] },
    { text: 'noted the failure' },
  ]);
  const id = await h.spawn({ task: parent });
  expect((await waitForAgent(h.client, id)).status).toBe('completed');
  const [taskResult] = await toolResults(id);
  expect(taskResult).toMatchObject({
    is_error: true,
    content: `subagent ${id}.1 failed: limit reached: maxIterations (2)`,
  });
  // A failed subagent's work still counts.
  expect((await waitForAgent(h.client, id)).totals).toMatchObject({ agents: 2, iterations: 2 + 2 });
});

test.concurrent('a subagent only gets tools its parent has', async () => {
  const child = h.script([{ text: 'read only' }]);
  const parent = h.script([
    { toolCalls: [delegate(child, { tools: ['bash'] })] },
    { toolCalls: [delegate(child, { tools: ['read_file'] })] },
    { text: 'ok' },
  ]);
  const id = await h.spawn({ task: parent, tools: ['read_file', 'task'] });
  await waitForAgent(h.client, id);
  const [refused, accepted] = await toolResults(id);
  expect(refused).toMatchObject({
    is_error: true,
    content: 'refused: a subagent can only get tools you have; you lack bash',
  });
  expect(accepted).toMatchObject({ content: expect.stringMatching(/^read only/) });
  expect(h.model.requests.filter((r) => child.includes(`[${r.script}]`)).map((r) => r.tools)).toEqual([
    ['read_file'],
  ]);
});

test.concurrent('pausing the parent pauses its running subagents; resume carries both on', async () => {
  // Six steps of 500 ms: a pause lands at the next checkpoint of its local steps (1 s of model time).
  const step = { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 500 };
  const child = h.script([...Array.from({ length: 6 }, () => step), { text: 'child finished' }]);
  const parent = h.script([{ toolCalls: [delegate(child)] }, { text: 'parent finished' }]);
  const id = await h.spawn({ task: parent });
  await waitForStatus(h.client, `${id}.1`, (v) => v.status === 'running');
  await controlAgent(h.client, id, 'pause', { reason: 'review' });
  const pausedChild = await waitForStatus(h.client, `${id}.1`, (v) => v.status === 'paused');
  expect(pausedChild.pausedReason).toBe(`${id} paused: review`);
  const iterations = pausedChild.iterations;
  await new Promise((r) => setTimeout(r, 1200));
  expect((await agentStatus(h.client, `${id}.1`)).iterations).toBeLessThanOrEqual(iterations + 1);
  await controlAgent(h.client, id, 'resume');
  expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'parent finished' });
  expect((await agentStatus(h.client, `${id}.1`)).status).toBe('completed');
});

test.concurrent(
  'cancelling the parent cancels its subagents, and the tree is listable by parent',
  async () => {
    const child = h.busyTask(300);
    const parent = h.script([{ toolCalls: [delegate(child), delegate(h.busyTask(300))] }, { text: 'never' }]);
    const id = await h.spawn({ task: parent });
    await waitForStatus(h.client, `${id}.2`, (v) => v.status === 'running');
    const running = await h.client.workflow.count(`OrchestraParentId="${id}"`);
    expect(running.count).toBe(2);
    await controlAgent(h.client, id, 'cancel', { reason: 'stop all' });
    expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
    for (const child of [`${id}.1`, `${id}.2`]) {
      expect((await waitForStatus(h.client, child, (v) => v.status === 'cancelled')).status).toBe(
        'cancelled',
      );
    }
    const events = await agentEvents(h.client, id);
    expect(events.filter((e) => e.type === 'tool_call').map((e) => e.type === 'tool_call' && e.tool)).toEqual(
      ['task', 'task'],
    );
    expect((await listAgents(h.client, { status: 'cancelled' })).items.map((a) => a.id)).toEqual(
      expect.arrayContaining([id]),
    );
  },
);
