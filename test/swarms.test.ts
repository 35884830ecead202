/** The swarm strategies, on the scripted model: every merge, pipelines, debates, supervisors. */
import { agentStatus, agentTranscript } from '../src/temporal/agents';
import { waitForSwarm } from '../src/temporal/swarms';
import { useHarness } from './helpers/harness';

const h = useHarness();
// Each test only touches swarms of its own (their own scripts): a block's tests run at the same time.
const says = (text: string, delayMs = 0) => h.script([{ text, delayMs }]);

describe('parallel', () => {
  test.concurrent(
    'merge all keeps every result, attributed to its agent; totals are the sum of the agents',
    async () => {
      const id = await h.swarm({
        strategy: 'parallel',
        task: 'unused',
        merge: 'all',
        agents: [
          {
            name: 'a',
            task: h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'from a' }]),
          },
          { name: 'b', task: says('from b') },
        ],
      });
      const out = await waitForSwarm(h.client, id);
      expect(out.status).toBe('completed');
      expect(out.result).toBe(`## a (${id}.1, completed)\nfrom a\n\n## b (${id}.2, completed)\nfrom b`);
      expect(out.agents.map((a) => `${a.id} ${a.name} ${a.status}`)).toEqual([
        `${id}.1 a completed`,
        `${id}.2 b completed`,
      ]);
      const a = out.agents[0].usage;
      const b = out.agents[1].usage;
      expect(out.stats).toMatchObject({
        spawned: 2,
        completed: 2,
        toolCalls: 1,
        tokens: { input: a.tokens.input + b.tokens.input, output: a.tokens.output + b.tokens.output },
      });
      expect(out.stats.criticalPathMs).toBe(Math.max(...out.agents.map((x) => x.metrics!.durationMs)));
      expect(out.stats.agentTimeMs).toBe(out.agents.reduce((s, x) => s + x.metrics!.durationMs, 0));
      expect((await agentStatus(h.client, `${id}.1`)).swarmId).toBe(id);
    },
  );

  test.concurrent(
    'merge first takes the first success and cancels the others, which show as cancelled',
    async () => {
      const id = await h.swarm({
        strategy: 'parallel',
        task: 'unused',
        merge: 'first',
        agents: [
          { task: says('slow', 30_000) },
          { task: says('fast', 200) },
          { task: says('slow too', 30_000) },
        ],
      });
      const out = await waitForSwarm(h.client, id);
      expect(out).toMatchObject({
        status: 'completed',
        result: 'fast',
        merge: { merge: 'first', winner: `${id}.2` },
      });
      expect(out.merge?.cancelled).toEqual([`${id}.1`, `${id}.3`]);
      expect(out.agents.map((a) => a.status)).toEqual(['cancelled', 'completed', 'cancelled']);
      expect((await agentStatus(h.client, `${id}.1`)).status).toBe('cancelled');
    },
  );

  test.concurrent(
    'merge vote takes the most common normalised answer and reports a tie and how it was broken',
    async () => {
      const majority = await h.swarm({
        strategy: 'parallel',
        task: 'unused',
        merge: 'vote',
        agents: [{ task: says('Paris') }, { task: says('paris.') }, { task: says('Lyon') }],
      });
      expect(await waitForSwarm(h.client, majority)).toMatchObject({
        result: 'Paris',
        merge: {
          tie: false,
          winner: `${majority}.1`,
          counts: [
            { answer: 'paris', votes: 2 },
            { answer: 'lyon', votes: 1 },
          ],
        },
      });
      const tie = await h.swarm({
        strategy: 'parallel',
        task: 'unused',
        merge: 'vote',
        agents: [
          { task: says('Lyon') },
          { task: says('Paris') },
          { task: says('paris') },
          { task: says('lyon') },
        ],
      });
      // Two against two: the answer given first (by agent 1) wins, deterministically, and the tie is reported.
      expect(await waitForSwarm(h.client, tie)).toMatchObject({
        result: 'Lyon',
        merge: { tie: true, winner: `${tie}.1` },
      });
    },
  );

  test.concurrent('merge best with a judge and a rubric keeps the scores', async () => {
    const judge = h.script([
      { text: 'Candidate 2 is complete. {"scores": [3, 9], "best": 2, "reason": "covers edge cases"}' },
    ]);
    const id = await h.swarm({
      strategy: 'parallel',
      task: `write a sort ${judge}`,
      merge: 'best',
      agents: [{ task: says('bubble sort') }, { task: says('merge sort with tests') }],
      scorer: { judge: { name: 'judge' }, rubric: 'correctness, then tests' },
    });
    const out = await waitForSwarm(h.client, id);
    expect(out).toMatchObject({
      status: 'completed',
      result: 'merge sort with tests',
      merge: {
        scorer: 'judge',
        best: `${id}.2`,
        judge: `${id}.3`,
        reason: 'covers edge cases',
        scores: [
          { agent: `${id}.1`, score: 3 },
          { agent: `${id}.2`, score: 9 },
        ],
      },
    });
    expect(h.model.requests.filter((r) => judge.includes(`[${r.script}]`)).map((r) => r.tools)).toEqual([[]]);
  });

  test.concurrent('merge best with a named scorer, and a spec without a scorer is refused', async () => {
    const id = await h.swarm({
      strategy: 'parallel',
      task: 'unused',
      merge: 'best',
      scorer: { named: 'longest' },
      agents: [{ task: says('short') }, { task: says('the longest answer') }],
    });
    expect(await waitForSwarm(h.client, id)).toMatchObject({
      result: 'the longest answer',
      merge: { scorer: 'longest' },
    });
    await expect(h.swarm({ strategy: 'parallel', task: 't', merge: 'best', agents: [{}] })).rejects.toThrow(
      /merge "best" needs a scorer/,
    );
  });
});

