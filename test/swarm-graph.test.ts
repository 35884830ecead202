/** The graph strategy on the real dev server: stages, inputs, failure policies, a planner, and what a person sees. */
import type { SwarmAgent, SwarmOutcome } from '../src/domain';
import { agentStatus } from '../src/temporal/agents';
import { swarmStatus, waitForSwarm } from '../src/temporal/swarms';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();
// Each test only touches swarms of its own (their own scripts): a block's tests run at the same time.
const says = (text: string, delayMs = 0) => h.script([{ text, delayMs }]);

/** The Web UI's "current details" of a workflow. */
async function details(workflowId: string): Promise<string> {
  const meta = await h.client.workflow
    .getHandle(workflowId)
    .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return meta.currentDetails ?? '';
}

const agentOf = (out: SwarmOutcome, node: string): SwarmAgent => {
  const id = out.graph!.nodes.find((n) => n.id === node)!.agentId;
  return out.agents.find((a) => a.id === id)!;
};
const ms = (iso?: string) => Date.parse(iso!);
/** The prompt an agent of the swarm was started with. */
const taskOf = async (agent: SwarmAgent) => (await agentStatus(h.client, agent.id)).task;

test.concurrent(
  'a 6-node graph of two stages runs its independent subtasks at once and their dependants with their inputs',
  async () => {
    const task = `ship the export ${Date.now()}`;
    // Stage 1 answers once all three have asked the model: none can end before the last starts.
    const stage1 = `stage-1-${task}`;
    const [a, b, c] = ['a', 'b', 'c'].map((n) => h.script([{ text: `from ${n}`, gate: stage1 }]));
    const id = await h.swarm({
      strategy: 'graph',
      task,
      maxConcurrent: 3,
      nodes: [
        { id: 'a', task: a },
        { id: 'b', task: b },
        { id: 'c', task: c, specialty: 'docs' },
        { id: 'd', task: says('from d'), dependsOn: ['a', 'b'] },
        { id: 'e', task: says('from e'), dependsOn: ['b', 'c'] },
        { id: 'f', task: says('from f'), dependsOn: ['a', 'c'] },
      ],
    });
    await until(
      async () => [a, b, c].map((t) => h.requestsFor(t).length),
      (asked) => asked.every((n) => n > 0),
      'stage 1 asking the model',
    );
    h.model.openGate(stage1);
    const out = await waitForSwarm(h.client, id);
    expect(out.status).toBe('completed');
    expect(out.graph!.nodes.map((n) => `${n.id} ${n.stage} ${n.status}`)).toEqual([
      'a 1 completed',
      'b 1 completed',
      'c 1 completed',
      'd 2 completed',
      'e 2 completed',
      'f 2 completed',
    ]);
    // Stage 1 ran at once: each of a, b, c started before any of them ended.
    const first = ['a', 'b', 'c'].map((n) => agentOf(out, n));
    expect(Math.max(...first.map((a) => ms(a.startedAt)))).toBeLessThan(
      Math.min(...first.map((a) => ms(a.endedAt))),
    );
    // Each dependant started after its own inputs ended, and received them (and only them).
    for (const [node, inputs] of [
      ['d', ['a', 'b']],
      ['e', ['b', 'c']],
      ['f', ['a', 'c']],
    ] as const) {
      const agent = agentOf(out, node);
      for (const input of inputs)
        expect(ms(agent.startedAt)).toBeGreaterThanOrEqual(ms(agentOf(out, input).endedAt));
    }
    const dTask = await taskOf(agentOf(out, 'd'));
    expect(dTask).toMatch(
      new RegExp(`^The overall task:\n${task}\n\nResults of the subtasks yours depends on:`),
    );
    expect(dTask).toContain('### a\nfrom a');
    expect(dTask).toContain('### b\nfrom b');
    expect(dTask).not.toContain('### c');
    expect(await taskOf(agentOf(out, 'c'))).toContain('Your subtask ("c", as the docs specialist)');
    // The result is the sinks', the stats the graph's.
    expect(out.result).toBe('## d\nfrom d\n\n## e\nfrom e\n\n## f\nfrom f');
    expect(out.stats.criticalPathSteps).toBe(2);
    expect(out.stats.stages?.map((s) => `${s.name} ${s.agents}`)).toEqual(['stage 1 3', 'stage 2 3']);
    const path = out.graph!.criticalPath!;
    expect(path.path).toHaveLength(2);
    expect(path.ms).toBe(
      path.path.reduce((sum, n) => sum + out.graph!.nodes.find((x) => x.id === n)!.durationMs!, 0),
    );
    expect(out.stats.criticalPathMs).toBe(path.ms);
    expect(out.merge).toMatchObject({ merge: 'graph', criticalPath: path.path });
    // The Web UI shows the subtasks by stage.
    const shown = await details(`swarm-${id}`);
    expect(shown).toContain('graph swarm · 6 subtasks (6 completed)');
    expect(shown).toMatch(/✓ stage 2 \*\*d\*\* completed ← a, b/);
    expect(shown).toContain(`critical path: ${path.path.join(' → ')}`);
  },
);

