/** The result cache's store and tree hashes (activities/result-cache.ts), on real files and real git. */
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { resultCacheActivities } from '../activities/result-cache';
import {
  addMemberWorktree,
  commitMemberWork,
  loadMemberWork,
  prepareSwarmRepo,
} from '../activities/worktrees';
import { sha256Hex, type CacheEntry } from '../src/domain';
import { gitIn, makeRepo, removeScratchDirs, scratchDir, write } from './helpers/git-repo';

afterAll(removeScratchDirs);

const entry = (result: string): CacheEntry => ({
  result,
  status: 'completed',
  usage: { tokens: { input: 10, output: 5 }, toolCalls: 1, iterations: 2, agents: 1, costUsd: 0.01 },
  agentId: 's.1',
  createdAt: new Date().toISOString(),
});
const k = (n: number) => sha256Hex(`key ${n}`);

describe('the store', () => {
  test('an entry stored is found in its workspace only, and storing again is harmless', async () => {
    const dir = scratchDir();
    const cache = resultCacheActivities({ dir });
    expect(await cache.cacheLookup({ key: k(1), workspace: 'w1' })).toBeUndefined();
    expect(await cache.cacheStore({ key: k(1), workspace: 'w1', entry: entry('one') })).toEqual({
      stored: true,
      evicted: 0,
    });
    await cache.cacheStore({ key: k(1), workspace: 'w1', entry: entry('one') });
    expect((await cache.cacheLookup({ key: k(1), workspace: 'w1' }))?.result).toBe('one');
    expect(await cache.cacheLookup({ key: k(1), workspace: 'w2' })).toBeUndefined();
    // Whole files only: no temporary file is left beside the entry.
    expect(readdirSync(path.join(dir, 'w1'))).toEqual([`${k(1)}.json`]);
  });

  test('bad keys and workspaces are refused before any file is touched', async () => {
    const cache = resultCacheActivities({ dir: scratchDir() });
    await expect(cache.cacheLookup({ key: '../../etc/passwd', workspace: 'w' })).rejects.toThrow(/bad input/);
    await expect(cache.cacheLookup({ key: k(1), workspace: '../w' })).rejects.toThrow(/bad input/);
    await expect(
      cache.cacheStore({
        key: k(1),
        workspace: 'w',
        entry: { ...entry('x'), status: 'failed' as 'completed' },
      }),
    ).rejects.toThrow(/bad input/);
  });

  test('a damaged entry (a torn write by an older tool, a full disk) is a miss, and goes', async () => {
    const dir = scratchDir();
    const cache = resultCacheActivities({ dir });
    mkdirSync(path.join(dir, 'w'));
    writeFileSync(path.join(dir, 'w', `${k(2)}.json`), '{"result": "cut sh');
    expect(await cache.cacheLookup({ key: k(2), workspace: 'w' })).toBeUndefined();
    expect(existsSync(path.join(dir, 'w', `${k(2)}.json`))).toBe(false);
  });

  test("past its bounds the least recently used entries go, and a dead writer's temporary files", async () => {
    const dir = scratchDir();
    const cache = resultCacheActivities({ dir, maxEntries: 3 });
    const old = Date.now() / 1000 - 3600;
    for (let n = 1; n <= 3; n++) {
      await cache.cacheStore({ key: k(n), workspace: 'w', entry: entry(`r${n}`) });
      // Used in order 1, 2, 3, an hour apart at most.
      utimesSync(path.join(dir, 'w', `${k(n)}.json`), old + n * 60, old + n * 60);
    }
    // 1 is used now: 2 is the least recently used.
    await cache.cacheLookup({ key: k(1), workspace: 'w' });
    const torn = path.join(dir, 'w', `${k(9)}.json.123.abcd.tmp`);
    writeFileSync(torn, '{"res');
    utimesSync(torn, old, old);
    expect(await cache.cacheStore({ key: k(4), workspace: 'w', entry: entry('r4') })).toEqual({
      stored: true,
      evicted: 1,
    });
    expect(await cache.cacheLookup({ key: k(2), workspace: 'w' })).toBeUndefined();
    for (const n of [1, 3, 4]) expect(await cache.cacheLookup({ key: k(n), workspace: 'w' })).toBeDefined();
    expect(existsSync(torn)).toBe(false);

    const small = resultCacheActivities({ dir: scratchDir(), maxBytes: 2000 });
    for (let n = 1; n <= 5; n++)
      await small.cacheStore({ key: k(n), workspace: 'w', entry: entry('x'.repeat(300)) });
    const kept = await Promise.all(
      [1, 2, 3, 4, 5].map((n) => small.cacheLookup({ key: k(n), workspace: 'w' })),
    );
    expect(kept.filter(Boolean).length).toBeLessThan(5);
    expect(kept[4]).toBeDefined();
    // One entry bigger than a quarter of the bound is not kept at all.
    expect(await small.cacheStore({ key: k(6), workspace: 'w', entry: entry('y'.repeat(600)) })).toEqual({
      stored: false,
      evicted: 0,
    });
  });
});

