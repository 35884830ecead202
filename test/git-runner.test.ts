/**
 * git as the activities run it (activities/git-runner.ts), against what another git does beside
 * it in the same repository: a worktree being added there. Real git, no Temporal server.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { git } from '../activities/git-runner';
import { addMemberWorktree, prepareSwarmRepo } from '../activities/worktrees';
import { WorktreeFailure } from '../src/domain/worktrees';
import { gitOk, makeRepo, removeScratchDirs, scratchDir } from './helpers/git-repo';

afterAll(removeScratchDirs);

/**
 * A repository prepared for swarm `s1`, with a worktree another `git worktree add` is making:
 * its admin dir as git leaves it for a moment, `gitdir` written and `commondir` created empty.
 * Every git that lists the worktrees dies on it until `finish` writes what git writes next.
 */
async function peerBeingAdded() {
  const repoRoot = makeRepo({ 'a.txt': 'alpha\n' });
  await prepareSwarmRepo({ cwd: repoRoot, swarmId: 's1' });
  const admin = path.join(repoRoot, '.git/worktrees/peer');
  mkdirSync(admin, { recursive: true });
  writeFileSync(path.join(admin, 'gitdir'), `${path.join(scratchDir(), '.git')}\n`);
  writeFileSync(path.join(admin, 'commondir'), '');
  expect(gitOk(repoRoot, 'worktree', 'list')).toBe(false);
  return { repoRoot, finish: () => writeFileSync(path.join(admin, 'commondir'), '../..\n') };
}

test('a git that lists the worktrees while another one is being added beside it is run again, and answers', async () => {
  const { repoRoot, finish } = await peerBeingAdded();
  // The other git goes on a moment after this one started; this one dies on its first look.
  const timer = setTimeout(finish, 400);
  const run = await git(repoRoot, ['worktree', 'list', '--porcelain']).finally(() => clearTimeout(timer));
  expect(run).toMatchObject({ code: 0, stdout: expect.stringContaining('worktree ') });
  // And a member's worktree is added past it.
  const wt = await addMemberWorktree({ repoRoot, swarmId: 's1', member: 's1.1' });
  expect(existsSync(path.join(wt.path, 'a.txt'))).toBe(true);
});

test("a worktree left half-made for good is waited on briefly: the step fails with git's message, for good", async () => {
  const { repoRoot } = await peerBeingAdded();
  const failed = await addMemberWorktree({ repoRoot, swarmId: 's1', member: 's1.1' }).catch(
    (e: unknown) => e,
  );
  expect(failed).toBeInstanceOf(ApplicationFailure);
  expect(failed).toMatchObject({
    type: WorktreeFailure.gitFailed,
    nonRetryable: true,
    message: expect.stringMatching(/failed to read .*\/worktrees\/peer\/commondir/),
  });
});
