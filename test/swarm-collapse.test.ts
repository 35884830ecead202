/**
 * Swarm collapse on the real dev server: branches scored from what they do while they run,
 * the weak ones cancelled by policy with their reason, the work of a collapsed branch kept on
 * its branch. (test/collapse-domain.test.ts has the score and the decisions, pure.)
 */
import { randomUUID } from 'node:crypto';
import { agentStatus } from '../src/temporal/agents';
import { listSwarms, swarmEvents, swarmStatus, waitForSwarm } from '../src/temporal/swarms';
import type { SwarmEvent, SwarmOutcome } from '../src/domain';
import { harnessEnv, runCliHere } from './helpers/cli';
import { gitIn, makeRepo, removeScratchDirs } from './helpers/git-repo';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();
// Each test only touches swarms of its own (their own scripts, directories): they run at the same time.
afterAll(removeScratchDirs);

/**
 * The same call, with the same arguments, `turns` times (forever without), then a last word;
 * given a `gate`, the last word waits there (a branch that runs to its end once the test saw a collapse).
 */
const looping = (turns?: number, first: object[] = [], gate?: string) => {
  const call = { toolCalls: [{ name: 'list_files', input: { path: '.' } }], delayMs: 150 };
  return turns === undefined
    ? h.script([...first, call], { repeatLast: true })
    : h.script([...first, ...Array.from({ length: turns }, () => call), { text: 'gave up', gate }]);
};
/**
 * Calls of a branch that runs to its end: enough that it scores under minScore (3 of its calls
 * are forgiven) from the reports it makes before its last word, one every few calls.
 */
const LOOPS = 12;
/** Plans, writes a file, ticks its todo off, and finishes. */
const productive = () =>
  h.script([
    { toolCalls: [{ name: 'todo', input: { todos: [{ content: 'write a.txt', status: 'in_progress' }] } }] },
    { toolCalls: [{ name: 'write_file', input: { path: 'a.txt', content: 'hello\n' } }] },
    { toolCalls: [{ name: 'todo', input: { todos: [{ content: 'write a.txt', status: 'completed' }] } }] },
    { text: 'wrote a.txt' },
  ]);
// A loop scores under 0.5 from its 7th call (under 0.3 only from its 11th): collapsed sooner.
const COLLAPSE = { policy: 'below-score', every: 1, minScore: 0.5 };
const LIMITS = { maxIterations: 200, maxToolCalls: 500 };
const collapsedEvents = async (id: string) =>
  (await swarmEvents(h.client, id)).filter(
    (e): e is Extract<SwarmEvent, { type: 'collapsed' }> => e.type === 'collapsed',
  );
const byName = (out: SwarmOutcome, name: string) => out.agents.find((a) => a.name === name)!;
/**
 * Until a branch of the swarm `find` names is collapsed and has ended: a last word held till
 * then cannot beat its cancel (one that ended first would not count as collapsed).
 */
const untilCollapsed = (find: () => Promise<string | undefined>) =>
  until(
    async () => {
      const id = await find();
      return id ? (await swarmStatus(h.client, id)).agents : [];
    },
    (agents) => agents.some((a) => a.collapsed && a.status === 'cancelled'),
    'a branch collapsed and cancelled',
  );

test.concurrent(
  'a looping branch is collapsed while a productive one finishes; the result carries the productive one',
  async () => {
    const loop = looping();
    const id = await h.swarm({
      strategy: 'parallel',
      task: 'unused',
      merge: 'all',
      collapse: COLLAPSE,
      agents: [
        { name: 'looper', task: loop, limits: LIMITS },
        { name: 'maker', task: productive() },
      ],
    });
    const out = await waitForSwarm(h.client, id);
    expect(out.status).toBe('completed');
    const looper = byName(out, 'looper');
    const maker = byName(out, 'maker');
    expect(maker).toMatchObject({ status: 'completed', result: 'wrote a.txt' });
    expect(maker.collapsed).toBeUndefined();
    expect(looper.status).toBe('cancelled');
    expect(looper.error).toMatch(/^collapsed: score 0\.\d+ < 0\.5 \(\d+ repeated identical calls/);
    expect(looper.collapsed).toEqual({ score: expect.any(Number), reason: looper.error });
    expect(out.result).toContain(`## maker (${maker.id}, completed)\nwrote a.txt`);
    expect(out.result).toContain(`## looper (${looper.id}, cancelled)\n${looper.error}`);
    // One decision, recorded with its score, reason and components, then the kill it led to.
    const decisions = await collapsedEvents(id);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      agentId: looper.id,
      reason: looper.error,
      score: looper.collapsed!.score,
    });
    expect(decisions[0].components.repetition).toBeLessThan(0.5);
    const events = await swarmEvents(h.client, id);
    expect(events.find((e) => e.type === 'killed')).toMatchObject({
      agentId: looper.id,
      reason: looper.error,
    });
    // Stopped by the collapse, not by running into its limits; its own status says why.
    expect(h.requestsFor(loop).length).toBeLessThan(60);
    const own = await agentStatus(h.client, looper.id);
    expect(own.status).toBe('cancelled');
  },
);