test.concurrent(
  'maxConcurrent bounds the subtasks running at once, and the query shows them as they run',
  async () => {
    const id = await h.swarm({
      strategy: 'graph',
      task: 'three at most two',
      maxConcurrent: 2,
      nodes: ['x', 'y', 'z'].map((n) => ({ id: n, task: says(`from ${n}`, 1500) })),
    });
    const seen: string[] = [];
    for (;;) {
      const now = await swarmStatus(h.client, id);
      seen.push(now.graph?.nodes.map((n) => n.status[0]).join('') ?? '');
      if (now.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen.every((s) => (s.match(/r/g) ?? []).length <= 2)).toBe(true);
    expect(seen).toContain('rrp');
    const out = await waitForSwarm(h.client, id);
    const z = agentOf(out, 'z');
    expect(ms(z.startedAt)).toBeGreaterThanOrEqual(
      Math.min(ms(agentOf(out, 'x').endedAt), ms(agentOf(out, 'y').endedAt)),
    );
  },
);

describe('a failed subtask', () => {
  const failing = () => ({ task: h.busyTask(0), limits: { maxIterations: 1 } });

  test.concurrent(
    'under "fail" stops the graph: the running subtasks are cancelled, the pending ones skipped',
    async () => {
      const id = await h.swarm({
        strategy: 'graph',
        task: 'fail fast',
        nodes: [
          // The one that stops the graph is named, wherever it stands in the list.
          { id: 'slow', task: says('never', 30_000) },
          { id: 'bad', ...failing() },
          { id: 'after', task: says('never'), dependsOn: ['bad'] },
        ],
      });
      const out = await waitForSwarm(h.client, id);
      expect(out).toMatchObject({
        status: 'failed',
        error: 'subtask "bad" failed: limit reached: maxIterations (1)',
      });
      expect(out.graph!.nodes.map((n) => `${n.id} ${n.status}`)).toEqual([
        'slow cancelled',
        'bad failed',
        'after skipped',
      ]);
      expect(out.graph!.nodes[2].reason).toBe('"bad" did not complete');
    },
  );

  test.concurrent(
    'under "skip" skips only what depends on it; the rest runs and the swarm completes',
    async () => {
      const id = await h.swarm({
        strategy: 'graph',
        task: 'skip what cannot run',
        onFailure: 'skip',
        nodes: [
          { id: 'bad', ...failing() },
          { id: 'good', task: says('from good') },
          { id: 'needsBad', task: says('never'), dependsOn: ['bad'] },
          { id: 'needsGood', task: says('from needsGood'), dependsOn: ['good'] },
        ],
      });
      const out = await waitForSwarm(h.client, id);
      expect(out.status).toBe('completed');
      expect(out.graph!.nodes.map((n) => `${n.id} ${n.status}`)).toEqual([
        'bad failed',
        'good completed',
        'needsBad skipped',
        'needsGood completed',
      ]);
      expect(out.result).toBe(
        '## needsBad\n(skipped: "bad" did not complete)\n\n## needsGood\nfrom needsGood',
      );
    },
  );
});

test.concurrent(
  'a planner agent decomposes the task; a refused plan is asked for again with the reason',
  async () => {
    const task = `plan this ${Date.now()}`;
    const node = (id: string, text: string, dependsOn: string[] = []) => ({
      id,
      task: says(text),
      dependsOn,
    });
    const plan = (nodes: object[]) => `Here is my plan:\n\`\`\`json\n${JSON.stringify({ nodes })}\n\`\`\``;
    const circular = plan([node('p', 'from p', ['q']), node('q', 'from q', ['p'])]);
    const good = plan([node('x', 'from x'), node('y', 'from y'), node('z', 'from z', ['x', 'y'])]);
    // The planner's prompt names the task as "The task:", which no subtask's prompt contains.
    h.model.addScript({ name: 'planner', match: `The task:\n${task}`, turns: [{ text: circular }] });
    h.model.addScript({
      name: 'replanner',
      match: 'refused: the dependencies go round',
      turns: [{ text: good }],
    });
    const id = await h.swarm({
      strategy: 'graph',
      task,
      planner: { by: 'data', maxNodes: 3 },
    });
    const out = await waitForSwarm(h.client, id);
    expect(out.status).toBe('completed');
    expect(out.agents.map((a) => a.role)).toEqual(['planner', 'planner', 'x', 'y', 'z']);
    expect(out.graph).toMatchObject({ plannedBy: { agentId: out.agents[1].id, by: 'data' } });
    expect(out.graph!.nodes.map((n) => `${n.id} ${n.stage} ${n.status}`)).toEqual([
      'x 1 completed',
      'y 1 completed',
      'z 2 completed',
    ]);
    expect(out.result).toBe('from z');
    const [first, second] = await Promise.all(out.agents.slice(0, 2).map(taskOf));
    expect(first).toMatch(/^Decompose this task into at most 3 subtasks .* by share of the data/);
    expect(second).toContain('A first plan was refused: the dependencies go round in a circle: p → q → p');
    // The planner reads; it changes nothing.
    expect(h.model.requests.find((r) => r.script === 'planner')?.tools?.sort()).toEqual([
      'grep',
      'list_files',
      'read_file',
    ]);
  },
);
