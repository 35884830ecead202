/**
 * Durability against a worker crash: kill -9 the worker while a slow model call is in
 * flight; a new worker finishes the agent, and no completed tool runs again.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { agentEvents, agentStatus, waitForAgent } from '../src/temporal/agents';
import { waitForSwarm } from '../src/temporal/swarms';
import { useHarness, waitForStatus } from './helpers/harness';
import { startWorkerProcess } from './helpers/worker-process';
import { until } from './helpers/poll';

// Its workers are killed: a namespace of its own, so that they hold no other suite's store.
const h = useHarness({ worker: false, ownNamespace: true });

test('kill -9 of the worker mid model call: a new worker finishes the agent, completed tools are not run again', async () => {
  const task = h.script([
    { toolCalls: [{ name: 'bash', input: { command: 'echo first >> runs.txt' } }] },
    {
      toolCalls: [{ name: 'bash', input: { command: 'echo second >> runs.txt' } }],
      delayMs: 60_000,
      slowAttempts: 1,
    },
    { text: 'all done' },
  ]);
  const first = startWorkerProcess(h);
  const id = await h.spawn({ task });
  // Wait until the slow second model call is in flight on the first worker.
  await waitForStatus(h.client, id, () =>
    h.model.requests.some((r) => task.includes(`[${r.script}]`) && r.turn === 1),
  );
  const killedAt = Date.now();
  first.kill9();
  const second = startWorkerProcess(h);
  try {
    const result = await waitForAgent(h.client, id);
    expect(result).toMatchObject({
      status: 'completed',
      result: 'all done',
      metrics: { iterations: 3, toolCalls: 2 },
    });

    const view = await agentStatus(h.client, id);
    // The side effect counts runs: the bash call that completed before the crash ran exactly once.
    expect(await readFile(path.join(view.cwd, 'runs.txt'), 'utf8')).toBe('first\nsecond\n');
    // The completed first model call was not repeated; the interrupted one was retried once.
    const calls = h.model.requests.filter((r) => task.includes(`[${r.script}]`));
    expect(calls.map((r) => `${r.turn}:${r.attempt}`)).toEqual(['0:1', '1:1', '1:2', '2:1']);

    const recovered = (await agentEvents(h.client, id)).find(
      (e) => e.type === 'tokens' && Date.parse(e.at) > killedAt,
    );
    expect(recovered).toBeDefined();
    const seconds = (Date.parse(recovered!.at) - killedAt) / 1000;
    console.log(`kill -9 → next completed step: ${seconds.toFixed(1)}s`);
  } finally {
    await second.stop();
  }
});

test('kill -9 in the middle of a swarm: it finishes with every completed child kept and none run twice', async () => {
  const quick = h.script([
    { toolCalls: [{ name: 'bash', input: { command: 'echo quick >> runs.txt' } }] },
    { text: 'quick done' },
  ]);
  const slow = (n: number) =>
    h.script([
      { toolCalls: [{ name: 'bash', input: { command: `echo slow${n} >> runs.txt` } }] },
      { text: `slow ${n} done`, delayMs: 60_000, slowAttempts: 1 },
    ]);
  const tasks = [quick, slow(1), slow(2)];
  const first = startWorkerProcess(h);
  const id = await h.swarm({
    strategy: 'parallel',
    task: 'x',
    merge: 'all',
    agents: tasks.map((task) => ({ task })),
  });
  // The quick agent has finished and both slow agents are in their slow second call.
  await waitForStatus(h.client, `${id}.1`, (v) => v.status === 'completed');
  for (const n of [2, 3])
    await waitForStatus(h.client, `${id}.${n}`, (v) => v.iterations === 1 && v.toolCalls === 1);
  await until(
    async () => tasks.slice(1).every((task) => h.requestsFor(task).some((r) => r.turn === 1)),
    (inFlight) => inFlight,
    'the slow calls never started',
  );
  first.kill9();
  const second = startWorkerProcess(h);
  try {
    const out = await waitForSwarm(h.client, id);
    expect(out.status).toBe('completed');
    expect(out.agents.map((a) => `${a.status}:${a.result}`)).toEqual([
      'completed:quick done',
      'completed:slow 1 done',
      'completed:slow 2 done',
    ]);
    const view = await agentStatus(h.client, `${id}.1`);
    const runs = (await readFile(path.join(view.cwd, 'runs.txt'), 'utf8')).trim().split('\n').sort();
    expect(runs).toEqual(['quick', 'slow1', 'slow2']);
    // The finished child's model calls were not repeated; only the interrupted ones were.
    expect(h.requestsFor(quick).map((r) => `${r.turn}:${r.attempt}`)).toEqual(['0:1', '1:1']);
    for (const task of tasks.slice(1))
      expect(h.requestsFor(task).map((r) => `${r.turn}:${r.attempt}`)).toEqual(['0:1', '1:1', '1:2']);
  } finally {
    await second.stop();
  }
});
