/** Determinism: the histories of finished runs replay against today's workflow code. */
import { agentHandle, controlAgent, waitForAgent } from '../src/temporal/agents';
import { controlSession, createSession } from '../src/temporal/sessions';
import { waitForSwarm } from '../src/temporal/swarms';
import { answerApproval } from '../src/temporal/approvals';
import { TEST_MODEL, useHarness, waitForStatus } from './helpers/harness';
import { replayClosedRuns } from './helpers/replay';

// Priced, so that the governance runs charge their session and day as they would for real.
const h = useHarness({ file: { prices: { [TEST_MODEL]: { input: 10, output: 10_000 } } } });

test('histories of agents (completed, paused, cancelled, failed, continued, parents, approvals, hooks, budgets), swarms and sessions replay cleanly', async () => {
  const ids: string[] = [];
  // Completed, with parallel reads, a write, bash and todo.
  ids.push(
    await h.spawn({
      task: h.script([
        {
          toolCalls: [
            { name: 'write_file', input: { path: 'a.txt', content: 'a' } },
            { name: 'todo', input: { todos: [] } },
          ],
        },
        {
          toolCalls: [
            { name: 'read_file', input: { path: 'a.txt' } },
            { name: 'grep', input: { pattern: 'a' } },
          ],
        },
        { toolCalls: [{ name: 'bash', input: { command: 'cat a.txt' } }] },
        { text: 'done' },
      ]),
    }),
  );
  // Paused, messaged and resumed with a task.
  // Its first call runs past the fast path's limit: handed to a queued call, which adopts it.
  const paused = await h.spawn({ task: h.script([{ text: 'one', delayMs: 2500 }, { text: 'two' }]) });
  ids.push(paused);
  await waitForStatus(h.client, paused, (v) => v.status === 'running');
  await controlAgent(h.client, paused, 'pause');
  await waitForStatus(h.client, paused, (v) => v.status === 'paused' && v.iterations === 1);
  await agentHandle(h.client, paused).signal('pause', 'garbage' as never);
  await controlAgent(h.client, paused, 'resume', { task: 'more' });
  // Cancelled mid call, and failed on a limit, and continued as new.
  const cancelled = await h.spawn({ task: h.script([{ text: 'slow', delayMs: 30_000 }]) });
  ids.push(cancelled);
  await waitForStatus(h.client, cancelled, (v) => v.status === 'running');
  await controlAgent(h.client, cancelled, 'cancel');
  ids.push(
    await h.spawn({
      task: h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }], { repeatLast: true }),
      limits: { maxIterations: 2 },
    }),
  );
  ids.push(
    await h.spawn({
      task: h.script([
        // Enough fast local steps for a checkpoint or two, so the history grows past 20 events.
        ...Array.from({ length: 25 }, () => ({ toolCalls: [{ name: 'list_files', input: {} }] })),
        { text: 'ok' },
      ]),
      limits: { maxIterations: 100 },
      tuning: { continueAsNewAfterEvents: 20 },
    }),
  );
  // A parent with a subagent (a child workflow).
  const parent = await h.spawn({
    task: h.script([
      { toolCalls: [{ name: 'task', input: { description: 'sub', prompt: h.script([{ text: 'child' }]) } }] },
      { text: 'parent' },
    ]),
  });
  ids.push(parent, `${parent}.1`);
  // Governance: a supervised agent whose calls are allowed and denied, a hook that blocks,
  // and a budget that pauses for a person who says stop.
  const list = { name: 'list_files', input: {} };
  const supervised = await h.spawn({
    task: h.script([
      { toolCalls: [list] },
      { toolCalls: [list] },
      { toolCalls: [{ name: 'bash', input: { command: 'echo hi' } }] },
      { text: 'done' },
    ]),
    policy: { autonomy: 'supervised' },
    hooks: { rules: [{ name: 'no-shell', on: 'tool.before', tool: 'bash', block: 'no shell here' }] },
  });
  ids.push(supervised);
  for (const decision of ['allow', 'deny'] as const) {
    const [pending] = (await waitForStatus(h.client, supervised, (v) => v.pendingApprovals.length === 1))
      .pendingApprovals;
    await answerApproval(h.client, pending, { decision, note: decision });
    await waitForStatus(
      h.client,
      supervised,
      (v) => !v.pendingApprovals.some((a) => a.callId === pending.callId),
    );
  }
  const { id: budgeted } = await createSession(h.client, h.taskQueue, {
    cwd: await h.tempDir(),
    budgetUsd: 100,
  });
  const spender = await h.spawn({
    task: h.script([{ toolCalls: [list] }], { repeatLast: true }),
    sessionId: budgeted,
    budget: { agentUsd: 0.5 },
  });
  ids.push(spender);
  const [limit] = (await waitForStatus(h.client, spender, (v) => v.pendingApprovals.length === 1))
    .pendingApprovals;
  await answerApproval(h.client, limit, { decision: 'deny', note: 'enough' });
  for (const id of ids) await waitForAgent(h.client, id);
  await controlSession(h.client, budgeted, 'cancel');
  // A swarm of each strategy, and a session, replay too.
  const says = (text: string) => h.script([{ text }]);
  const swarms = await Promise.all([
    h.swarm({
      strategy: 'parallel',
      task: 'x',
      merge: 'vote',
      agents: [{ task: says('a') }, { task: says('a') }],
    }),
    h.swarm({
      strategy: 'pipeline',
      task: 'x',
      stages: [
        { name: 'one', task: says('1') },
        { name: 'two', task: says('2') },
      ],
    }),
    h.swarm({
      strategy: 'debate',
      task: 'x',
      rounds: 1,
      participants: [{ task: says('p') }, { task: says('q') }],
    }),
    h.swarm({
      strategy: 'supervisor',
      task: h.script([{ toolCalls: [{ name: 'delegate', input: { task: says('w') } }] }, { text: 'sup' }]),
    }),
  ]);
  for (const id of swarms) await waitForSwarm(h.client, id);
  const { id: session } = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir() });
  await controlSession(h.client, session, 'cancel');
  const closed = [
    ...ids.map((id) => `agent-${id}`),
    ...swarms.map((id) => `swarm-${id}`),
    `session-${session}`,
    `session-${budgeted}`,
  ];

  const query = closed.map((id) => `WorkflowId="${id}"`).join(' OR ');
  // Every run, continued ones too (one more than the workflows).
  expect(await replayClosedRuns(h.client, query, closed.length + 1)).toEqual([]);
});
