/**
 * Worktrees and locks brought back from whatever a kill left (activities/worktrees.ts): a
 * worktree kept when whole and made again when half-made, dropped whatever is left of it, reset
 * after a killed merge; lock files no live git can hold removed. With the lookups they need.
 */
import { readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { WorktreeFailure, worktreesRoot } from '../src/domain/worktrees';
import { inRepo, inTree, must, type Repo, type Tree } from './git-runner';

/** Where /proc is missing (not Linux), a lock this old is taken for one a killed git left. */
const STALE_LOCK_MS = 10 * 60_000;

interface Listed {
  path: string;
  branch?: string;
  locked?: string;
}

async function listWorktrees(repo: Repo): Promise<Listed[]> {
  const out = await must(inRepo(repo, ['worktree', 'list', '--porcelain', '-z']), 'worktree list');
  const list: Listed[] = [];
  for (const field of out.split('\0')) {
    const [key, value = ''] = field.split(/ (.*)/s);
    if (key === 'worktree') list.push({ path: value });
    else if (key === 'branch') list[list.length - 1].branch = value;
    else if (key === 'locked') list[list.length - 1].locked = value;
  }
  return list;
}

/** The admin dir git keeps for the worktree at `wtPath`, found from the repository's side. */
export async function treeOf(repo: Repo, wtPath: string): Promise<Tree | undefined> {
  const admin = path.join(repo.commonDir, 'worktrees');
  for (const id of await readdir(admin).catch(() => [])) {
    const gitdir = await readFile(path.join(admin, id, 'gitdir'), 'utf8').catch(() => '');
    if (gitdir.trim() === path.join(wtPath, '.git')) return { path: wtPath, gitDir: path.join(admin, id) };
  }
  return undefined;
}

/** The worktree at `wtPath` with `branch` checked out: kept when whole, made when missing or half-made. */
export async function ensureWorktree(repo: Repo, wtPath: string, branch: string): Promise<Tree> {
  const found = (await listWorktrees(repo)).find((w) => w.path === wtPath);
  const whole =
    found && found.locked !== 'initializing' && (await stat(path.join(wtPath, '.git')).catch(() => 0));
  if (whole && found.branch !== `refs/heads/${branch}`)
    throw ApplicationFailure.nonRetryable(
      `the worktree ${wtPath} has ${found.branch ?? 'a detached HEAD'} checked out instead of ${branch}`,
      WorktreeFailure.gitFailed,
    );
  if (!whole) {
    await dropWorktree(repo, wtPath);
    await must(inRepo(repo, ['worktree', 'add', '-q', wtPath, branch]), 'worktree add');
  }
  const tree = await treeOf(repo, wtPath);
  if (!tree)
    throw ApplicationFailure.retryable(`git registered no worktree at ${wtPath}`, WorktreeFailure.gitFailed);
  return tree;
}

/** The worktree at `wtPath` gone, registered or not, whatever a kill left of it. */
export async function dropWorktree(repo: Repo, wtPath: string): Promise<void> {
  if (!wtPath.startsWith(`${worktreesRoot(repo.commonDir)}/`))
    throw ApplicationFailure.nonRetryable(`${wtPath} is not Orchestra's to remove`, WorktreeFailure.notOurs);
  // Twice forced: a locked one (a half-made one is) and one with changes go too.
  const remove = () => inRepo(repo, ['worktree', 'remove', '-f', '-f', wtPath]);
  if ((await remove()).code !== 0) {
    // Not registered, or its .git file gone: the directory goes, then any registration left.
    await rm(wtPath, { recursive: true, force: true });
    await remove();
  }
  await dropRegistration(repo, wtPath);
}

/**
 * The admin dir of the worktree at `wtPath`, if git still has one: removed by hand, not by
 * `git worktree prune`, which would also prune the user's own worktrees whose directories this
 * worker cannot see (another machine's mount, an unmounted drive), index and all.
 */
async function dropRegistration(repo: Repo, wtPath: string): Promise<void> {
  const admin = path.join(repo.commonDir, 'worktrees');
  for (const name of await readdir(admin).catch(() => [] as string[])) {
    const gitdir = await readFile(path.join(admin, name, 'gitdir'), 'utf8').catch(() => '');
    if (gitdir.trim() === path.join(wtPath, '.git'))
      await rm(path.join(admin, name), { recursive: true, force: true });
  }
}

/**
 * Lock files a killed git left, removed: those in the worktree's admin dir (index, HEAD,
 * ORIG_HEAD...), which only a git working in that worktree takes, and those of the refs this
 * step writes and of packed-refs, which any git in the repository may take. A lock is stale
 * when no git process works where it could have been taken (Linux: has its cwd there, as git
 * does in its work tree, and as ours do); without /proc, when it is older than STALE_LOCK_MS.
 * A live holder fails the step, retryably. The swarm runs one step at a time in a worktree.
 */
export async function clearStaleLocks(repo: Repo, tree: Tree | undefined, refs: string[]): Promise<void> {
  if (tree) {
    const own = (await readdir(tree.gitDir).catch(() => [])).filter((name) => name.endsWith('.lock'));
    await removeIfStale(
      own.map((name) => path.join(tree.gitDir, name)),
      async () => [tree.path],
    );
  }
  const shared = [...refs, 'packed-refs'].map((ref) => path.join(repo.commonDir, `${ref}.lock`));
  await removeIfStale(shared, async () => [
    repo.commonDir,
    ...(await listWorktrees(repo)).map((w) => w.path),
  ]);
}

async function removeIfStale(locks: string[], places: () => Promise<string[]>): Promise<void> {
  const found = [];
  for (const file of locks) {
    const stats = await stat(file).catch(() => undefined);
    if (stats) found.push({ file, age: Date.now() - stats.mtimeMs });
  }
  if (found.length === 0) return;
  const busy = await gitWorksIn(await places());
  for (const { file, age } of found) {
    if (busy ?? age < STALE_LOCK_MS)
      throw ApplicationFailure.retryable(`${file} is held by a running git process`, WorktreeFailure.busy);
    await rm(file, { force: true });
  }
}

/** Whether a git process has its cwd in one of `dirs`; undefined where /proc cannot tell. */
async function gitWorksIn(dirs: string[]): Promise<boolean | undefined> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    const comm = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (!comm.startsWith('git')) continue;
    const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
    if (cwd && dirs.some((dir) => cwd === dir || cwd.startsWith(`${dir}/`))) return true;
  }
  return false;
}

/** The worktree back at its branch's tip and clean: what a killed merge left goes (the branches hold everything). */
export async function resetTree(tree: Tree): Promise<void> {
  const merging = (await inTree(tree, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])).code === 0;
  const changed = (await must(inTree(tree, ['status', '--porcelain', '-z']), 'status')) !== '';
  if (!merging && !changed) return;
  await must(inTree(tree, ['reset', '-q', '--hard', 'HEAD']), 'reset');
  await must(inTree(tree, ['clean', '-q', '-f', '-d']), 'clean');
}
