/** Determinism: the histories of finished runs replay against today's workflow code. */
import { Worker } from '@temporalio/worker';
import { agentHandle, controlAgent, waitForAgent } from '../src/temporal/agents';
import { WORKFLOWS_PATH } from '../workers/worker';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();

test('histories of completed, paused-and-resumed, cancelled, failed, continued and parent runs replay cleanly', async () => {
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
  const paused = await h.spawn({ task: h.script([{ text: 'one', delayMs: 400 }, { text: 'two' }]) });
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
        ...Array.from({ length: 5 }, () => ({ toolCalls: [{ name: 'list_files', input: {} }] })),
        { text: 'ok' },
      ]),
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
  for (const id of ids) await waitForAgent(h.client, id);

  const query = ids.map((id) => `WorkflowId="agent-${id}"`).join(' OR ');
  // Visibility is eventually consistent: wait until every run (continued ones too) is listed as closed.
  let runs = 0;
  for (let i = 0; i < 100; i++) {
    runs = (await h.client.workflow.count(`(${query}) AND ExecutionStatus!="Running"`)).count;
    if (runs >= ids.length + 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const histories = h.client.workflow
    .list({ query: `(${query}) AND ExecutionStatus!="Running"` })
    .intoHistories();
  const results = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH }, histories))
    results.push(result);
  expect(results.length).toBeGreaterThanOrEqual(ids.length + 1);
  expect(results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error?.message}`)).toEqual([]);
});
