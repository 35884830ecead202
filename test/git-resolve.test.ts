/**
 * A conflict given to a resolver: the member's branch merged into a resolver's worktree with the
 * conflicts left in the files, and the merge committed only once no marker is left and the
 * commit holds both sides; each step run again converges. Real git, no Temporal server.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import {
  addMemberWorktree,
  beginResolution,
  commitMemberWork,
  mergeMember,
  prepareSwarmRepo,
} from '../activities/worktrees';
import { resolverMember, swarmRequestSchema, WorktreeFailure } from '../src/domain';
import { gitIn, makeRepo, removeScratchDirs, userState, write } from './helpers/git-repo';
import { concludeResolution } from '../activities/git-resolve';

afterAll(removeScratchDirs);

const FILE = 'one\ntwo\nthree\nfour\n';

/** Two members that changed the same line; the first merged, the second's merge conflicted. */
async function conflicted() {
  const repoRoot = makeRepo({ 'shared.txt': FILE, 'other.txt': 'x\n' });
  write(repoRoot, 'mine.txt', 'uncommitted\n');
  const before = userState(repoRoot);
  await prepareSwarmRepo({ cwd: repoRoot, swarmId: 's1' });
  const members = [];
  for (const [member, word] of [
    ['s1.1', 'THREE'],
    ['s1.2', 'drei'],
  ]) {
    const wt = await addMemberWorktree({ repoRoot, swarmId: 's1', member });
    write(wt.path, 'shared.txt', FILE.replace('three', word));
    members.push({ ...wt, ...(await commitMemberWork({ path: wt.path, message: `${member}'s work` })) });
  }
  const first = await mergeMember({ repoRoot, swarmId: 's1', branch: members[0].branch });
  expect(first).toMatchObject({ merged: true, changed: ['shared.txt'] });
  const conflict = await mergeMember({ repoRoot, swarmId: 's1', branch: members[1].branch });
  if (conflict.merged) throw new Error('expected a conflict');
  const wt = await addMemberWorktree({
    repoRoot,
    swarmId: 's1',
    member: resolverMember('s1.2'),
    from: conflict.head,
  });
  return { repoRoot, before, member: members[1], wt, head: conflict.head };
}

const failureOf = async (run: Promise<unknown>) => {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
};

test('the resolver finds the conflict in its files; once the markers are gone the merge is committed with both sides', async () => {
  const { repoRoot, before, member, wt, head } = await conflicted();
  const begun = await beginResolution({ path: wt.path, branch: member.branch });
  expect(begun).toEqual({ files: ['shared.txt'], head });
  const text = readFileSync(path.join(wt.path, 'shared.txt'), 'utf8');
  // diff3: both sides and the base, for the resolver to read.
  expect(text).toMatch(/<<<<<<< [^\n]*\nTHREE\n\|\|\|\|\|\|\| [^\n]*\nthree\n=======\ndrei\n>>>>>>> /);
  // Run again before the resolver starts (a kill after the merge): the same state.
  expect(await beginResolution({ path: wt.path, branch: member.branch })).toEqual(begun);

  // Markers left: refused, nothing committed.
  const refused = await failureOf(
    concludeResolution({ path: wt.path, branch: member.branch, files: begun.files }),
  );
  expect(refused).toMatchObject({ type: WorktreeFailure.unresolved, nonRetryable: true });
  expect(refused.message).toContain('conflict markers are left in shared.txt');
  expect(gitIn(wt.path, 'rev-parse', 'HEAD').trim()).toBe(head);

  write(wt.path, 'shared.txt', FILE.replace('three', 'THREE / drei'));
  const done = await concludeResolution({ path: wt.path, branch: member.branch, files: begun.files });
  expect(done.committed).toBe(true);
  expect(gitIn(wt.path, 'rev-parse', `${done.head}^1`, `${done.head}^2`).trim().split('\n')).toEqual([
    head,
    member.head,
  ]);
  // Run again (a kill before its completion was recorded): no second commit.
  expect(await concludeResolution({ path: wt.path, branch: member.branch, files: begun.files })).toEqual({
    head: done.head,
    committed: false,
  });
  // The resolution merges into the swarm's branch as a fast-forward.
  expect(await mergeMember({ repoRoot, swarmId: 's1', branch: wt.branch })).toMatchObject({
    merged: true,
    fastForward: true,
    head: done.head,
  });
  expect(gitIn(repoRoot, 'show', 'orchestra/s1:shared.txt')).toContain('THREE / drei');
  expect(userState(repoRoot)).toEqual(before);
});

test('a resolution the resolver committed itself is taken as it is; one that dropped the other side is refused', async () => {
  const { member, wt } = await conflicted();
  const begun = await beginResolution({ path: wt.path, branch: member.branch });
  write(wt.path, 'shared.txt', FILE.replace('three', 'both'));
  gitIn(wt.path, 'commit', '-q', '-a', '-m', 'resolved by hand');
  const own = gitIn(wt.path, 'rev-parse', 'HEAD').trim();
  expect(await concludeResolution({ path: wt.path, branch: member.branch, files: begun.files })).toEqual({
    head: own,
    committed: false,
  });

  const other = await conflicted();
  await beginResolution({ path: other.wt.path, branch: other.member.branch });
  gitIn(other.wt.path, 'merge', '--abort');
  write(other.wt.path, 'shared.txt', FILE.replace('three', 'only ours'));
  const refused = await failureOf(
    concludeResolution({ path: other.wt.path, branch: other.member.branch, files: ['shared.txt'] }),
  );
  expect(refused.message).toContain(`does not hold ${other.member.branch}`);
});

test("a swarm request's resolve and isolation are checked, with a clear reason", () => {
  const base = { spec: { strategy: 'parallel', task: 't', agents: [{}] }, cwd: '/tmp' };
  const issues = (extra: object) => {
    const r = swarmRequestSchema.safeParse({ ...base, ...extra });
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };
  expect(issues({ resolve: true, isolation: 'copy' })).toEqual([]);
  expect(issues({ resolve: { agent: { model: 'm', task: 'prefer ours' } } })).toEqual([]);
  expect(issues({ resolve: 'yes' })).toEqual(['resolve: true, or { agent: a resolver template }']);
  // No registry entry for a resolver: the template is given whole.
  expect(issues({ resolve: { agent: { agent: 'registry-entry' } } })).toEqual([
    'resolve.agent: Unrecognized key: "agent"',
  ]);
  expect(issues({ isolation: 'copies' })[0]).toMatch(/^isolation: .*"copy"/);
});