describe('tree hashes', () => {
  const hashOf = async (cwd: string, limits?: { maxFiles: number; maxBytes: number }) =>
    resultCacheActivities({ dir: scratchDir(), treeLimits: limits }).treeHash({ cwd });

  test('in git: a tracked edit, a new untracked file and a deletion change it; an ignored file does not', async () => {
    const repo = makeRepo({ 'a.txt': 'a', 'sub/b.txt': 'b', '.gitignore': 'build/\n' });
    const seen = new Set<string>();
    const look = async () => {
      const h = await hashOf(repo);
      if (!('hash' in h)) throw new Error(h.skipped);
      return h.hash;
    };
    const base = await look();
    expect(await look()).toBe(base);
    write(repo, 'build/out.txt', 'ignored');
    expect(await look()).toBe(base);
    seen.add(base);
    write(repo, 'a.txt', 'a changed');
    seen.add(await look());
    write(repo, 'a.txt', 'a');
    expect(await look()).toBe(base);
    write(repo, 'new.txt', 'untracked');
    seen.add(await look());
    write(repo, 'new.txt', 'untracked, edited');
    seen.add(await look());
    rmSync(path.join(repo, 'new.txt'));
    rmSync(path.join(repo, 'sub/b.txt'));
    seen.add(await look());
    expect(seen.size).toBe(5);
    // Committed: the new commit's tree, with nothing changed beside it, is a tree not seen before.
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-q', '-m', 'second');
    expect(seen.has(await look())).toBe(false);
  });

  test('in a subdirectory of a repository only that subdirectory counts', async () => {
    const repo = makeRepo({ 'top.txt': 'top', 'sub/b.txt': 'b' });
    const sub = path.join(repo, 'sub');
    const before = await hashOf(sub);
    write(repo, 'top.txt', 'top, changed');
    write(repo, 'other.txt', 'untracked elsewhere');
    expect(await hashOf(sub)).toEqual(before);
    write(repo, 'sub/c.txt', 'new here');
    expect(await hashOf(sub)).not.toEqual(before);
  });

  test('a directory git ignores is hashed file by file, as outside git', async () => {
    const repo = makeRepo({ '.gitignore': 'build/\n', 'a.txt': 'a' });
    write(repo, 'build/out.txt', 'one');
    const before = await hashOf(path.join(repo, 'build'));
    write(repo, 'build/out.txt', 'two');
    expect(await hashOf(path.join(repo, 'build'))).not.toEqual(before);
  });

  test('outside git: names, contents and links count; past its bounds it says why and gives none', async () => {
    const dir = scratchDir();
    write(dir, 'a.txt', 'a');
    write(dir, 'd/b.txt', 'b');
    const base = await hashOf(dir);
    expect(base).toHaveProperty('hash');
    expect(await hashOf(dir)).toEqual(base);
    write(dir, 'd/b.txt', 'B');
    const edited = await hashOf(dir);
    expect(edited).not.toEqual(base);
    symlinkSync('a.txt', path.join(dir, 'link'));
    const linked = await hashOf(dir);
    expect(linked).not.toEqual(edited);
    // Copy-mode members' copies in cwd are their work, not the tree a reader reads.
    write(dir, '.orchestra-copies/s1/m1/a.txt', 'a copy being edited');
    expect(await hashOf(dir)).toEqual(linked);

    expect(await hashOf(dir, { maxFiles: 2, maxBytes: 1000 })).toEqual({
      skipped: 'more than 2 files to hash',
    });
    write(dir, 'big.bin', 'z'.repeat(2000));
    expect(await hashOf(dir, { maxFiles: 100, maxBytes: 1000 })).toHaveProperty('skipped');
    expect(await hashOf(path.join(dir, 'missing'))).toEqual({
      skipped: `${path.join(dir, 'missing')} is not a directory`,
    });
  });
});

