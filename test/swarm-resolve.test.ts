/**
 * Conflicts given to a resolver agent, and copy mode, on the real dev server: two agents edit the
 * same line, a resolver settles it and both intents land on the swarm's branch; a resolver that
 * fails leaves the conflict reported and the branch kept. In copy mode (a plain directory) each
 * agent works in a copy of cwd, its changes come back unless cwd changed the same file, and the
 * user's own edits are never overwritten. A supervisor's workers the same way, in either mode.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { agentStatus, agentTranscript } from '../src/temporal/agents';
import { swarmEvents, waitForSwarm } from '../src/temporal/swarms';
import { gitIn, gitOk, makeRepo, removeScratchDirs, scratchDir, write } from './helpers/git-repo';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();
afterAll(removeScratchDirs);
// Each test only touches swarms of its own (their own scripts, repositories, directories): they
// run at the same time.

const FILE = ['one', 'two', 'three', 'four', 'five', ''].join('\n');
const edit = (file: string, from: string, to: string) =>
  h.script([
    { toolCalls: [{ name: 'edit_file', input: { path: file, old_string: from, new_string: to } }] },
    { text: 'done' },
  ]);

/** Two agents that change line three of shared.txt, each its own way. */
const rivals = () => [
  { name: 'upper', task: edit('shared.txt', 'three', 'THREE') },
  { name: 'german', task: edit('shared.txt', 'three', 'drei') },
];

async function swarmIn(
  cwd: string,
  agents: Array<{ name: string; task: string }>,
  extra: Record<string, unknown>,
) {
  const id = await h.swarm(
    { strategy: 'parallel', task: 'edit the files', merge: 'all', agents },
    { cwd, ...extra },
  );
  return { id, out: await waitForSwarm(h.client, id) };
}

test.concurrent(
  "the same line edited by two agents: a resolver merges both intents, and the member's work lands as 'resolved'",
  async () => {
    const repo = makeRepo({ 'shared.txt': FILE });
    write(repo, 'notes.txt', 'my own notes\n');
    const agents = rivals();
    // Added last, so it wins over the members' scripts its task quotes.
    const resolver = h.script(
      [
        {
          toolCalls: [
            {
              name: 'write_file',
              input: { path: 'shared.txt', content: FILE.replace('three', 'THREE (drei)') },
            },
          ],
        },
        { text: 'kept both' },
      ],
      { task: 'Keep both spellings.' },
    );
    const { id, out } = await swarmIn(repo, agents, { resolve: { agent: { task: resolver } } });
    expect(out.status).toBe('completed');
    expect(out.agents.map((a) => `${a.name} ${a.role} ${a.status} ${a.landed}`)).toEqual([
      'upper upper completed merged',
      'german german completed resolved',
      'resolver resolver completed merged',
    ]);
    expect(out.worktrees).toMatchObject({ integrationBranch: `orchestra/${id}`, kept: [] });
    expect(gitIn(repo, 'show', `orchestra/${id}:shared.txt`)).toBe(FILE.replace('three', 'THREE (drei)'));
    // Both members' commits are in the swarm's branch, joined by the resolution's merge commit.
    const log = gitIn(repo, 'log', '--format=%s', `orchestra/${id}`);
    expect(log).toMatch(/^upper \(upper, completed\) in swarm/m);
    expect(log).toMatch(/^german \(german, completed\) in swarm/m);
    expect(log).toMatch(/^Merge branch 'orchestra\/.*@.*' \(resolved by an agent\)/m);

    // The resolver was told the branch, the file and both sides' tasks.
    const [asked] = h.requestsFor(resolver);
    expect(asked).toBeDefined();
    const german = out.agents[1];
    const view = await agentStatus(h.client, out.agents[2].id);
    expect(view.task).toContain(`The branch ${german.branch}`);
    expect(view.task).toContain('conflicts in: shared.txt');
    for (const task of agents.map((a) => a.task)) expect(view.task).toContain(task);
    expect(view.task).toContain('Keep both spellings.');

    const events = await swarmEvents(h.client, id);
    expect(
      events.filter((e) => e.type === 'landed').map((e) => 'landed' in e && `${e.agentId} ${e.landed}`),
    ).toEqual([`${out.agents[0].id} merged`, `${german.id} conflict`, `${german.id} resolved`]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'spawned', role: 'resolver' }));
    // Everything cleaned up; the user's tree as it was.
    expect(gitIn(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
    expect(gitIn(repo, 'branch', '--list', 'orchestra/*').trim()).toBe(`orchestra/${id}`);
    expect(gitIn(repo, 'status', '--porcelain')).toBe('?? notes.txt\n');
    expect(readFileSync(path.join(repo, 'shared.txt'), 'utf8')).toBe(FILE);
  },
);

