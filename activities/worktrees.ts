/**
 * Worktree isolation's git layer (names in src/domain/worktrees.ts): each swarm member works
 * in a worktree on a branch of its own, and merges into the swarm's integration branch in a
 * worktree of its own. The user's branch, index and files are only ever read.
 *
 * A re-run after a kill -9 at any point converges: each activity looks at what is there and
 * does only what is missing. A ref is created only when absent (`update-ref <ref> <new> ""`),
 * the commit it names recorded first; a worktree git left locked "initializing" (an add cut
 * short) is made again; a lock file no live git process can hold goes; a half-done merge is
 * reset to the integration branch's tip and done again, unless an agent works in that worktree
 * (a supervisor): then nothing there is reset (activities/git-shared.ts).
 */
import { rmdir } from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  addMemberWorktreeInputSchema,
  commitMemberWorkInputSchema,
  commitSwarmWorkInputSchema,
  finishSwarmRepoInputSchema,
  integrationBranch,
  integrationWorktreePath,
  loadMemberWorkInputSchema,
  memberBranch,
  memberForkRef,
  memberWorktreeOf,
  memberWorktreePath,
  mergeMemberInputSchema,
  prepareSwarmRepoInputSchema,
  removeMemberWorktreeInputSchema,
  swarmBaseRef,
  WorktreeFailure,
  worktreesRoot,
  type AddMemberWorktreeInput,
  type CommitMemberWorkInput,
  type CommitSwarmWorkInput,
  type FinishedSwarmRepo,
  type FinishSwarmRepoInput,
  type LoadMemberWorkInput,
  type MemberCommit,
  type MemberWorktree,
  type MergeMemberInput,
  type MergeOutcome,
  type PrepareSwarmRepoInput,
  type RemovedWorktree,
  type RemoveMemberWorktreeInput,
  type SwarmRepo,
} from '../src/domain/worktrees';
import { clearStaleLocks, dropWorktree, ensureWorktree, resetTree, treeOf } from './git-repair';
import { unmergedFiles } from './git-resolve';
import { commitAll, commitShared, mergeIntoShared } from './git-shared';
import {
  commitOf,
  git,
  gitFailure,
  inRepo,
  inTree,
  must,
  openRepo,
  parsedInput as parsed,
  refOnce,
  type Repo,
} from './git-runner';

// A conflict given to a resolver agent: its two steps (workflows/swarm/resolution.ts).
export { beginResolution, concludeResolution } from './git-resolve';

export async function prepareSwarmRepo(input: PrepareSwarmRepoInput): Promise<SwarmRepo> {
  const { cwd, swarmId } = parsed(prepareSwarmRepoInputSchema, input);
  const { root, repo } = await openRepo(cwd);
  // Recorded at the first run: a re-run forks from the same commit, whatever the user did since.
  const userHead = await git(root, ['rev-parse', '-q', '--verify', 'HEAD^{commit}']);
  const base = (await commitOf(repo, swarmBaseRef(swarmId))) ?? (userHead.stdout.trim() || undefined);
  if (!base)
    throw ApplicationFailure.nonRetryable(
      `${root} has no commit yet: commit something for the swarm to fork from, or use isolation "none"`,
      WorktreeFailure.emptyRepository,
    );
  const branch = integrationBranch(swarmId);
  await clearStaleLocks(repo, undefined, [swarmBaseRef(swarmId), `refs/heads/${branch}`]);
  const baseCommit = await refOnce(repo, swarmBaseRef(swarmId), base);
  await refOnce(repo, `refs/heads/${branch}`, baseCommit);
  const integrationPath = integrationWorktreePath(repo.commonDir, swarmId);
  await ensureWorktree(repo, integrationPath, branch);
  // Read in the user's tree, never written (no index refresh: GIT_OPTIONAL_LOCKS=0).
  const dirty = (await must(git(root, ['status', '--porcelain', '-z']), 'status')) !== '';
  return { repoRoot: root, baseCommit, integrationBranch: branch, integrationPath, dirty };
}

export async function addMemberWorktree(input: AddMemberWorktreeInput): Promise<MemberWorktree> {
  const { repoRoot, swarmId, member, from } = parsed(addMemberWorktreeInputSchema, input);
  const { repo } = await openRepo(repoRoot);
  const forkRef = memberForkRef(swarmId, member);
  const branch = memberBranch(swarmId, member);
  await clearStaleLocks(repo, undefined, [forkRef, `refs/heads/${branch}`]);
  let fork = await commitOf(repo, forkRef);
  if (!fork) {
    const start = await commitOf(repo, from ?? `refs/heads/${integrationBranch(swarmId)}`);
    if (!start)
      throw from
        ? ApplicationFailure.nonRetryable(`no commit ${from} to fork from`, WorktreeFailure.unknownRevision)
        : notPrepared(swarmId);
    fork = await refOnce(repo, forkRef, start);
  }
  await refOnce(repo, `refs/heads/${branch}`, fork);
  const wtPath = memberWorktreePath(repo.commonDir, swarmId, member);
  await ensureWorktree(repo, wtPath, branch);
  return { path: wtPath, branch, baseCommit: fork };
}

