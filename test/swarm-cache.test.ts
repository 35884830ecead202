/** The swarm result cache on the real dev server: what is served again, what runs again, and what never is cached. */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { swarmWorkflowId, type SwarmOutcome } from '../src/domain';
import { agentStatus } from '../src/temporal/agents';
import { swarmEvents, waitForSwarm } from '../src/temporal/swarms';
import { harnessEnv, runCliHere } from './helpers/cli';
import { gitIn, makeRepo, removeScratchDirs } from './helpers/git-repo';
import { useHarness } from './helpers/harness';
import { replayClosedRuns } from './helpers/replay';

const h = useHarness();
afterAll(removeScratchDirs);
// Each test only touches swarms of its own (their own scripts, directories, cache keys): they run
// at the same time.
const READ_ONLY = ['read_file', 'list_files', 'grep'];
const says = (text: string) => h.script([{ text }]);
/** Model requests of every script named in these tasks. */
const calls = (...tasks: string[]) => tasks.reduce((n, t) => n + h.requestsFor(t).length, 0);

async function run(spec: unknown, extra: Record<string, unknown>): Promise<SwarmOutcome> {
  const out = await waitForSwarm(h.client, await h.swarm(spec, extra));
  expect(out.status).toBe('completed');
  return out;
}

/** A parallel swarm of two members that only read: one reads a file first, one answers at once. */
function readers() {
  const a = h.script([
    { toolCalls: [{ name: 'read_file', input: { path: 'notes.txt' } }] },
    { text: 'a read the notes' },
  ]);
  const b = says('b answers');
  const spec = {
    strategy: 'parallel',
    task: 'unused',
    merge: 'all',
    agents: [
      { name: 'a', task: a, tools: READ_ONLY },
      { name: 'b', task: b, tools: READ_ONLY },
    ],
  };
  return { spec, tasks: [a, b] };
}

async function dirWithNotes(text = 'first notes'): Promise<string> {
  const cwd = await h.tempDir();
  await writeFile(path.join(cwd, 'notes.txt'), text);
  return cwd;
}

test.concurrent(
  'a second identical swarm of read-only agents is served from the cache: no agent starts, no model call',
  async () => {
    const cwd = await dirWithNotes();
    const { spec, tasks } = readers();
    const first = await run(spec, { cwd });
    expect(first.stats.cache).toEqual({ hits: 0, misses: 2 });
    expect(first.agents.map((a) => a.cached)).toEqual([undefined, undefined]);
    const served = calls(...tasks);
    expect(served).toBe(3); // a: two turns, b: one

    const second = await run(spec, { cwd });
    expect(calls(...tasks)).toBe(served);
    expect(second.stats.cache).toEqual({ hits: 2, misses: 0 });
    expect(second.agents.map((a) => [a.name, a.status, a.cached, a.result])).toEqual([
      ['a', 'completed', true, 'a read the notes'],
      ['b', 'completed', true, 'b answers'],
    ]);
    // Nothing ran, nothing was spent: no agent was started, no token counted.
    expect(second.stats).toMatchObject({
      spawned: 0,
      completed: 2,
      toolCalls: 0,
      tokens: { input: 0, output: 0 },
    });
    await expect(agentStatus(h.client, second.agents[0].id)).rejects.toThrow();
    const events = await swarmEvents(h.client, second.id);
    expect(events.filter((e) => e.type === 'spawned')).toEqual([]);
    // Each hit names the member whose answer it serves (the lookups end in any order).
    const servedFrom = Object.fromEntries(
      events.flatMap((e) => (e.type === 'cache_hit' ? [[e.agentId, e.from]] : [])),
    );
    expect(servedFrom).toEqual({
      [second.agents[0].id]: first.agents[0].id,
      [second.agents[1].id]: first.agents[1].id,
    });
    expect(second.result).toBe(
      `## a (${second.id}.1, completed)\na read the notes\n\n## b (${second.id}.2, completed)\nb answers`,
    );
  },
);

