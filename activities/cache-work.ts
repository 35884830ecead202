/**
 * The result cache's writer entries in git (activities/result-cache.ts keeps the entries): a
 * writer's recorded commit is kept reachable by a ref (cacheWorkRef) in its repository for as
 * long as its entry is kept, after the member's branch is deleted. An entry whose ref is gone
 * (deleted, or another clone of the repository) is a miss. Refs go with their entries.
 */
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import { CACHE_REFS, cacheWorkRef, refComponent } from '../src/domain';
import { clearStaleLocks } from './git-repair';
import { commitOf, inRepo, must, openRepo } from './git-runner';

/** The repository's common dir (where its refs are) of the work tree at `repoRoot`, if it is one. */
export async function commonDirOf(repoRoot: string): Promise<string | undefined> {
  return (await openRepo(repoRoot).catch(() => undefined))?.repo.commonDir;
}

/** The commit pinned for the entry in the repository at `repoRoot`, if its ref is there. */
export async function pinnedWork(
  repoRoot: string,
  workspace: string,
  key: string,
): Promise<{ commit: string; repo: string } | undefined> {
  const repo = await commonDirOf(repoRoot);
  const commit = repo && (await commitOf({ commonDir: repo }, cacheWorkRef(workspace, key)));
  return repo && commit ? { commit, repo } : undefined;
}

/** The entry's ref pointed at `commit` (moved, when an earlier run's commit held it). */
export async function pinWork(repo: string, workspace: string, key: string, commit: string): Promise<void> {
  const ref = cacheWorkRef(workspace, key);
  await clearStaleLocks({ commonDir: repo }, undefined, [ref]);
  await must(inRepo({ commonDir: repo }, ['update-ref', ref, commit]), 'update-ref');
}

/** An evicted entry's ref gone, if it still names the entry's commit (best effort: a prune catches the rest). */
export async function unpinWork(repo: string, workspace: string, key: string, commit: string): Promise<void> {
  await inRepo({ commonDir: repo }, ['update-ref', '-d', cacheWorkRef(workspace, key), commit]);
}

/**
 * The workspace's refs in the repository whose entry is no longer in `dir` (evicted while
 * another repository was stored to, damaged, the directory emptied by hand): gone. How many.
 */
export async function prunePins(repo: string, workspace: string, dir: string): Promise<number> {
  const prefix = `${CACHE_REFS}/${refComponent(workspace)}/`;
  const listed = await inRepo({ commonDir: repo }, ['for-each-ref', '--format=%(refname)', prefix]);
  if (listed.code !== 0) return 0;
  let pruned = 0;
  for (const ref of listed.stdout.split('\n').filter(Boolean)) {
    const key = ref.slice(prefix.length);
    const kept = await access(path.join(dir, `${key}.json`)).then(
      () => true,
      () => false,
    );
    if (kept) continue;
    if ((await inRepo({ commonDir: repo }, ['update-ref', '-d', ref])).code === 0) pruned++;
  }
  return pruned;
}