describe('pipeline', () => {
  test.concurrent(
    "each stage's output is the next stage's input, with the original task in view",
    async () => {
      const research = h.script([{ text: 'facts: A, B' }]);
      const draft = h.script([{ text: 'draft using A, B' }]);
      const id = await h.swarm({
        strategy: 'pipeline',
        task: 'write about A',
        stages: [
          { name: 'research', task: research },
          { name: 'draft', task: draft },
        ],
      });
      const out = await waitForSwarm(h.client, id);
      expect(out).toMatchObject({ status: 'completed', result: 'draft using A, B' });
      expect(out.stats.stages?.map((s) => s.name)).toEqual(['research', 'draft']);
      expect(out.stats.criticalPathMs).toBe(out.stats.stages!.reduce((sum, s) => sum + s.durationMs, 0));
      const draftTask = (await agentStatus(h.client, `${id}.2`)).task;
      expect(draftTask).toMatch(
        /^The overall task:\nwrite about A\n\nThe output of the previous stage \("research"\):\nfacts: A, B\n\nYour stage: draft/,
      );
    },
  );

  test.concurrent(
    'a failed stage stops the pipeline, names the stage and keeps the outputs before it',
    async () => {
      const id = await h.swarm({
        strategy: 'pipeline',
        task: 'three stages',
        stages: [
          { name: 'research', task: says('found it') },
          { name: 'draft', task: h.busyTask(0), limits: { maxIterations: 1 } },
          { name: 'edit', task: says('never') },
        ],
      });
      const out = await waitForSwarm(h.client, id);
      expect(out).toMatchObject({
        status: 'failed',
        error: 'stage "draft" failed: limit reached: maxIterations (1)',
        merge: { failedStage: 'draft', outputs: [{ stage: 'research', output: 'found it' }] },
      });
      expect(out.agents).toHaveLength(2);
    },
  );
});