/** A swarm member's worktree at `given`, found from the repository's side; refused for any other path. */
async function memberTree(given: string) {
  const wtPath = path.resolve(given);
  const member = memberWorktreeOf(wtPath);
  const repo: Repo | undefined = member && { commonDir: member.commonDir };
  const tree = repo && (await treeOf(repo, wtPath));
  if (!member || !repo || !tree)
    throw ApplicationFailure.nonRetryable(
      `${wtPath} is not a swarm member's worktree`,
      WorktreeFailure.notOurs,
    );
  return { wtPath, member, repo, tree };
}

export async function commitMemberWork(input: CommitMemberWorkInput): Promise<MemberCommit> {
  const { path: given, message, author } = parsed(commitMemberWorkInputSchema, input);
  const { wtPath, member, repo, tree } = await memberTree(given);
  // Commits go to the member's branch only, whatever the agent did to the worktree.
  const head = (await inTree(tree, ['symbolic-ref', '-q', 'HEAD'])).stdout.trim();
  if (head !== `refs/heads/${member.branch}`)
    throw ApplicationFailure.nonRetryable(
      `${wtPath} has ${head || 'a detached HEAD'} checked out, not ${member.branch}: nothing committed`,
      WorktreeFailure.gitFailed,
    );
  await clearStaleLocks(repo, tree, [head]);
  return commitAll(tree, message, author);
}

/**
 * What an agent working in the swarm's own worktree (a supervisor) left there, committed on the
 * swarm's branch: before a member forks from it, and at the end, which removes the worktree
 * (mergeMember's `commitFirst` does it before each merge). Nothing there is reset or removed.
 */
export async function commitSwarmWork(input: CommitSwarmWorkInput): Promise<MemberCommit> {
  const { repoRoot, swarmId, message } = parsed(commitSwarmWorkInputSchema, input);
  const { repo } = await openRepo(repoRoot);
  const branch = integrationBranch(swarmId);
  if (!(await commitOf(repo, `refs/heads/${branch}`))) throw notPrepared(swarmId);
  const tree = await ensureWorktree(repo, integrationWorktreePath(repo.commonDir, swarmId), branch);
  await clearStaleLocks(repo, tree, [`refs/heads/${branch}`]);
  return commitShared(tree, message);
}

/**
 * A cached writer's recorded work into its fresh worktree: the index and the files set to the
 * tree of `commit` (made on the same tree as this worktree's: the cache key holds its hash), for
 * commitMemberWork to commit on the member's branch. Run again, it sets the same tree again.
 */
export async function loadMemberWork(input: LoadMemberWorkInput): Promise<{ tree: string }> {
  const { path: given, commit } = parsed(loadMemberWorkInputSchema, input);
  const { repo, tree } = await memberTree(given);
  const target = await commitOf(repo, commit);
  if (!target)
    throw ApplicationFailure.nonRetryable(`no commit ${commit} to load`, WorktreeFailure.unknownRevision);
  await clearStaleLocks(repo, tree, []);
  const treeId = (await must(inRepo(repo, ['rev-parse', `${target}^{tree}`]), 'rev-parse')).trim();
  await must(inTree(tree, ['read-tree', '--reset', '-u', treeId]), 'read-tree');
  return { tree: treeId };
}

