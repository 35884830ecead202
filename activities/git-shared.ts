/**
 * The swarm's worktree when an agent works in it (a supervisor, activities/worktrees.ts): its
 * work there is committed on the swarm's branch, and members merge into it, without ever
 * resetting or cleaning the tree, so nothing the agent writes meanwhile is lost. A merge is
 * made off the tree (merge-tree, commit-tree) and the tree moved to it with `read-tree -m -u`,
 * which refuses, touching nothing, where the agent changed a file the merge changes: its work
 * is committed and the merge made again. A conflict never reaches the tree: no markers for the
 * agent to read. After a kill -9 between the move and the branch's update, the moved files are
 * committed as the agent's and merged again: the content is the same, the merge recorded later.
 */
import { ApplicationFailure } from '@temporalio/common';
import { WorktreeFailure, type MemberCommit, type MergeOutcome } from '../src/domain/worktrees';
import { unmergedFiles } from './git-resolve';
import { gitFailure, inTree, must, type Tree } from './git-runner';

/** Moves refused before the merge gives up: the agent keeps writing what the merge changes. */
const SHARED_MERGE_TRIES = 3;

/** What the agent left in the tree, committed on the swarm's branch (concluding a merge of its own it resolved). */
export async function commitShared(tree: Tree, message: string): Promise<MemberCommit> {
  if ((await inTree(tree, ['rev-parse', '-q', '--verify', 'MERGE_HEAD'])).code === 0) {
    // Only the agent's own `git merge` leaves one here: its conflict is its to settle, not ours to undo.
    const files = await unmergedFiles(tree);
    if (files.length > 0)
      throw ApplicationFailure.nonRetryable(
        `the swarm's worktree is in the middle of a merge with conflicts in ${files.slice(0, 20).join(', ')}: nothing committed, nothing removed`,
        WorktreeFailure.gitFailed,
      );
  }
  return commitAll(tree, message);
}

/** Everything in the worktree committed on its branch, if anything changed: the branch's tip, and whether it moved. */
export async function commitAll(
  tree: Tree,
  message: string,
  author?: { name: string; email: string },
): Promise<MemberCommit> {
  await must(inTree(tree, ['add', '-A']), 'add');
  const staged = await inTree(tree, ['diff', '--cached', '--quiet']);
  if (staged.code > 1 || staged.code < 0) throw gitFailure('diff --cached', staged);
  const committed = staged.code === 1;
  if (committed) {
    const by = author ? [`--author=${author.name} <${author.email}>`] : [];
    await must(inTree(tree, ['commit', '-q', '--no-verify', ...by, '-m', message]), 'commit');
  }
  return { head: await headOf(tree), committed };
}

const headOf = async (tree: Tree) => (await must(inTree(tree, ['rev-parse', 'HEAD']), 'rev-parse')).trim();

async function isAncestor(tree: Tree, a: string, b: string): Promise<boolean> {
  const run = await inTree(tree, ['merge-base', '--is-ancestor', a, b]);
  if (run.code > 1 || run.code < 0) throw gitFailure('merge-base', run);
  return run.code === 0;
}

/** `tip` merged into the shared tree's branch, the agent's work committed first; a conflict touches nothing. */
export async function mergeIntoShared(
  tree: Tree,
  tip: string,
  opts: { noFastForward: boolean; message: string; commitFirst: string },
): Promise<MergeOutcome> {
  for (let attempt = 1; ; attempt++) {
    const { head: before } = await commitShared(tree, opts.commitFirst);
    if (await isAncestor(tree, tip, before))
      return { merged: true, already: true, fastForward: false, head: before, changed: [] };
    let next = tip;
    if (opts.noFastForward || !(await isAncestor(tree, before, tip))) {
      const made = await inTree(tree, ['merge-tree', '--write-tree', '-z', '--name-only', before, tip]);
      // Its output: the tree, then (on a conflict) the conflicted files, each NUL-ended, then an empty field.
      const [treeId, ...rest] = made.stdout.split('\0');
      if (made.code === 1) {
        const end = rest.indexOf('');
        const files = [...new Set(rest.slice(0, end < 0 ? undefined : end))].sort();
        return { merged: false, conflict: true, files, head: before };
      }
      if (made.code !== 0) throw gitFailure('merge-tree', made);
      const parents = ['-p', before, '-p', tip];
      next = (
        await must(inTree(tree, ['commit-tree', treeId, ...parents, '-m', opts.message]), 'commit-tree')
      ).trim();
    }
    // Files and index from `before` to `next`; refused, and nothing touched, where the agent changed what it changes.
    const moved = await inTree(tree, ['read-tree', '-m', '-u', before, next]);
    if (moved.code === 0) {
      await must(inTree(tree, ['update-ref', '-m', opts.message, 'HEAD', next, before]), 'update-ref');
      const changed = await must(inTree(tree, ['diff', '--name-only', '-z', before, next]), 'diff');
      const files = changed.split('\0').filter(Boolean).slice(0, 1000);
      return { merged: true, already: false, fastForward: next === tip, head: next, changed: files };
    }
    if (attempt >= SHARED_MERGE_TRIES)
      throw gitFailure('read-tree (moving the shared worktree to the merge)', moved);
  }
}
