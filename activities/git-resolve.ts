/**
 * The git steps of a conflict given to a resolver agent (src/domain/conflict-resolution.ts):
 * the member's branch merged into the resolver's worktree with the conflicts left in the files,
 * and, once the resolver is done, the merge committed when no marker is left and the commit holds
 * both sides. Both converge when run again after a kill -9, as every git step does.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  beginResolutionInputSchema,
  concludeResolutionInputSchema,
  CONFLICT_MARKER,
  type BegunResolution,
  type BeginResolutionInput,
  type ConcludedResolution,
  type ConcludeResolutionInput,
} from '../src/domain/conflict-resolution';
import { memberWorktreeOf, WorktreeFailure } from '../src/domain/worktrees';
import { clearStaleLocks, resetTree, treeOf } from './git-repair';
import { commitOf, gitFailure, inTree, must, parsedInput, type Repo, type Tree } from './git-runner';

/** The files git left unmerged in the tree, sorted. */
export async function unmergedFiles(tree: Tree): Promise<string[]> {
  const unmerged = await must(inTree(tree, ['ls-files', '--unmerged', '-z']), 'ls-files');
  const files = unmerged
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.split('\t')[1]);
  return [...new Set(files)].sort();
}

/** The resolver's worktree, checked: one of ours, with its own branch checked out. */
async function resolverTree(given: string, branch: string) {
  const wtPath = path.resolve(given);
  const member = memberWorktreeOf(wtPath);
  const repo: Repo | undefined = member && { commonDir: member.commonDir };
  const tree = repo && (await treeOf(repo, wtPath));
  if (!member || !repo || !tree)
    throw ApplicationFailure.nonRetryable(`${wtPath} is not a swarm worktree`, WorktreeFailure.notOurs);
  const head = (await inTree(tree, ['symbolic-ref', '-q', 'HEAD'])).stdout.trim();
  if (head !== `refs/heads/${member.branch}`)
    throw ApplicationFailure.nonRetryable(
      `${wtPath} has ${head || 'a detached HEAD'} checked out, not ${member.branch}`,
      WorktreeFailure.unresolved,
    );
  const tip = await commitOf(repo, `refs/heads/${branch}`);
  if (!tip)
    throw ApplicationFailure.nonRetryable(`no branch ${branch} to merge`, WorktreeFailure.unknownRevision);
  await clearStaleLocks(repo, tree, [head]);
  return { tree, tip };
}

const contains = async (tree: Tree, tip: string) => {
  const run = await inTree(tree, ['merge-base', '--is-ancestor', tip, 'HEAD']);
  if (run.code > 1 || run.code < 0) throw gitFailure('merge-base', run);
  return run.code === 0;
};
const headOf = async (tree: Tree) => (await must(inTree(tree, ['rev-parse', 'HEAD']), 'rev-parse')).trim();

/**
 * `branch` merged into the resolver's worktree without a commit, conflicts left in the files
 * (diff3 style: the base shows too). A re-run starts the merge again from the branch's tip:
 * it runs only before the resolver does (a completed activity is not run again).
 */
export async function beginResolution(input: BeginResolutionInput): Promise<BegunResolution> {
  const { path: given, branch } = parsedInput(beginResolutionInputSchema, input);
  const { tree, tip } = await resolverTree(given, branch);
  if (await contains(tree, tip)) return { files: [], head: await headOf(tree) };
  await resetTree(tree);
  const run = await inTree(tree, [
    ...['-c', 'merge.conflictStyle=diff3', 'merge', '-q', '--no-ff', '--no-commit'],
    ...['--no-verify-signatures', '-m', `Merge branch '${branch}' (conflicts resolved by an agent)`, tip],
  ]);
  const files = await unmergedFiles(tree);
  if (run.code !== 0 && files.length === 0) throw gitFailure('merge', run);
  return { files, head: await headOf(tree) };
}

/**
 * The resolver's work concluded: refused while a conflicted file still has markers; else
 * everything in the tree staged and the merge committed (unless the resolver committed it);
 * refused again unless the branch's tip then holds the member's branch.
 */
export async function concludeResolution(input: ConcludeResolutionInput): Promise<ConcludedResolution> {
  const { path: given, branch, files } = parsedInput(concludeResolutionInputSchema, input);
  const { tree, tip } = await resolverTree(given, branch);
  const suspects = [...new Set([...files, ...(await unmergedFiles(tree))])];
  const marked: string[] = [];
  for (const file of suspects) {
    const text = await readFile(path.join(tree.path, file), 'utf8').catch(() => '');
    if (CONFLICT_MARKER.test(text)) marked.push(file);
  }
  if (marked.length > 0)
    throw ApplicationFailure.nonRetryable(
      `conflict markers are left in ${marked.join(', ')}: the merge was not resolved`,
      WorktreeFailure.unresolved,
    );
  const merging = (await inTree(tree, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])).code === 0;
  // A kill between a commit's ref update and its clean-up leaves MERGE_HEAD: not a second merge.
  if (merging && (await contains(tree, tip))) await must(inTree(tree, ['merge', '--quit']), 'merge --quit');
  await must(inTree(tree, ['add', '-A']), 'add');
  const staged = await inTree(tree, ['diff', '--cached', '--quiet']);
  if (staged.code > 1 || staged.code < 0) throw gitFailure('diff --cached', staged);
  const committed = staged.code === 1 || (merging && !(await contains(tree, tip)));
  if (committed)
    await must(
      inTree(tree, ['commit', '-q', '--no-verify', '-m', `Merge branch '${branch}' (resolved by an agent)`]),
      'commit',
    );
  if (!(await contains(tree, tip)))
    throw ApplicationFailure.nonRetryable(
      `the resolution does not hold ${branch} (was the merge aborted?)`,
      WorktreeFailure.unresolved,
    );
  return { head: await headOf(tree), committed };
}
