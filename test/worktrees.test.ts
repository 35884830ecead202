/**
 * Worktree isolation: each swarm member works in a git worktree of its own and merges into the
 * swarm's integration branch; the user's branch and uncommitted work are never touched, and
 * every step converges when run again after a kill -9. Real git, no Temporal server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  addMemberWorktree,
  commitMemberWork,
  finishSwarmRepo,
  mergeMember,
  prepareSwarmRepo,
  removeMemberWorktree,
} from '../activities/worktrees';
import {
  integrationBranch,
  memberBranch,
  memberWorktreeOf,
  refComponent,
  worktreeCwd,
} from '../src/domain/worktrees';
import {
  gitIn,
  gitOk,
  lifecycleKilled,
  makeRepo,
  memberLifecycle,
  removeScratchDirs,
  scratchDir,
  userState,
  write,
} from './helpers/git-repo';

afterAll(removeScratchDirs);

const FILES = {
  'a.txt': 'alpha\n',
  'b.txt': 'beta\n',
  'shared.txt': 'one\ntwo\nthree\n',
  'src/lib/x.ts': 'x\n',
};

/** A user's repository with uncommitted work (a change and an untracked file), prepared for swarm `s1`. */
async function preparedRepo() {
  const repoRoot = makeRepo(FILES);
  write(repoRoot, 'a.txt', 'alpha, edited by the user\n');
  write(repoRoot, 'notes/untracked.md', 'mine\n');
  const before = userState(repoRoot);
  const swarm = await prepareSwarmRepo({ cwd: repoRoot, swarmId: 's1' });
  return { repoRoot, before, swarm };
}

/** A member that writes `files` in its worktree and commits them. */
async function memberDoes(repoRoot: string, member: string, files: Record<string, string>) {
  const wt = await addMemberWorktree({ repoRoot, swarmId: 's1', member });
  for (const [rel, text] of Object.entries(files)) write(wt.path, rel, text);
  const commit = await commitMemberWork({ path: wt.path, message: `${member}'s work` });
  return { ...wt, ...commit };
}

const showAt = (repoRoot: string, rev: string, file: string) => gitIn(repoRoot, 'show', `${rev}:${file}`);