test.concurrent(
  'a resolver that fails, or leaves the markers in, changes nothing: the conflict is reported and the branch kept',
  async () => {
    const turns = {
      fails: [{ text: 'x', errors: [{ status: 400, message: 'bad request' }] }],
      'leaves the markers': [{ text: 'I looked at it' }],
    };
    for (const how of ['fails', 'leaves the markers'] as const) {
      const repo = makeRepo({ 'shared.txt': FILE });
      const agents = rivals();
      const resolver = h.script(turns[how]);
      const { id, out } = await swarmIn(repo, agents, { resolve: { agent: { task: resolver } } });
      expect(out.status).toBe('completed');
      const [, loser, helper] = out.agents;
      expect(`${how}: ${loser.landed} ${helper.role} ${helper.status}`).toBe(
        `${how}: conflict resolver ${how === 'fails' ? 'failed' : 'completed'}`,
      );
      expect(out.worktrees!.kept).toEqual([
        {
          agentId: loser.id,
          branch: loser.branch,
          landed: 'conflict',
          files: ['shared.txt'],
          resolution:
            how === 'fails'
              ? expect.stringMatching(/^the resolver .* failed/)
              : expect.stringMatching(/conflict markers are left in shared.txt/),
        },
      ]);
      // Nothing lost, nothing half-done: the member's edit on its branch, not on the swarm's.
      expect(gitIn(repo, 'show', `${loser.branch}:shared.txt`)).toBe(FILE.replace('three', 'drei'));
      expect(gitIn(repo, 'show', `orchestra/${id}:shared.txt`)).toBe(FILE.replace('three', 'THREE'));
      expect(gitIn(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
      expect(gitOk(repo, 'rev-parse', '--verify', '-q', `${helper.branch}`)).toBe(false);
    }
  },
);

/** Every file under `dir` with its text, `.orchestra-copies` left out unless asked. */
function tree(dir: string, withCopies = false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (!withCopies && child === '.orchestra-copies') continue;
      if (e.isDirectory()) walk(child);
      else out[child] = readFileSync(path.join(dir, child), 'utf8');
    }
  };
  walk('');
  return out;
}

test.concurrent(
  'copy mode in a plain directory: two agents edit different files in copies of cwd, and both changes come back',
  async () => {
    const cwd = scratchDir();
    write(cwd, 'a.txt', 'alpha\n');
    write(cwd, 'b.txt', 'beta\n');
    const { out } = await swarmIn(
      cwd,
      [
        { name: 'a', task: edit('a.txt', 'alpha', 'ALPHA') },
        { name: 'b', task: edit('b.txt', 'beta', 'BETA') },
      ],
      { isolation: 'copy' },
    );
    expect(out.status).toBe('completed');
    expect(out.agents.map((a) => a.landed)).toEqual(['merged', 'merged']);
    expect(out.copies).toEqual({ cwd, copiedBack: 2, kept: [] });
    // The copies are gone; cwd holds both edits and nothing else.
    expect(tree(cwd, true)).toEqual({ 'a.txt': 'ALPHA\n', 'b.txt': 'BETA\n' });
  },
);

test.concurrent(
  "copy mode: the same file edited by both is one landing and one conflict whose copy is kept; the user's edit made meanwhile is never overwritten",
  async () => {
    const cwd = scratchDir();
    write(cwd, 'shared.txt', FILE);
    const both = await swarmIn(cwd, rivals(), { isolation: 'copy' });
    expect(both.out.agents.map((a) => a.landed)).toEqual(['merged', 'conflict']);
    const [kept] = both.out.copies!.kept;
    expect(kept).toEqual({
      agentId: both.out.agents[1].id,
      landed: 'conflict',
      copy: expect.any(String),
      files: ['shared.txt'],
    });
    expect(readFileSync(path.join(kept.copy, 'shared.txt'), 'utf8')).toBe(FILE.replace('three', 'drei'));
    expect(tree(cwd)).toEqual({ 'shared.txt': FILE.replace('three', 'THREE') });

    // The user edits a file while an agent that also changed it is still at work: its last word
    // waits at a gate until the user has.
    const dir = scratchDir();
    write(dir, 'a.txt', 'alpha\n');
    write(dir, 'b.txt', 'beta\n');
    const gate = `user-edits-${randomUUID()}`;
    const slow = h.script([
      {
        toolCalls: [
          { name: 'edit_file', input: { path: 'a.txt', old_string: 'alpha', new_string: 'agent' } },
        ],
      },
      {
        toolCalls: [{ name: 'edit_file', input: { path: 'b.txt', old_string: 'beta', new_string: 'agent' } }],
      },
      { text: 'done', gate },
    ]);
    const id = await h.swarm(
      { strategy: 'parallel', task: 'edit', merge: 'all', agents: [{ task: slow }] },
      { cwd: dir, isolation: 'copy' },
    );
    await until(
      async () => h.requestsFor(slow).some((r) => r.turn === 2),
      (started) => started,
      'the agent never reached its last turn',
    );
    write(dir, 'a.txt', 'the user\n');
    write(dir, 'mine.txt', 'new file of mine\n');
    h.model.openGate(gate);
    const out = await waitForSwarm(h.client, id);
    expect(out.agents[0].landed).toBe('conflict');
    expect(out.copies!.kept[0]).toMatchObject({ landed: 'conflict', files: ['a.txt'] });
    // All or none: b.txt, which the user left alone, did not come back without a.txt either.
    expect(tree(dir)).toEqual({ 'a.txt': 'the user\n', 'b.txt': 'beta\n', 'mine.txt': 'new file of mine\n' });
    expect(tree(out.copies!.kept[0].copy)).toEqual({ 'a.txt': 'agent\n', 'b.txt': 'agent\n' });
    expect(existsSync(path.join(dir, '.orchestra-copies', '.gitignore'))).toBe(true);
  },
);