test.concurrent(
  'a changed file, `cache: false` and another workspace each run the members again',
  async () => {
    const cwd = await dirWithNotes();
    const { spec, tasks } = readers();
    await run(spec, { cwd });
    let served = calls(...tasks);

    await writeFile(path.join(cwd, 'notes.txt'), 'the notes, changed');
    const changed = await run(spec, { cwd });
    expect(changed.stats.cache).toEqual({ hits: 0, misses: 2 });
    expect(calls(...tasks)).toBe(served + 3);
    served = calls(...tasks);
    // The changed tree's answers were kept in turn.
    expect((await run(spec, { cwd })).stats.cache).toEqual({ hits: 2, misses: 0 });
    expect(calls(...tasks)).toBe(served);

    const refused = await run(spec, { cwd, cache: false });
    expect(refused.stats.cache).toBeUndefined();
    expect(refused.agents.map((a) => a.cached)).toEqual([undefined, undefined]);
    expect(calls(...tasks)).toBe(served + 3);
    served = calls(...tasks);

    const elsewhere = await run(spec, { cwd, workspace: 'cache-other-ws' });
    expect(elsewhere.stats.cache).toEqual({ hits: 0, misses: 2 });
    expect(calls(...tasks)).toBe(served + 3);
  },
);

test.concurrent(
  "a graph's dependant is keyed with its inputs; a member that writes in a shared tree is never cached",
  async () => {
    const cwd = await dirWithNotes();
    const b = says('b built on a');
    const graph = (aTask: string) => ({
      strategy: 'graph',
      task: 'two steps',
      worker: { tools: READ_ONLY },
      nodes: [
        { id: 'a', task: aTask },
        { id: 'b', task: b, dependsOn: ['a'] },
      ],
    });
    const a = says('a says one thing');
    await run(graph(a), { cwd });
    const again = await run(graph(a), { cwd });
    expect(again.stats.cache).toEqual({ hits: 2, misses: 0 });
    expect(again.graph!.nodes.map((n) => `${n.id} ${n.status}`)).toEqual(['a completed', 'b completed']);
    expect(calls(a, b)).toBe(2);
    // Another answer from a: b's prompt holds it, so b is a new subtask.
    const otherA = says('a says another');
    const other = await run(graph(otherA), { cwd });
    expect(other.stats.cache).toEqual({ hits: 0, misses: 2 });
    expect(calls(b)).toBe(2);

    const writer = h.script([
      { toolCalls: [{ name: 'write_file', input: { path: 'out.txt', content: 'written' } }] },
      { text: 'wrote it' },
    ]);
    const writes = {
      strategy: 'parallel',
      task: 'unused',
      agents: [{ task: writer, tools: ['read_file', 'write_file'] }],
    };
    for (let i = 0; i < 2; i++) {
      const out = await run(writes, { cwd: await h.tempDir() });
      // Outside git, it works in cwd itself: not looked up at all, neither a hit nor a miss.
      expect(out.stats.cache).toEqual({ hits: 0, misses: 0 });
      expect(out.agents[0].cached).toBeUndefined();
      const skipped = (await swarmEvents(h.client, out.id)).flatMap((e) =>
        e.type === 'cache_skipped' ? [e.reason] : [],
      );
      expect(skipped).toEqual([expect.stringMatching(/^it writes in a shared tree/)]);
    }
    expect(h.requestsFor(writer)).toHaveLength(4);
  },
);

test.concurrent('the CLI shows the hits and misses, and `--no-cache` runs every member again', async () => {
  const cwd = await dirWithNotes();
  const { spec, tasks } = readers();
  const specFile = path.join(await h.tempDir(), 'spec.json');
  await writeFile(specFile, JSON.stringify(spec));
  const orchestra = (...more: string[]) =>
    runCliHere(['swarm', 'run', '--spec', specFile, '--cwd', cwd, '--wait', ...more], harnessEnv(h));
  const first = await orchestra();
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/\ncache: +0 hits \(served, not run\) · 2 misses\n/);
  const served = calls(...tasks);
  const second = await orchestra();
  expect(second.stdout).toMatch(/\ncache: +2 hits \(served, not run\) · 0 misses\n/);
  expect(calls(...tasks)).toBe(served);
  const refused = await orchestra('--no-cache');
  expect(refused.code).toBe(0);
  expect(refused.stdout).not.toMatch(/\ncache:/);
  expect(calls(...tasks)).toBe(served + 3);
});

