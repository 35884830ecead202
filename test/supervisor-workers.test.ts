/**
 * A supervisor with distinct named workers instead of one template, on the scripted model: it
 * reads who they are, delegates to each by name, and hears of a wrong name as a tool error.
 */
import { agentStatus, agentTranscript } from '../src/temporal/agents';
import { waitForSwarm } from '../src/temporal/swarms';
import { useHarness } from './helpers/harness';
import { replayClosedRuns } from './helpers/replay';

const h = useHarness();
const says = (text: string) => h.script([{ text }]);
/** Workflows the suite ran to their end, replayed at its end against today's code. */
const ended: string[] = [];

describe('a supervisor with distinct workers', () => {
  test('delegates to each by name with its own template; an unknown name is a tool error listing the names', async () => {
    const coderTask = says('code written');
    const reviewerTask = says('looks good');
    const supervisorTask = h.script([
      {
        toolCalls: [
          { name: 'delegate', input: { task: coderTask, worker: 'coder' } },
          { name: 'delegate', input: { task: reviewerTask, worker: 'reviewer', name: 'review pass' } },
          { name: 'delegate', input: { task: 'draw it', worker: 'designer' } },
        ],
      },
      { text: 'shipped' },
    ]);
    const id = await h.swarm({
      strategy: 'supervisor',
      task: supervisorTask,
      workers: [
        {
          name: 'coder',
          description: 'writes the code',
          model: 'claude-scripted-coder',
          systemPrompt: 'You write code.',
          tools: ['read_file', 'write_file'],
        },
        { name: 'reviewer', description: 'reads a change and judges it', systemPrompt: 'You review code.' },
      ],
    });
    const out = await waitForSwarm(h.client, id);
    expect(out).toMatchObject({ status: 'completed', result: 'shipped' });
    ended.push(`swarm-${id}`, `agent-${id}.1`);

    // The supervisor read who its workers are.
    const [supervisorCall] = h.requestsFor(supervisorTask);
    expect(supervisorCall.system).toContain(
      '- coder: writes the code\n- reviewer: reads a change and judges it',
    );
    // Each worker ran as its own template says.
    const [coderCall] = h.requestsFor(coderTask);
    expect(coderCall).toMatchObject({ model: 'claude-scripted-coder' });
    expect(coderCall.system).toContain('You write code.');
    expect(coderCall.tools.sort()).toEqual(['read_file', 'write_file']);
    const [reviewerCall] = h.requestsFor(reviewerTask);
    expect(reviewerCall.model).not.toBe('claude-scripted-coder');
    expect(reviewerCall.system).toContain('You review code.');
    const sup = await agentStatus(h.client, `${id}.1`);
    const workers = await Promise.all(sup.subagents.map((w) => agentStatus(h.client, w)));
    ended.push(...sup.subagents.map((w) => `agent-${w}`));
    expect(workers.map((w) => `${w.name} ${w.result}`).sort()).toEqual([
      'coder code written',
      'review pass looks good',
    ]);

    // The unknown name came back to the model as an error naming the workers; nothing started.
    const results = (await agentTranscript(h.client, `${id}.1`))[2].content as unknown as Array<
      Record<string, unknown>
    >;
    expect(results[2]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/no worker named "designer"; your workers are "coder", "reviewer"/),
    });
    expect(sup.subagents).toHaveLength(2);
  });

  test('a spec with both worker and workers, or two workers of one name, is refused', async () => {
    const start = (spec: object) => h.swarm({ strategy: 'supervisor', task: 'x', ...spec });
    await expect(start({ worker: {}, workers: [{ name: 'a', description: 'a' }] })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/give "worker" .* or "workers" .*, not both/),
    });
    const twins = [1, 2].map((n) => ({ name: 'a', description: `twin ${n}` }));
    await expect(start({ workers: twins })).rejects.toThrow(/each worker needs a name of its own/);
  });
});

test('the histories of a supervisor with named workers and of its workers replay cleanly', async () => {
  expect(ended.length).toBeGreaterThanOrEqual(4);
  const query = ended.map((id) => `WorkflowId="${id}"`).join(' OR ');
  expect(await replayClosedRuns(h.client, query, ended.length)).toEqual([]);
});