describe('debate', () => {
  test.concurrent(
    'two rounds with a judge: each participant sees the other, the transcript keeps every round',
    async () => {
      const judge = h.script([{ text: '{"scores": [8, 4], "best": 1}' }]);
      const id = await h.swarm({
        strategy: 'debate',
        task: `tabs or spaces? ${judge}`,
        rounds: 2,
        participants: [
          { name: 'pro', task: h.script([{ text: 'tabs' }]) },
          { name: 'con', task: h.script([{ text: 'spaces' }]) },
        ],
        judge: { name: 'judge' },
      });
      const out = await waitForSwarm(h.client, id);
      expect(out).toMatchObject({
        status: 'completed',
        result: 'tabs',
        merge: { decidedBy: 'judge', winner: 'pro' },
      });
      const rounds = out.merge?.rounds as Array<{
        round: number;
        arguments: Array<{ participant: string; argument: string }>;
      }>;
      expect(rounds.map((r) => r.arguments.map((a) => `${r.round}:${a.participant}:${a.argument}`))).toEqual([
        ['1:pro:tabs', '1:con:spaces'],
        ['2:pro:tabs', '2:con:spaces'],
      ]);
      expect((await agentStatus(h.client, `${id}.3`)).task).toMatch(
        /The other participants' arguments from the last round:\n- con: spaces/,
      );
      expect(out.stats.spawned).toBe(5);
    },
  );

  test.concurrent('without a judge, a vote over the final arguments decides', async () => {
    const id = await h.swarm({
      strategy: 'debate',
      task: 'unused',
      rounds: 2,
      participants: [{ task: says('yes') }, { task: says('no') }, { task: says('Yes') }],
    });
    expect(await waitForSwarm(h.client, id)).toMatchObject({
      result: 'yes',
      merge: { decidedBy: 'vote', tie: false },
    });
  });
});

describe('supervisor', () => {
  const delegate = (task: string, name: string) => ({ name: 'delegate', input: { task, name } });

  test.concurrent('the supervisor delegates three workers at once and combines what comes back', async () => {
    const workers = [1, 2, 3].map((n) => h.script([{ text: `part ${n} done`, delayMs: 1000 }]));
    const supervisor = h.script([
      { toolCalls: workers.map((w, i) => delegate(w, `part ${i + 1}`)) },
      { text: 'combined: parts 1-3' },
    ]);
    const id = await h.swarm({ strategy: 'supervisor', task: supervisor, worker: { tools: ['read_file'] } });
    const out = await waitForSwarm(h.client, id);
    expect(out).toMatchObject({
      status: 'completed',
      result: 'combined: parts 1-3',
      merge: { supervisor: `${id}.1` },
    });
    const sup = await agentStatus(h.client, `${id}.1`);
    expect(sup.subagents).toEqual([`${id}.1.1`, `${id}.1.2`, `${id}.1.3`]);
    const views = await Promise.all(sup.subagents.map((w) => agentStatus(h.client, w)));
    expect(views.map((v) => `${v.name} ${v.status} ${v.result}`)).toEqual([
      'part 1 completed part 1 done',
      'part 2 completed part 2 done',
      'part 3 completed part 3 done',
    ]);
    // Side by side: every worker started before any finished.
    const starts = views.map((v) => Date.parse(v.startedAt));
    const ends = views.map((v) => Date.parse(v.updatedAt));
    expect(Math.max(...starts)).toBeLessThan(Math.min(...ends));
    // The swarm counts the workers and their work.
    expect(out.stats.spawned).toBe(4);
    expect(out.agents[0].usage.agents).toBe(4);
    expect(out.stats.toolCalls).toBe(out.agents[0].usage.toolCalls);
  });

  test.concurrent('maxConcurrent holds delegations back; maxWorkers refuses past the total', async () => {
    const workers = [1, 2, 3].map((n) => h.script([{ text: `w${n}`, delayMs: 600 }]));
    const supervisor = h.script([
      { toolCalls: workers.map((w, i) => delegate(w, `w${i + 1}`)) },
      { text: 'ok' },
    ]);
    const id = await h.swarm({ strategy: 'supervisor', task: supervisor, maxConcurrent: 1, maxWorkers: 2 });
    await waitForSwarm(h.client, id);
    const w1 = await agentStatus(h.client, `${id}.1.1`);
    const w2 = await agentStatus(h.client, `${id}.1.2`);
    // One at a time: the second started after the first ended.
    expect(Date.parse(w2.startedAt)).toBeGreaterThanOrEqual(Date.parse(w1.updatedAt));
    const results = (await agentTranscript(h.client, `${id}.1`))[2].content;
    expect(results[2]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/all 2 workers \(maxWorkers\) have been used/),
    });
  });
});