describe("a writer's work", () => {
  const refs = (repo: string) =>
    gitIn(repo, 'for-each-ref', '--format=%(refname)', 'refs/orchestra-cache/')
      .trim()
      .split('\n')
      .filter(Boolean);

  test('kept by a ref while its entry is: served only in its repository, a miss once the ref is gone, evicted with the entry', async () => {
    const repoRoot = makeRepo({ 'a.txt': 'a' });
    const otherClone = makeRepo({ 'a.txt': 'a' });
    // A member's commit on a branch that is then deleted: only the cache's ref keeps it.
    gitIn(repoRoot, 'checkout', '-q', '-b', 'member');
    write(repoRoot, 'a.txt', 'a, by the member');
    gitIn(repoRoot, 'commit', '-q', '-am', 'work');
    const commit = gitIn(repoRoot, 'rev-parse', 'HEAD').trim();
    gitIn(repoRoot, 'checkout', '-q', 'main');
    gitIn(repoRoot, 'branch', '-q', '-D', 'member');
    const dir = scratchDir();
    const cache = resultCacheActivities({ dir, maxEntries: 2 });
    const store = (n: number) =>
      cache.cacheStore({
        key: k(n),
        workspace: 'w',
        entry: { ...entry(`w${n}`), work: { commit } },
        repoRoot,
      });
    const ref = (n: number) => `refs/orchestra-cache/w/${k(n)}`;

    await store(1);
    expect(refs(repoRoot)).toEqual([ref(1)]);
    const repo = path.join(repoRoot, '.git');
    expect(await cache.cacheLookup({ key: k(1), workspace: 'w', repoRoot })).toMatchObject({
      result: 'w1',
      work: { commit, repo },
    });
    // Not served without its work, nor where its commit is not kept (another clone).
    expect(await cache.cacheLookup({ key: k(1), workspace: 'w' })).toBeUndefined();
    expect(await cache.cacheLookup({ key: k(1), workspace: 'w', repoRoot: otherClone })).toBeUndefined();
    // Two runs storing the key at once, their entries and refs interleaved: the entry names one
    // commit, the ref another. A miss: an answer is served only with its own run's work.
    gitIn(repoRoot, 'update-ref', ref(1), 'main');
    expect(await cache.cacheLookup({ key: k(1), workspace: 'w', repoRoot })).toBeUndefined();
    gitIn(repoRoot, 'update-ref', '-d', ref(1));
    expect(await cache.cacheLookup({ key: k(1), workspace: 'w', repoRoot })).toBeUndefined();
    await expect(
      cache.cacheStore({ key: k(1), workspace: 'w', entry: { ...entry('x'), work: { commit } } }),
    ).rejects.toThrow(/bad input/);

    // Past the bound the least recently used entry goes, and its ref with it.
    const old = Date.now() / 1000 - 3600;
    for (const n of [1, 2]) {
      await store(n);
      utimesSync(path.join(dir, 'w', `${k(n)}.json`), old + n * 60, old + n * 60);
    }
    await store(3);
    expect(refs(repoRoot)).toEqual([ref(2), ref(3)].sort());
    // An entry gone by other means (by hand, damaged): its ref goes at the next store there.
    rmSync(path.join(dir, 'w', `${k(2)}.json`));
    await store(3);
    expect(refs(repoRoot)).toEqual([ref(3)]);
  });

  test("loaded into a new member's worktree: committed there, it is the recorded commit's tree on the new base", async () => {
    const repoRoot = makeRepo({ 'a.txt': 'a\n', 'gone.txt': 'x\n' });
    await prepareSwarmRepo({ cwd: repoRoot, swarmId: 's1' });
    const first = await addMemberWorktree({ repoRoot, swarmId: 's1', member: 'm' });
    write(first.path, 'a.txt', 'a, edited\n');
    write(first.path, 'new/b.txt', 'b\n');
    rmSync(path.join(first.path, 'gone.txt'));
    const { head } = await commitMemberWork({ path: first.path, message: 'work' });

    await prepareSwarmRepo({ cwd: repoRoot, swarmId: 's2' });
    const second = await addMemberWorktree({ repoRoot, swarmId: 's2', member: 'm' });
    const loaded = await loadMemberWork({ path: second.path, commit: head });
    // Run again (a retry after a kill): the same tree, nothing else.
    expect(await loadMemberWork({ path: second.path, commit: head })).toEqual(loaded);
    const again = await commitMemberWork({ path: second.path, message: 'again' });
    expect(again.committed).toBe(true);
    const treeOf = (rev: string) => gitIn(repoRoot, 'rev-parse', `${rev}^{tree}`).trim();
    expect(treeOf(again.head)).toBe(treeOf(head));
    expect(loaded.tree).toBe(treeOf(head));
    expect(gitIn(repoRoot, 'rev-parse', `${again.head}^`).trim()).toBe(second.baseCommit);
    await expect(loadMemberWork({ path: repoRoot, commit: head })).rejects.toThrow(
      /not a swarm member's worktree/,
    );
    await expect(loadMemberWork({ path: second.path, commit: '0'.repeat(40) })).rejects.toThrow(/no commit/);
  });
});