describe('preparing a repository', () => {
  test('a directory outside any git work tree is refused, pointing at isolation "copy" and "none"', async () => {
    const dir = scratchDir();
    const refused = prepareSwarmRepo({ cwd: dir, swarmId: 's1' });
    await expect(refused).rejects.toMatchObject({ type: 'NotAGitRepository', nonRetryable: true });
    await expect(refused).rejects.toThrow(/isolation "copy" .* or "none"/);
  });

  test('a repository without a commit is refused', async () => {
    const dir = scratchDir();
    gitIn(dir, 'init', '-q');
    await expect(prepareSwarmRepo({ cwd: dir, swarmId: 's1' })).rejects.toMatchObject({
      type: 'EmptyRepository',
      nonRetryable: true,
    });
  });

  test('the integration branch forks from HEAD, says the tree is dirty, and hides in .git', async () => {
    const { repoRoot, before, swarm } = await preparedRepo();
    expect(swarm).toEqual({
      repoRoot,
      baseCommit: before.main,
      integrationBranch: 'orchestra/s1',
      integrationPath: path.join(repoRoot, '.git/orchestra-worktrees/s1/integration'),
      dirty: true,
    });
    expect(readFileSync(path.join(swarm.integrationPath, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(existsSync(path.join(swarm.integrationPath, 'notes'))).toBe(false);
    expect(userState(repoRoot)).toEqual(before);
  });

  test('run again, even after the user committed, it gives the same repository and base', async () => {
    const { repoRoot, swarm } = await preparedRepo();
    gitIn(repoRoot, 'commit', '-q', '-am', 'the user goes on');
    expect(await prepareSwarmRepo({ cwd: repoRoot, swarmId: 's1' })).toEqual(swarm);
  });

  test("a cwd in a subdirectory maps to the same subdirectory of a member's worktree", async () => {
    const repoRoot = makeRepo(FILES);
    const cwd = path.join(repoRoot, 'src/lib');
    const swarm = await prepareSwarmRepo({ cwd, swarmId: 's1' });
    expect(swarm.repoRoot).toBe(repoRoot);
    expect(swarm.dirty).toBe(false);
    const wt = await addMemberWorktree({ repoRoot, swarmId: 's1', member: 'alice' });
    const inside = worktreeCwd(repoRoot, cwd, wt.path);
    expect(inside).toBe(path.join(wt.path, 'src/lib'));
    expect(readFileSync(path.join(inside!, 'x.ts'), 'utf8')).toBe('x\n');
    expect(worktreeCwd(repoRoot, '/elsewhere', wt.path)).toBeUndefined();
  });
});

describe('members working side by side', () => {
  test('two members on different files both merge; the user sees nothing of it', async () => {
    const { repoRoot, before, swarm } = await preparedRepo();
    const alice = await memberDoes(repoRoot, 'alice', { 'b.txt': 'beta by alice\n' });
    const bob = await memberDoes(repoRoot, 'Bob the Builder', { 'src/new.ts': 'new\n' });
    expect(alice).toMatchObject({
      branch: 'orchestra/s1@alice',
      baseCommit: swarm.baseCommit,
      committed: true,
    });
    expect(bob.branch).toBe(memberBranch('s1', 'Bob the Builder'));
    expect(path.dirname(bob.path)).toBe(path.join(repoRoot, '.git/orchestra-worktrees/s1/members'));

    const first = await mergeMember({ repoRoot, swarmId: 's1', branch: alice.branch, mode: 'ff-or-merge' });
    expect(first).toEqual({
      merged: true,
      already: false,
      fastForward: true,
      head: alice.head,
      changed: ['b.txt'],
    });
    const second = await mergeMember({ repoRoot, swarmId: 's1', branch: bob.branch, mode: 'ff-or-merge' });
    expect(second).toMatchObject({ merged: true, already: false, fastForward: false });
    expect(gitIn(repoRoot, 'rev-list', '--parents', '-n1', 'orchestra/s1').trim().split(' ')).toHaveLength(3);

    expect(showAt(repoRoot, 'orchestra/s1', 'b.txt')).toBe('beta by alice\n');
    expect(showAt(repoRoot, 'orchestra/s1', 'src/new.ts')).toBe('new\n');
    // The user's change is theirs alone: the swarm's branch has the committed a.txt.
    expect(showAt(repoRoot, 'orchestra/s1', 'a.txt')).toBe('alpha\n');
    expect(userState(repoRoot)).toEqual(before);

    const done = await finishSwarmRepo({ repoRoot, swarmId: 's1' });
    expect(done).toEqual({
      integrationBranch: 'orchestra/s1',
      head: second.head,
      baseCommit: swarm.baseCommit,
      commitsAhead: 3,
    });
    expect(existsSync(swarm.integrationPath)).toBe(false);
    expect(gitIn(repoRoot, 'branch', '--list', 'orchestra/s1').trim()).toBe('orchestra/s1');
    expect(userState(repoRoot)).toEqual(before);
  });

  test('merge-commit mode makes a merge commit even where a fast-forward would do', async () => {
    const { repoRoot } = await preparedRepo();
    const alice = await memberDoes(repoRoot, 'alice', { 'b.txt': 'beta by alice\n' });
    const merged = await mergeMember({ repoRoot, swarmId: 's1', branch: alice.branch, mode: 'merge-commit' });
    expect(merged).toMatchObject({ merged: true, fastForward: false });
    expect(gitIn(repoRoot, 'rev-parse', `${merged.head}^2`).trim()).toBe(alice.head);
  });

  test('two members on the same line: the second reports the conflict and keeps its commit', async () => {
    const { repoRoot, before, swarm } = await preparedRepo();
    const alice = await memberDoes(repoRoot, 'alice', { 'shared.txt': 'one\nTWO by alice\nthree\n' });
    const bob = await memberDoes(repoRoot, 'bob', {
      'shared.txt': 'one\nTWO by bob\nthree\n',
      'c.txt': 'c\n',
    });
    await mergeMember({ repoRoot, swarmId: 's1', branch: alice.branch });
    const conflict = await mergeMember({ repoRoot, swarmId: 's1', branch: bob.branch });
    expect(conflict).toEqual({ merged: false, conflict: true, files: ['shared.txt'], head: alice.head });
    expect(gitIn(repoRoot, 'rev-parse', bob.branch).trim()).toBe(bob.head);
    expect(gitOk(swarm.integrationPath, 'rev-parse', '-q', '--verify', 'MERGE_HEAD')).toBe(false);
    expect(gitIn(swarm.integrationPath, 'status', '--porcelain')).toBe('');
    // Asked again, the same answer.
    expect(await mergeMember({ repoRoot, swarmId: 's1', branch: bob.branch })).toEqual(conflict);
    expect(userState(repoRoot)).toEqual(before);
  });
});

describe('every step run twice gives the same result', () => {
  test('add, commit, merge, remove and finish', async () => {
    const { repoRoot } = await preparedRepo();
    const input = { repoRoot, swarmId: 's1', member: 'alice' };
    const wt = await addMemberWorktree(input);
    expect(await addMemberWorktree(input)).toEqual(wt);
    write(wt.path, 'b.txt', 'beta by alice\n');
    const commit = await commitMemberWork({ path: wt.path, message: 'work' });
    expect(await commitMemberWork({ path: wt.path, message: 'work' })).toEqual({
      ...commit,
      committed: false,
    });
    const merge = { repoRoot, swarmId: 's1', branch: wt.branch };
    const merged = await mergeMember(merge);
    // Run again: nothing to do, and nothing it brought in this time.
    expect(await mergeMember(merge)).toEqual({ ...merged, already: true, fastForward: false, changed: [] });
    const kept = await removeMemberWorktree({ repoRoot, path: wt.path, deleteBranch: false });
    expect(kept).toEqual({ branch: wt.branch, branchKept: true });
    expect(await removeMemberWorktree({ repoRoot, path: wt.path, deleteBranch: false })).toEqual(kept);
    expect(existsSync(wt.path)).toBe(false);
    const gone = { branch: wt.branch, branchKept: false };
    expect(await removeMemberWorktree({ repoRoot, path: wt.path, deleteBranch: true })).toEqual(gone);
    expect(await removeMemberWorktree({ repoRoot, path: wt.path, deleteBranch: true })).toEqual(gone);
    expect(gitIn(repoRoot, 'for-each-ref', 'refs/orchestra/s1/forks')).toBe('');
    const done = await finishSwarmRepo({ repoRoot, swarmId: 's1' });
    expect(await finishSwarmRepo({ repoRoot, swarmId: 's1' })).toEqual(done);
    expect(gitIn(repoRoot, 'worktree', 'list', '--porcelain')).not.toMatch(/orchestra-worktrees/);
    expect(existsSync(path.join(repoRoot, '.git/orchestra-worktrees'))).toBe(false);
  });
});

describe('after a kill -9', () => {
  test('a merge left halfway (MERGE_HEAD, conflict markers) is undone and the next merge goes through', async () => {
    const { repoRoot, swarm } = await preparedRepo();
    const alice = await memberDoes(repoRoot, 'alice', { 'shared.txt': 'one\nTWO by alice\nthree\n' });
    const bob = await memberDoes(repoRoot, 'bob', { 'shared.txt': 'one\nTWO by bob\nthree\n' });
    const carol = await memberDoes(repoRoot, 'carol', { 'c.txt': 'c\n' });
    await mergeMember({ repoRoot, swarmId: 's1', branch: alice.branch });
    expect(gitOk(swarm.integrationPath, 'merge', '--no-edit', bob.branch)).toBe(false);
    expect(gitOk(swarm.integrationPath, 'rev-parse', '-q', '--verify', 'MERGE_HEAD')).toBe(true);
    const merged = await mergeMember({ repoRoot, swarmId: 's1', branch: carol.branch });
    expect(merged).toMatchObject({ merged: true, already: false });
    expect(gitOk(swarm.integrationPath, 'rev-parse', '-q', '--verify', 'MERGE_HEAD')).toBe(false);
    expect(gitIn(swarm.integrationPath, 'status', '--porcelain')).toBe('');
    expect(showAt(repoRoot, 'orchestra/s1', 'shared.txt')).toBe('one\nTWO by alice\nthree\n');
  });

  test('a stale index.lock and a stale lock on the integration branch are removed', async () => {
    const { repoRoot } = await preparedRepo();
    const alice = await memberDoes(repoRoot, 'alice', { 'b.txt': 'beta by alice\n' });
    const gitDir = path.join(repoRoot, '.git/worktrees/integration');
    writeFileSync(path.join(gitDir, 'index.lock'), '');
    writeFileSync(path.join(repoRoot, '.git/refs/heads/orchestra/s1.lock'), '');
    const merged = await mergeMember({ repoRoot, swarmId: 's1', branch: alice.branch });
    expect(merged).toMatchObject({ merged: true, head: alice.head });
    expect(existsSync(path.join(gitDir, 'index.lock'))).toBe(false);
  });

  test('a lock held by a live git process is left alone: the merge fails retryably until it ends', async () => {
    const { repoRoot, swarm } = await preparedRepo();
    const alice = await memberDoes(repoRoot, 'alice', { 'b.txt': 'beta by alice\n' });
    const lock = path.join(repoRoot, '.git/worktrees/integration/index.lock');
    writeFileSync(lock, '');
    // A git that waits on its stdin, working in the integration worktree: the lock's holder.
    const holder = spawn('git', ['hash-object', '--stdin'], { cwd: swarm.integrationPath, stdio: 'pipe' });
    try {
      await new Promise((resolve) => holder.once('spawn', resolve));
      await expect(mergeMember({ repoRoot, swarmId: 's1', branch: alice.branch })).rejects.toMatchObject({
        type: 'GitBusy',
        nonRetryable: false,
      });
      expect(existsSync(lock)).toBe(true);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
    expect(await mergeMember({ repoRoot, swarmId: 's1', branch: alice.branch })).toMatchObject({
      merged: true,
    });
  });

  test('a member killed (git and all) anywhere between its worktree and its merge: run again, it converges', async () => {
    const { repoRoot, before, swarm } = await preparedRepo();
    // How long a whole run takes here, to kill the next ones at points spread across it.
    const whole = await lifecycleKilled({ repoRoot, swarmId: 's1', member: 'm0' });
    expect(whole.finished).toBe(true);
    for (let i = 1; i <= 6; i++) {
      const member = `m${i}`;
      // Up to a little past the whole run's length: later runs are a little slower (more worktrees).
      await lifecycleKilled({ repoRoot, swarmId: 's1', member }, Math.round((whole.ms * i) / 5));
      const merged = await memberLifecycle({ repoRoot, swarmId: 's1', member });
      expect(merged).toMatchObject({ merged: true });
      expect(showAt(repoRoot, 'orchestra/s1', `${member}.txt`)).toBe(`${member}\n`);
    }
    expect(gitOk(swarm.integrationPath, 'rev-parse', '-q', '--verify', 'MERGE_HEAD')).toBe(false);
    expect(gitIn(swarm.integrationPath, 'status', '--porcelain')).toBe('');
    const gitFiles = readdirSync(path.join(repoRoot, '.git'), { recursive: true }) as string[];
    expect(gitFiles.filter((name) => name.endsWith('.lock'))).toEqual([]);
    expect(userState(repoRoot)).toEqual(before);
  }, 60_000);

  test('a worktree whose add was cut short (still locked "initializing") is made again', async () => {
    const { repoRoot } = await preparedRepo();
    const wt = await addMemberWorktree({ repoRoot, swarmId: 's1', member: 'alice' });
    writeFileSync(path.join(repoRoot, '.git/worktrees/alice/locked'), 'initializing');
    write(wt.path, 'a.txt', 'half checked out');
    expect(await addMemberWorktree({ repoRoot, swarmId: 's1', member: 'alice' })).toEqual(wt);
    expect(readFileSync(path.join(wt.path, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(gitIn(repoRoot, 'worktree', 'list', '--porcelain')).not.toMatch(/locked/);
  });
});

describe('what a member cannot do', () => {
  test("a member's rewritten .git file does not send its commit to the user's branch", async () => {
    const { repoRoot, before } = await preparedRepo();
    const wt = await addMemberWorktree({ repoRoot, swarmId: 's1', member: 'alice' });
    write(wt.path, 'b.txt', 'beta by alice\n');
    writeFileSync(path.join(wt.path, '.git'), `gitdir: ${path.join(repoRoot, '.git')}\n`);
    const commit = await commitMemberWork({ path: wt.path, message: 'work' });
    expect(gitIn(repoRoot, 'rev-parse', wt.branch).trim()).toBe(commit.head);
    expect(showAt(repoRoot, wt.branch, 'b.txt')).toBe('beta by alice\n');
    expect(userState(repoRoot)).toEqual(before);
  });

  test("commit and remove refuse any directory that is not a member's worktree", async () => {
    const { repoRoot, swarm } = await preparedRepo();
    const notOurs = { type: 'NotAnOrchestraWorktree', nonRetryable: true };
    await expect(commitMemberWork({ path: repoRoot, message: 'x' })).rejects.toMatchObject(notOurs);
    await expect(commitMemberWork({ path: swarm.integrationPath, message: 'x' })).rejects.toMatchObject(
      notOurs,
    );
    await expect(
      removeMemberWorktree({ repoRoot, path: repoRoot, deleteBranch: true }),
    ).rejects.toMatchObject(notOurs);
  });
});

describe('names', () => {
  test.each(['alice', 'Bob the Builder', '../../etc', '-rf', 'x.lock', 'a..b', 'é', '@{u}', 'x'.repeat(300)])(
    '%s makes a valid branch and path component',
    (name) => {
      const branch = memberBranch('s1', name);
      expect(gitOk(scratchDir(), 'check-ref-format', '--branch', branch)).toBe(true);
      expect(refComponent(name)).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}$/);
      expect(refComponent(refComponent(name))).toBe(refComponent(name));
      const wt = memberWorktreeOf(`/r/.git/orchestra-worktrees/s1/members/${refComponent(name)}`);
      expect(wt?.branch).toBe(branch);
    },
  );

  test('names that differ stay apart; a swarm branch never collides with a member branch', () => {
    expect(refComponent('a b')).not.toBe(refComponent('a/b'));
    expect(integrationBranch('s1')).toBe('orchestra/s1');
    expect(memberBranch('s1', 'alice').startsWith(`${integrationBranch('s1')}/`)).toBe(false);
  });
});
