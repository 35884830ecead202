/** Placing an agent, or its tools, on a task queue of its own: the workers there run it, and it says where. */
import { randomUUID } from 'node:crypto';
import { agentStatus, waitForAgent } from '../src/temporal/agents';
import { waitForSwarm } from '../src/temporal/swarms';
import { useHarness } from './helpers/harness';

const h = useHarness();
const listing = () => h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'listed' }]);

/** The task queues a run's history names: where it ran, and where each of its activities was scheduled. */
async function queuesOf(workflowId: string): Promise<{ workflow?: string; activities: string[] }> {
  const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  return {
    workflow: events[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name ?? undefined,
    activities: events.flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      return a ? [`${a.activityType?.name}@${a.taskQueue?.name}`] : [];
    }),
  };
}

test('an agent placed on a queue runs on its workers, and its status and the Web UI say where', async () => {
  const elsewhere = `gpu-${randomUUID().slice(0, 8)}`;
  // A worker elsewhere (here in this process: the queue, not the process, is what places work).
  const worker = await h.startWorker(elsewhere);
  try {
    const id = await h.spawn({ task: listing(), location: elsewhere });
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'listed' });
    expect((await agentStatus(h.client, id)).taskQueue).toBe(elsewhere);
    const queues = await queuesOf(`agent-${id}`);
    expect(queues.workflow).toBe(elsewhere);
    const described = await h.client.workflow.getHandle(`agent-${id}`).describe();
    expect(await described.staticDetails()).toContain(`queue \`${elsewhere}\``);
  } finally {
    await worker.stop();
  }
});

test("an agent's tools placed on another queue run there, while the agent stays on its own", async () => {
  const sandboxes = `sandboxes-${randomUUID().slice(0, 8)}`;
  const id = await h.spawn({ task: listing(), toolsLocation: sandboxes });
  // No worker serves that queue yet: the tool call waits for one, and the agent with it.
  await new Promise((r) => setTimeout(r, 1500));
  expect((await agentStatus(h.client, id)).status).toBe('running');
  const worker = await h.startWorker(sandboxes);
  try {
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed' });
    const view = await agentStatus(h.client, id);
    expect(view).toMatchObject({ taskQueue: h.taskQueue, toolsLocation: sandboxes });
    const queues = await queuesOf(`agent-${id}`);
    expect(queues.workflow).toBe(h.taskQueue);
    expect(queues.activities).toContain(`listFiles@${sandboxes}`);
  } finally {
    await worker.stop();
  }
});

test('a swarm member placed on a queue is started there; a bad location is refused with the reason', async () => {
  const elsewhere = `big-${randomUUID().slice(0, 8)}`;
  const worker = await h.startWorker(elsewhere);
  try {
    const swarm = await h.swarm({
      strategy: 'parallel',
      task: 'unused',
      agents: [{ task: listing() }, { task: listing(), location: elsewhere }],
    });
    const out = await waitForSwarm(h.client, swarm);
    expect(out.status).toBe('completed');
    expect((await queuesOf(`agent-${swarm}.1`)).workflow).toBe(h.taskQueue);
    expect((await queuesOf(`agent-${swarm}.2`)).workflow).toBe(elsewhere);
  } finally {
    await worker.stop();
  }
  await expect(h.spawn({ task: 'x', location: `${h.taskQueue}-model` })).rejects.toThrow(
    /a "-model" queue runs model calls only\s+→ at location/,
  );
  await expect(h.spawn({ task: 'x', toolsLocation: 'no spaces' })).rejects.toThrow(
    /letters, digits, ".", "_" and "-", at most 100\s+→ at toolsLocation/,
  );
});
