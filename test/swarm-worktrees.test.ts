/**
 * Swarms in a git repository on the real dev server: each coding agent in a worktree of its
 * own, the chosen work merged into the swarm's branch, conflicts reported with their branch
 * kept, the user's branch and uncommitted work untouched (a supervisor's workers:
 * swarm-worktrees-supervisor; each git step, run again from every state a kill -9 can leave:
 * worktrees).
 */
import { agentTranscript } from '../src/temporal/agents';
import { waitForSwarm } from '../src/temporal/swarms';
import { harnessEnv, runCliHere } from './helpers/cli';
import { gitIn, makeRepo, removeScratchDirs, write } from './helpers/git-repo';
import { useHarness } from './helpers/harness';
import { editTask, FILE, userState } from './helpers/swarm-repo';

const h = useHarness();
afterAll(removeScratchDirs);

const edit = (from: string, to: string) => editTask(h, from, to);
/** A parallel swarm in `repo` whose agents each make one edit of shared.txt; its outcome. */
async function editing(repo: string, agents: Array<{ name: string; task: string }>) {
  const id = await h.swarm(
    { strategy: 'parallel', task: 'edit the shared file', merge: 'all', agents },
    { cwd: repo },
  );
  return { id, out: await waitForSwarm(h.client, id) };
}
test('two agents edit one file at once, each in its worktree; both edits land on the swarm branch and the user tree is untouched', async () => {
  const repo = makeRepo({ 'shared.txt': FILE });
  // The user's uncommitted change and untracked file.
  write(repo, 'shared.txt', FILE.replace('four', 'four (mine)'));
  write(repo, 'notes.txt', 'my notes');
  const before = userState(repo);
  const { id, out } = await editing(repo, [
    { name: 'top', task: edit('one', 'ONE') },
    { name: 'bottom', task: edit('seven', 'SEVEN') },
  ]);
  expect(out.status).toBe('completed');
  expect(out.agents.map((a) => `${a.name} ${a.landed}`)).toEqual(['top merged', 'bottom merged']);
  expect(out.worktrees).toMatchObject({ integrationBranch: `orchestra/${id}`, dirty: true, kept: [] });
  expect(out.worktrees!.commitsAhead).toBeGreaterThanOrEqual(2);
  // Both edits, on the swarm's branch; not the user's uncommitted one.
  expect(gitIn(repo, 'show', `orchestra/${id}:shared.txt`)).toBe(
    FILE.replace('one', 'ONE').replace('seven', 'SEVEN'),
  );
  expect(userState(repo)).toEqual(before);
  // Every worktree is gone, and so are the merged members' branches.
  expect(gitIn(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  expect(gitIn(repo, 'branch', '--list', 'orchestra/*').trim()).toBe(`orchestra/${id}`);
});

test('the same line edited by two agents: one merges, the other is a reported conflict whose branch keeps its work', async () => {
  const repo = makeRepo({ 'shared.txt': FILE, 'notes.txt': 'n' });
  const before = userState(repo);
  const { id, out } = await editing(repo, [
    { name: 'first', task: edit('three', 'THREE') },
    { name: 'second', task: edit('three', 'drei') },
  ]);
  expect(out.agents.map((a) => a.landed).sort()).toEqual(['conflict', 'merged']);
  const loser = out.agents.find((a) => a.landed === 'conflict')!;
  expect(out.worktrees!.kept).toEqual([
    { agentId: loser.id, branch: loser.branch, landed: 'conflict', files: ['shared.txt'] },
  ]);
  // Nothing lost: the losing edit is on its branch, the winner's on the swarm's.
  const lost = loser.name === 'first' ? 'THREE' : 'drei';
  expect(gitIn(repo, 'show', `${loser.branch}:shared.txt`)).toContain(lost);
  expect(gitIn(repo, 'show', `orchestra/${id}:shared.txt`)).not.toContain(lost);
  expect(userState(repo)).toEqual(before);
});

test('in a graph, a subtask forks from the swarm branch after its inputs merged: it sees their files', async () => {
  const repo = makeRepo({ 'README.md': 'hello\n' });
  const id = await h.swarm(
    {
      strategy: 'graph',
      task: 'write then read',
      nodes: [
        {
          id: 'writer',
          task: h.script([
            {
              toolCalls: [{ name: 'write_file', input: { path: 'made.txt', content: 'made by the writer' } }],
            },
            { text: 'wrote it' },
          ]),
        },
        {
          id: 'reader',
          dependsOn: ['writer'],
          task: h.script([
            { toolCalls: [{ name: 'read_file', input: { path: 'made.txt' } }] },
            { text: 'read it' },
          ]),
        },
      ],
    },
    { cwd: repo },
  );
  const out = await waitForSwarm(h.client, id);
  expect(out.status).toBe('completed');
  const reader = out.agents.find((a) => a.role === 'reader')!;
  const results = (await agentTranscript(h.client, reader.id)).flatMap((m) => m.content);
  expect(JSON.stringify(results)).toContain('made by the writer');
  // The reader changed nothing: its branch is gone; the writer's work is on the swarm's.
  expect(out.agents.map((a) => `${a.role} ${a.landed}`)).toEqual(['writer merged', 'reader empty']);
  expect(gitIn(repo, 'show', `orchestra/${id}:made.txt`)).toBe('made by the writer');
});

test('isolation "worktree" outside a git repository is refused with the reason; "auto" runs in the directory', async () => {
  const dir = await h.tempDir();
  const refused = await h.swarm(
    { strategy: 'parallel', task: 'x', agents: [{ task: h.script([{ text: 'never' }]) }] },
    { cwd: dir, isolation: 'worktree' },
  );
  const out = await waitForSwarm(h.client, refused);
  expect(out.status).toBe('failed');
  expect(out.error).toMatch(/not .*git/i);
  expect(out.agents).toEqual([]);
  const plain = await h.swarm(
    { strategy: 'parallel', task: 'x', agents: [{ task: h.script([{ text: 'fine' }]) }] },
    { cwd: dir },
  );
  expect(await waitForSwarm(h.client, plain)).toMatchObject({
    status: 'completed',
    result: expect.stringContaining('fine'),
  });
});

test('swarm run --wait says which branch holds the work and how to take it', async () => {
  const repo = makeRepo({ 'shared.txt': FILE });
  const run = await runCliHere(
    ['swarm', 'run', 'parallel', edit('two', 'TWO'), '--agents', '1', '--cwd', repo, '--wait'],
    harnessEnv(h),
  );
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  const id = /swarm (\S+) \(parallel\) completed/.exec(run.stdout)![1];
  expect(run.stdout).toContain(
    `work:    on branch orchestra/${id} (1 commit); take it with: git merge orchestra/${id}`,
  );
  expect(gitIn(repo, 'show', `orchestra/${id}:shared.txt`)).toContain('TWO');
});