test.concurrent(
  'a first merge served from the cache: the losers are cancelled, looked up or just started, not run to their end',
  async () => {
    const cwd = await dirWithNotes();
    // The two others wait at a gate never opened: they lose the first run too, cancelled, never
    // stored, and miss the second time. (Held 5 s instead, on a loaded machine they answered before
    // their cancel landed: kept, they were a second hit.)
    const held = `never-${randomUUID()}`;
    const tasks = [
      says('one'),
      h.script([{ text: 'two', gate: held }]),
      h.script([{ text: 'three', gate: held }]),
    ];
    const spec = {
      strategy: 'parallel',
      task: 'unused',
      merge: 'first',
      agents: tasks.map((task, i) => ({ name: `r${i}`, task, tools: READ_ONLY })),
    };
    const first = await run(spec, { cwd });
    const second = await run(spec, { cwd });
    // One hit wins; the others are cancelled, whether still looked up or just started (else they
    // would wait at the gate, and the swarm with them, until the test timed out).
    expect(second.stats.cache?.hits).toBe(1);
    const losers = second.agents.filter((a) => !a.cached);
    expect(losers.map((a) => [a.name, a.status])).toEqual([
      ['r1', 'cancelled'],
      ['r2', 'cancelled'],
    ]);
    expect(second.merge).toMatchObject({ cancelled: expect.arrayContaining(losers.map((a) => a.id)) });
    expect(first.status).toBe('completed');
  },
);

test.concurrent(
  "writers in git worktrees: a second identical swarm lands their recorded work again without a model call; with the cache's refs gone, they run",
  async () => {
    const repo = makeRepo({ 'README.md': 'hello\n' });
    const writes = (file: string) =>
      h.script([
        { toolCalls: [{ name: 'write_file', input: { path: file, content: `${file} by its writer\n` } }] },
        { text: `wrote ${file}` },
      ]);
    const tasks = [writes('a.txt'), writes('b.txt')];
    const spec = {
      strategy: 'parallel',
      task: 'unused',
      merge: 'all',
      agents: tasks.map((task, i) => ({ name: `w${i}`, task, tools: ['read_file', 'write_file'] })),
    };
    const onBranch = (out: SwarmOutcome) =>
      ['a.txt', 'b.txt'].map((f) => gitIn(repo, 'show', `orchestra/${out.id}:${f}`));
    const landed = (out: SwarmOutcome) => out.agents.map((a) => [a.name, a.cached, a.landed]);
    const first = await run(spec, { cwd: repo });
    expect(first.stats.cache).toEqual({ hits: 0, misses: 2 });
    expect(landed(first)).toEqual([
      ['w0', undefined, 'merged'],
      ['w1', undefined, 'merged'],
    ]);
    const served = calls(...tasks);
    expect(served).toBe(4);

    const second = await run(spec, { cwd: repo });
    expect(calls(...tasks)).toBe(served);
    expect(second.stats.cache).toEqual({ hits: 2, misses: 0 });
    expect(second.stats).toMatchObject({ spawned: 0, completed: 2, tokens: { input: 0, output: 0 } });
    expect(second.agents.map((a) => a.result)).toEqual(['wrote a.txt', 'wrote b.txt']);
    // Landed as run members' work lands: merged into the swarm's branch, with `landed` events.
    expect(landed(second)).toEqual([
      ['w0', true, 'merged'],
      ['w1', true, 'merged'],
    ]);
    expect(onBranch(second)).toEqual(['a.txt by its writer\n', 'b.txt by its writer\n']);
    expect(onBranch(second)).toEqual(onBranch(first));
    const events = await swarmEvents(h.client, second.id);
    expect(events.flatMap((e) => (e.type === 'landed' ? [e.landed] : []))).toEqual(['merged', 'merged']);
    expect(gitIn(repo, 'log', '--format=%s', `orchestra/${second.id}`)).toMatch(
      /^w0 \(w0, completed, from the cache\) in swarm /m,
    );

    // The recorded commits are kept by the cache's refs (the members' branches are gone): deleted,
    // the entries are misses, and the writers run again.
    const refs = gitIn(repo, 'for-each-ref', '--format=%(refname)', 'refs/orchestra-cache/')
      .trim()
      .split('\n');
    expect(refs).toHaveLength(2);
    for (const ref of refs) gitIn(repo, 'update-ref', '-d', ref);
    const third = await run(spec, { cwd: repo });
    expect(third.stats.cache).toEqual({ hits: 0, misses: 2 });
    expect(calls(...tasks)).toBe(served + 4);
    expect(onBranch(third)).toEqual(onBranch(first));
    // Missed, served and missed again: each history replays on today's code.
    const query = [first, second, third].map((o) => `WorkflowId="${swarmWorkflowId(o.id)}"`).join(' OR ');
    expect(await replayClosedRuns(h.client, query, 3)).toEqual([]);
  },
);
