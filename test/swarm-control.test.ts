/** Swarm budgets and control: each budget stops the swarm with its reason; pause, resume and cancel reach every agent. */
import { controlSwarm, swarmStatus, waitForSwarm } from '../src/temporal/swarms';
import { OrchestraStatus } from '../src/domain/search-attributes';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();
const says = (text: string) => h.script([{ text }]);

// Each test only touches swarms of its own: they run at the same time.
describe('budgets and control', () => {
  test.concurrent('a tool-call budget stops the swarm cleanly with its reason', async () => {
    const id = await h.swarm(
      { strategy: 'parallel', task: 'unused', agents: [{ task: h.busyTask(50) }, { task: h.busyTask(50) }] },
      { budgets: { maxToolCalls: 5 } },
    );
    const out = await waitForSwarm(h.client, id);
    expect(out).toMatchObject({ status: 'failed', error: 'budget exceeded: maxToolCalls (5)' });
    expect(out.agents.map((a) => a.status)).toEqual(['cancelled', 'cancelled']);
  });

  test.concurrent('a token budget and a subagent budget stop the swarm too', async () => {
    const tokens = await h.swarm(
      { strategy: 'parallel', task: 'unused', agents: [{ task: h.busyTask(50) }] },
      { budgets: { maxTokens: 500 } },
    );
    expect(await waitForSwarm(h.client, tokens)).toMatchObject({
      status: 'failed',
      error: 'budget exceeded: maxTokens (500)',
    });
    const spawn = await h.swarm(
      { strategy: 'parallel', task: 'unused', agents: [{ task: says('a') }, { task: says('b') }] },
      { budgets: { maxSubagents: 1 } },
    );
    expect(await waitForSwarm(h.client, spawn)).toMatchObject({
      status: 'failed',
      error: 'budget exceeded: maxSubagents (1)',
    });
  });

  test.concurrent('pause, resume and cancel of a swarm reach every agent, and their subagents', async () => {
    const child = h.busyTask(200);
    const parentTask = h.script([
      { toolCalls: [{ name: 'task', input: { description: 'deep', prompt: child } }] },
      { text: 'x' },
    ]);
    const id = await h.swarm({
      strategy: 'parallel',
      task: 'unused',
      agents: [{ task: parentTask }, { task: h.busyTask(200) }],
    });
    await waitForStatus(h.client, `${id}.1.1`, (v) => v.status === 'running');
    await controlSwarm(h.client, id, 'pause', { reason: 'budget review' });
    for (const agent of [`${id}.1`, `${id}.2`, `${id}.1.1`])
      await waitForStatus(h.client, agent, (v) => v.status === 'paused');
    expect((await swarmStatus(h.client, id)).status).toBe('paused');
    await expect(controlSwarm(h.client, id, 'pause')).rejects.toThrow(/cannot pause: the swarm is paused/);
    await controlSwarm(h.client, id, 'resume');
    for (const agent of [`${id}.1`, `${id}.2`, `${id}.1.1`])
      await waitForStatus(h.client, agent, (v) => v.status === 'running');
    await controlSwarm(h.client, id, 'cancel', { reason: 'enough' });
    expect(await waitForSwarm(h.client, id)).toMatchObject({ status: 'cancelled', error: 'enough' });
    for (const agent of [`${id}.1`, `${id}.2`, `${id}.1.1`])
      await waitForStatus(h.client, agent, (v) => v.status === 'cancelled');
  });

  test.concurrent("Temporal's own cancel of a swarm cancels its agents and ends it cancelled", async () => {
    const id = await h.swarm({
      strategy: 'parallel',
      task: 'x',
      agents: [{ task: h.busyTask(200) }, { task: h.busyTask(200) }],
    });
    for (const agent of [`${id}.1`, `${id}.2`])
      await waitForStatus(h.client, agent, (v) => v.status === 'running');
    await h.client.workflow.getHandle(`swarm-${id}`).cancel();
    for (const agent of [`${id}.1`, `${id}.2`])
      await waitForStatus(h.client, agent, (v) => v.status === 'cancelled');
    // The swarm closes once its children have acknowledged the cancellation.
    const error = await h.client.workflow
      .getHandle(`swarm-${id}`)
      .result()
      .catch((e: Error) => e);
    expect((error as Error & { cause?: Error }).cause?.name).toBe('CancelledFailure');
    const description = await h.client.workflow.getHandle(`swarm-${id}`).describe();
    expect(description.status.name).toBe('CANCELLED');
    expect(description.typedSearchAttributes.get(OrchestraStatus)).toBe('cancelled');
  });
});
