/**
 * Durability against a worker crash: kill -9 the worker while a slow model call is in
 * flight; a new worker finishes the agent, and no completed tool runs again.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { agentEvents, agentStatus, waitForAgent } from '../src/temporal/agents';
import { useHarness, waitForStatus } from './helpers/harness';
import { startWorkerProcess } from './helpers/worker-process';

const h = useHarness({ worker: false });

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