export async function mergeMember(input: MergeMemberInput): Promise<MergeOutcome> {
  const { repoRoot, swarmId, branch, mode, commitFirst } = parsed(mergeMemberInputSchema, input);
  const { repo } = await openRepo(repoRoot);
  const target = integrationBranch(swarmId);
  if (!(await commitOf(repo, `refs/heads/${target}`))) throw notPrepared(swarmId);
  const tip = await commitOf(repo, `refs/heads/${branch}`);
  if (!tip)
    throw ApplicationFailure.nonRetryable(`no branch ${branch} to merge`, WorktreeFailure.unknownRevision);
  const tree = await ensureWorktree(repo, integrationWorktreePath(repo.commonDir, swarmId), target);
  await clearStaleLocks(repo, tree, [`refs/heads/${target}`]);
  const message = `Merge branch '${branch}' into ${target}`;
  // An agent works in the tree: never reset, the merge made off it (activities/git-shared.ts).
  if (commitFirst)
    return mergeIntoShared(tree, tip, { noFastForward: mode === 'merge-commit', message, commitFirst });
  await resetTree(tree);
  const headNow = async () => (await must(inTree(tree, ['rev-parse', 'HEAD']), 'rev-parse')).trim();
  const before = await headNow();
  const ancestor = await inTree(tree, ['merge-base', '--is-ancestor', tip, 'HEAD']);
  if (ancestor.code === 0)
    return { merged: true, already: true, fastForward: false, head: await headNow(), changed: [] };
  if (ancestor.code !== 1) throw gitFailure('merge-base', ancestor);
  const how = mode === 'merge-commit' ? '--no-ff' : '--ff';
  const flags = ['-q', how, '--no-edit', '--no-verify-signatures'];
  const run = await inTree(tree, ['merge', ...flags, '-m', message, tip]);
  if (run.code === 0) {
    const head = await headNow();
    // What it brought in: a resolver of a later conflict is told whose work touched its files.
    const changed = await must(inTree(tree, ['diff', '--name-only', '-z', before, head]), 'diff');
    const files = changed.split('\0').filter(Boolean).slice(0, 1000);
    return { merged: true, already: false, fastForward: head === tip, head, changed: files };
  }
  const files = await unmergedFiles(tree);
  // The integration worktree back as it was; the member's branch was never touched.
  await inTree(tree, ['merge', '--abort']);
  await resetTree(tree);
  if (files.length === 0) throw gitFailure('merge', run);
  return { merged: false, conflict: true, files, head: await headNow() };
}

export async function removeMemberWorktree(input: RemoveMemberWorktreeInput): Promise<RemovedWorktree> {
  const { repoRoot, path: given, deleteBranch } = parsed(removeMemberWorktreeInputSchema, input);
  const wtPath = path.resolve(given);
  const { repo } = await openRepo(repoRoot);
  const member = memberWorktreeOf(wtPath);
  if (!member || member.commonDir !== repo.commonDir)
    throw ApplicationFailure.nonRetryable(
      `${wtPath} is not a swarm member's worktree of ${repoRoot}`,
      WorktreeFailure.notOurs,
    );
  const forkRef = memberForkRef(member.swarm, member.member);
  // The worktree's own locks go with it; the refs' locks are the repository's.
  await clearStaleLocks(repo, undefined, [`refs/heads/${member.branch}`, forkRef]);
  await dropWorktree(repo, wtPath);
  if (deleteBranch) {
    // `branch -D`, not update-ref: it refuses a branch checked out elsewhere (by the user, say).
    if (await commitOf(repo, `refs/heads/${member.branch}`))
      await must(inRepo(repo, ['branch', '-q', '-D', member.branch]), 'branch -D');
    if (await commitOf(repo, forkRef))
      await must(inRepo(repo, ['update-ref', '-d', forkRef]), 'update-ref -d');
  }
  return {
    branch: member.branch,
    branchKept: (await commitOf(repo, `refs/heads/${member.branch}`)) !== undefined,
  };
}

export async function finishSwarmRepo(input: FinishSwarmRepoInput): Promise<FinishedSwarmRepo> {
  const { repoRoot, swarmId } = parsed(finishSwarmRepoInputSchema, input);
  const { repo } = await openRepo(repoRoot);
  const branch = integrationBranch(swarmId);
  const baseCommit = await commitOf(repo, swarmBaseRef(swarmId));
  const head = await commitOf(repo, `refs/heads/${branch}`);
  if (!baseCommit || !head) throw notPrepared(swarmId);
  const integrationPath = integrationWorktreePath(repo.commonDir, swarmId);
  await dropWorktree(repo, integrationPath);
  // The swarm's directories go once no member worktree is left in them (rmdir: only when empty).
  const swarmDir = path.dirname(integrationPath);
  for (const dir of [path.join(swarmDir, 'members'), swarmDir, worktreesRoot(repo.commonDir)])
    await rmdir(dir).catch(() => undefined);
  const count = await must(inRepo(repo, ['rev-list', '--count', `${baseCommit}..${head}`]), 'rev-list');
  return { integrationBranch: branch, head, baseCommit, commitsAhead: Number(count.trim()) };
}

function notPrepared(swarmId: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `swarm ${swarmId} has no integration branch ${integrationBranch(swarmId)}: prepareSwarmRepo first`,
    WorktreeFailure.notPrepared,
  );
}