test.concurrent(
  'keepAtLeast holds: of two looping branches one is collapsed, the other runs to its end',
  async () => {
    // Their last words wait until one is collapsed: the other cannot end before that.
    const gate = `keep-${randomUUID()}`;
    const id = await h.swarm({
      strategy: 'parallel',
      task: 'unused',
      merge: 'all',
      collapse: { ...COLLAPSE, keepAtLeast: 1 },
      agents: [
        { name: 'a', task: looping(LOOPS, [], gate), limits: LIMITS },
        { name: 'b', task: looping(LOOPS, [], gate), limits: LIMITS },
      ],
    });
    await untilCollapsed(async () => id);
    h.model.openGate(gate);
    const out = await waitForSwarm(h.client, id);
    expect(out.status).toBe('completed');
    expect(out.agents.map((a) => a.status).sort()).toEqual(['cancelled', 'completed']);
    const survivor = out.agents.find((a) => a.status === 'completed')!;
    expect(survivor).toMatchObject({ result: 'gave up' });
    expect(survivor.usage.toolCalls).toBe(LOOPS);
    expect((await collapsedEvents(id)).map((e) => e.agentId)).toEqual([
      out.agents.find((a) => a.status === 'cancelled')!.id,
    ]);
  },
);

test.concurrent('policy off changes nothing: the looping branch runs to its end', async () => {
  const id = await h.swarm({
    strategy: 'parallel',
    task: 'unused',
    merge: 'all',
    collapse: { ...COLLAPSE, policy: 'off' },
    agents: [
      { name: 'looper', task: looping(15), limits: LIMITS },
      { name: 'maker', task: productive() },
    ],
  });
  const out = await waitForSwarm(h.client, id);
  expect(out.agents.map((a) => `${a.name} ${a.status}`)).toEqual(['looper completed', 'maker completed']);
  expect(byName(out, 'looper').usage.toolCalls).toBe(15);
  expect(await collapsedEvents(id)).toEqual([]);
});

test.concurrent(
  'in a git repository, a collapsed branch keeps its work on its branch; the productive one is merged',
  async () => {
    const repo = makeRepo({ 'README.md': 'r\n' });
    const wroteFirst = [
      { toolCalls: [{ name: 'write_file', input: { path: 'loop.txt', content: 'mine\n' } }] },
    ];
    const id = await h.swarm(
      {
        strategy: 'parallel',
        task: 'unused',
        merge: 'all',
        collapse: COLLAPSE,
        agents: [
          { name: 'looper', task: looping(undefined, wroteFirst), limits: LIMITS },
          { name: 'maker', task: productive() },
        ],
      },
      { cwd: repo },
    );
    const out = await waitForSwarm(h.client, id);
    const looper = byName(out, 'looper');
    expect(looper).toMatchObject({ status: 'cancelled', landed: 'kept' });
    expect(looper.error).toMatch(/^collapsed: /);
    expect(gitIn(repo, 'show', `${looper.branch}:loop.txt`)).toBe('mine\n');
    expect(out.worktrees!.kept).toContainEqual(
      expect.objectContaining({ agentId: looper.id, landed: 'kept' }),
    );
    expect(byName(out, 'maker').landed).toBe('merged');
    expect(gitIn(repo, 'show', `orchestra/${id}:a.txt`)).toBe('hello\n');
  },
);

test.concurrent(
  'a graph collapses a looping subtask: under onFailure "skip" the rest completes',
  async () => {
    const id = await h.swarm({
      strategy: 'graph',
      task: 'unused',
      onFailure: 'skip',
      collapse: COLLAPSE,
      nodes: [
        { id: 'loop', task: looping(), limits: LIMITS },
        { id: 'make', task: productive() },
      ],
    });
    const out = await waitForSwarm(h.client, id);
    expect(out.status).toBe('completed');
    const node = (n: string) => out.graph!.nodes.find((x) => x.id === n)!;
    expect(node('make').status).toBe('completed');
    expect(node('loop')).toMatchObject({
      status: 'cancelled',
      reason: expect.stringMatching(/^collapsed: score/),
    });
    expect((await collapsedEvents(id)).map((e) => e.agentId)).toEqual([node('loop').agentId]);
  },
);

test.concurrent(
  'the CLI takes the collapse options and its summary names the collapsed agent and why',
  async () => {
    // A workspace of its own, to find the swarm by; its branches' last words wait for the collapse.
    const workspace = `collapse-cli-${randomUUID().slice(0, 6)}`;
    const gate = `cli-${randomUUID()}`;
    const ran = runCliHere(
      [
        'swarm',
        'run',
        'parallel',
        looping(LOOPS, [], gate),
        '--agents',
        '2',
        '--collapse',
        'below-score',
        '--collapse-every',
        '1',
        '--min-score',
        '0.5',
        '--keep-at-least',
        '1',
        '--cwd',
        await h.tempDir(),
        '--wait',
      ],
      { ...harnessEnv(h), ORCHESTRA_WORKSPACE: workspace },
    );
    await untilCollapsed(async () => (await listSwarms(h.client, { workspaces: [workspace] })).items[0]?.id);
    h.model.openGate(gate);
    const run = await ran;
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /\n\S+\.\d agent \d cancelled · \d+ tools · .* · collapsed: score 0\.\d+ < 0\.5/,
    );
    expect(run.stdout).toMatch(
      /\ncollapsed: \S+\.\d agent \d: score 0\.\d+ < 0\.5 \(\d+ repeated identical calls/,
    );
    const refused = await runCliHere(['swarm', 'run', 'pipeline', 'x', '--collapse', 'keep-best'], {
      TEMPORAL_ADDRESS: h.address,
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/collapse applies to parallel and graph swarms, not pipeline/);
    const bad = await runCliHere(['swarm', 'run', 'parallel', 'x', '--min-score', '2']);
    expect(bad.stderr).toMatch(/--min-score.*must be a number from 0 to 1/);
  },
);