test.concurrent(
  "a resolver past the swarm's maxSubagents is not started: the conflict is reported with why, the swarm completes",
  async () => {
    const repo = makeRepo({ 'shared.txt': FILE });
    const { out } = await swarmIn(repo, rivals(), { resolve: true, budgets: { maxSubagents: 2 } });
    expect(out.status).toBe('completed');
    expect(out.agents).toHaveLength(2);
    expect(out.worktrees!.kept).toEqual([
      expect.objectContaining({
        landed: 'conflict',
        resolution: 'no resolver started: maxSubagents (2) reached',
      }),
    ]);
  },
);

/** A supervisor swarm in `cwd` that delegates each of `tasks` at once; its outcome, and what each delegation returned. */
async function supervising(cwd: string, tasks: string[], extra: () => Record<string, unknown>) {
  const supervisor = h.script([
    { toolCalls: tasks.map((task) => ({ name: 'delegate', input: { task } })) },
    { text: 'done' },
  ]);
  const id = await h.swarm({ strategy: 'supervisor', task: supervisor }, { cwd, ...extra() });
  const out = await waitForSwarm(h.client, id);
  const told = (await agentTranscript(h.client, `${id}.1`))[2].content as unknown as Array<{
    content: string;
  }>;
  return { id, out, told: told.map((r) => r.content) };
}

test.concurrent(
  "a supervisor's workers that conflict: a resolver settles it, and the supervisor hears both landed",
  async () => {
    const repo = makeRepo({ 'shared.txt': FILE });
    const content = FILE.replace('three', 'THREE (drei)');
    // Made last, so it wins over the scripts its task quotes (the swarm's and the workers').
    const resolver = () => ({
      resolve: {
        agent: {
          task: h.script([
            { toolCalls: [{ name: 'write_file', input: { path: 'shared.txt', content } }] },
            { text: 'kept both' },
          ]),
        },
      },
    });
    const { id, out, told } = await supervising(
      repo,
      rivals().map((r) => r.task),
      resolver,
    );
    expect(out.status).toBe('completed');
    expect(out.agents.map((a) => `${a.role} ${a.landed}`).sort()).toEqual([
      'resolver merged',
      'supervisor undefined',
      'worker merged',
      'worker resolved',
    ]);
    expect(gitIn(repo, 'show', `orchestra/${id}:shared.txt`)).toBe(content);
    expect(told.filter((t) => t.includes('a resolver agent settled it'))).toHaveLength(1);
    expect(out.worktrees!.kept).toEqual([]);
  },
);

test.concurrent(
  "copy mode: a supervisor's worker edits in a copy of cwd, its change comes back, and the supervisor is told",
  async () => {
    const cwd = scratchDir();
    write(cwd, 'a.txt', 'alpha\n');
    const { out, told } = await supervising(cwd, [edit('a.txt', 'alpha', 'ALPHA')], () => ({
      isolation: 'copy',
    }));
    expect(out.status).toBe('completed');
    expect(out.agents.map((a) => `${a.role} ${a.landed}`)).toEqual(['supervisor undefined', 'worker merged']);
    expect(out.copies).toEqual({ cwd, copiedBack: 1, kept: [] });
    expect(tree(cwd, true)).toEqual({ 'a.txt': 'ALPHA\n' });
    expect(told[0]).toContain('merged into the working directory');
  },
);
