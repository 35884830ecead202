/**
 * The swarm result cache's store and tree hashes (the contract: src/domain/result-cache.ts).
 *
 * Entries are files, `<dir>/<workspace>/<key>.json`: one directory per workspace, never read
 * for another. Each is written to a temporary file and renamed into place, so a reader (or a
 * worker killed mid-write, kill -9 included) sees a whole entry or none; storing a key again
 * writes the same thing again. Past the bounds the entries least recently used go. A writer's
 * entry also names its work, a commit kept by a ref in its repository (activities/cache-work.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Dirent } from 'node:fs';
import {
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import * as path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import {
  COPIES_DIR,
  cacheEntrySchema,
  cacheKeySchema,
  describeIssue,
  TREE_HASH_LIMITS,
  workspaceIdSchema,
  type CacheEntry,
  type TreeHash,
} from '../src/domain';
import { commonDirOf, pinnedWork, pinWork, prunePins, unpinWork } from './cache-work';
import { git } from './git-runner';

export interface ResultCacheOptions {
  /** Where entries live: `<dir>/<workspace>/<key>.json`. */
  dir: string;
  /** Entries kept per workspace. @default 10_000 (ORCHESTRA_CACHE_MAX_ENTRIES) */
  maxEntries?: number;
  /** Bytes kept per workspace. @default 500 MB (ORCHESTRA_CACHE_MAX_MB) */
  maxBytes?: number;
  /** How much of a tree is hashed before giving up on it. @default TREE_HASH_LIMITS */
  treeLimits?: { maxFiles: number; maxBytes: number };
}

export const RESULT_CACHE_DEFAULTS = { maxEntries: 10_000, maxBytes: 500 * 2 ** 20 } as const;
/** A temporary file this old is a write a dead worker left behind. */
const STALE_TEMP_MS = 10 * 60_000;

/** A writer's lookup and store name the repository its work is in (the top of its work tree). */
const repoRootSchema = z
  .string()
  .regex(/^\/[^\0]{0,4095}$/, 'an absolute path')
  .optional();
const lookupSchema = z
  .object({ key: cacheKeySchema, workspace: workspaceIdSchema, repoRoot: repoRootSchema })
  .strict();
const storeSchema = z
  .object({
    key: cacheKeySchema,
    workspace: workspaceIdSchema,
    entry: cacheEntrySchema,
    repoRoot: repoRootSchema,
  })
  .strict();
const treeSchema = z.object({ cwd: z.string().min(1).max(4096) }).strict();

function parsed<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success)
    throw ApplicationFailure.nonRetryable(`bad input: ${describeIssue(result.error)}`, 'BadCacheInput');
  return result.data;
}

export type CacheLookupInput = z.input<typeof lookupSchema>;
export interface CacheStoreInput {
  key: string;
  workspace: string;
  entry: CacheEntry;
  /** A writer's: the repository its `entry.work` commit is in. */
  repoRoot?: string;
}

export function resultCacheActivities(options: ResultCacheOptions) {
  const maxEntries = options.maxEntries ?? RESULT_CACHE_DEFAULTS.maxEntries;
  const maxBytes = options.maxBytes ?? RESULT_CACHE_DEFAULTS.maxBytes;
  const limits = options.treeLimits ?? TREE_HASH_LIMITS;
  const folder = (workspace: string) => path.join(options.dir, workspace);
  const file = (workspace: string, key: string) => path.join(folder(workspace), `${key}.json`);

  return {
    /** The entry filed under `key` in the workspace, if any; a damaged one is dropped. */
    async cacheLookup(input: CacheLookupInput): Promise<CacheEntry | undefined> {
      const { key, workspace, repoRoot } = parsed(lookupSchema, input);
      const at = file(workspace, key);
      const text = await readFile(at, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (text === undefined) return undefined;
      let entry: CacheEntry;
      try {
        entry = cacheEntrySchema.parse(JSON.parse(text)) as unknown as CacheEntry;
      } catch {
        await rm(at, { force: true });
        return undefined;
      }
      // A writer is served only with its work, and its work only from its ref in this repository;
      // a ref naming another commit is another run's (two stores of the key interleaved): a miss.
      if (!entry.work !== !repoRoot) return undefined;
      const work = repoRoot ? await pinnedWork(repoRoot, workspace, key) : undefined;
      if (repoRoot && work?.commit !== entry.work?.commit) return undefined;
      // Used now: the eviction takes the least recently used first.
      const now = new Date();
      await utimes(at, now, now).catch(() => undefined);
      return work ? { ...entry, work } : entry;
    },

    /** File a completed member's answer under `key`; whether it was kept (too big: not). */
    async cacheStore(input: CacheStoreInput): Promise<{ stored: boolean; evicted: number }> {
      const { key, workspace, entry: given, repoRoot } = parsed(storeSchema, input);
      if (!given.work !== !repoRoot)
        throw ApplicationFailure.nonRetryable('bad input: work and repoRoot go together', 'BadCacheInput');
      const repo = repoRoot && (await commonDirOf(repoRoot));
      if (repoRoot && !repo) return { stored: false, evicted: 0 };
      const entry = repo ? { ...given, work: { commit: given.work!.commit, repo } } : given;
      const text = JSON.stringify(entry);
      if (Buffer.byteLength(text) > maxBytes / 4) return { stored: false, evicted: 0 };
      await mkdir(folder(workspace), { recursive: true });
      const temp = `${file(workspace, key)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
      try {
        await writeFile(temp, text, { flag: 'wx' });
        await rename(temp, file(workspace, key));
      } finally {
        await rm(temp, { force: true });
      }
      // The entry first, then its ref: a ref is never left without an entry but by an eviction
      // racing it, and the next prune in its repository takes that one.
      if (repo) await pinWork(repo, workspace, key, entry.work!.commit);
      const evicted = await evict(folder(workspace), maxEntries, maxBytes, (name) =>
        unpinEvicted(folder(workspace), workspace, name),
      );
      if (repo) await prunePins(repo, workspace, folder(workspace)).catch(() => undefined);
      return { stored: true, evicted };
    },

    /** The hash of what an agent in `cwd` can read, or why there is none. */
    async treeHash(input: { cwd: string }): Promise<TreeHash> {
      const { cwd } = parsed(treeSchema, input);
      const dir = await stat(cwd).catch(() => undefined);
      if (!dir?.isDirectory()) return { skipped: `${cwd} is not a directory` };
      const where = await git(cwd, ['rev-parse', '--show-toplevel', '--show-prefix']);
      if (where.code !== 0) return directoryHash(cwd, limits);
      const [root, prefix = ''] = where.stdout.split('\n');
      // A directory git ignores (build output, node_modules) is nothing git could vouch for.
      if (prefix && (await git(cwd, ['check-ignore', '-q', '.'])).code === 0)
        return directoryHash(cwd, limits);
      return gitTreeHash(cwd, root, prefix, limits);
    },
  };
}

/** An entry about to be evicted: its work's ref goes with it (best effort). */
async function unpinEvicted(dir: string, workspace: string, name: string): Promise<void> {
  try {
    const { work } = cacheEntrySchema.parse(JSON.parse(await readFile(path.join(dir, name), 'utf8')));
    if (work?.repo) await unpinWork(work.repo, workspace, name.slice(0, -'.json'.length), work.commit);
  } catch {
    // A damaged entry, or a repository gone: nothing to unpin, or the next prune there does.
  }
}

/** Oldest-used entries out until the workspace is within its bounds; temporary files a crash left, too. */
async function evict(
  dir: string,
  maxEntries: number,
  maxBytes: number,
  before: (name: string) => Promise<void>,
): Promise<number> {
  const names = await readdir(dir);
  const now = Date.now();
  const entries: Array<{ name: string; size: number; used: number }> = [];
  for (const name of names) {
    const s = await stat(path.join(dir, name)).catch(() => undefined);
    if (!s) continue;
    if (name.endsWith('.tmp')) {
      if (now - s.mtimeMs > STALE_TEMP_MS) await rm(path.join(dir, name), { force: true });
    } else if (name.endsWith('.json')) entries.push({ name, size: s.size, used: s.mtimeMs });
  }
  entries.sort((a, b) => a.used - b.used);
  let bytes = entries.reduce((n, e) => n + e.size, 0);
  let evicted = 0;
  while (entries.length > maxEntries || (bytes > maxBytes && entries.length > 0)) {
    const oldest = entries.shift()!;
    await before(oldest.name);
    await rm(path.join(dir, oldest.name), { force: true });
    bytes -= oldest.size;
    evicted++;
  }
  return evicted;
}

/**
 * In git: the commit's tree at cwd, and every path `git status` lists there (changed,
 * staged, deleted, untracked but not ignored) with what is on disk now. Ignored files are not
 * looked at.
 */
async function gitTreeHash(cwd: string, root: string, prefix: string, limits: Limits): Promise<TreeHash> {
  const hash = createHash('sha256').update('git\0');
  const head = await git(cwd, ['rev-parse', '-q', '--verify', `HEAD:${prefix}`]);
  hash.update(`${head.code === 0 ? head.stdout.trim() : 'none'}\0`);
  const status = await git(cwd, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--', '.']);
  if (status.code !== 0) return { skipped: `git status failed: ${status.stderr.trim().slice(0, 500)}` };
  const fields = status.stdout.split('\0').filter(Boolean);
  const budget = { files: 0, bytes: 0 };
  for (let i = 0; i < fields.length; i++) {
    const code = fields[i].slice(0, 2);
    const name = fields[i].slice(3);
    // A rename or copy names where it came from next.
    if (code.includes('R') || code.includes('C')) hash.update(`from ${fields[++i]}\0`);
    hash.update(`${code} ${name}\0`);
    const over = await addFile(hash, path.join(root, name), budget, limits);
    if (over) return { skipped: over };
  }
  return { hash: hash.digest('hex') };
}

type Limits = { maxFiles: number; maxBytes: number };
type Hash = ReturnType<typeof createHash>;

/** A file's content (a link: where it points; gone: said so) into the hash, within the budget. */
async function addFile(
  hash: Hash,
  at: string,
  budget: { files: number; bytes: number },
  limits: Limits,
): Promise<string | undefined> {
  if (++budget.files > limits.maxFiles) return `more than ${limits.maxFiles} files to hash`;
  const s = await lstat(at).catch(() => undefined);
  if (!s) return void hash.update('gone\0');
  if (s.isSymbolicLink()) return void hash.update(`link ${await readlink(at)}\0`);
  if (!s.isFile()) return void hash.update(`${s.isDirectory() ? 'dir' : 'other'}\0`);
  budget.bytes += s.size;
  if (budget.bytes > limits.maxBytes) return `more than ${limits.maxBytes / 2 ** 20} MB to hash`;
  const content = await readFile(at);
  hash.update(`file ${content.length} ${s.mode & 0o111 ? 'x' : '-'}\0`).update(content);
  return undefined;
}

/** Outside git: every file's path and content, in order, within the bounds. */
async function directoryHash(cwd: string, limits: Limits): Promise<TreeHash> {
  const hash = createHash('sha256').update('dir\0');
  const budget = { files: 0, bytes: 0 };
  const walk = async (rel: string): Promise<string | undefined> => {
    const entries: Dirent[] = await readdir(path.join(cwd, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const name = rel ? `${rel}/${e.name}` : e.name;
      // Copy-mode members' copies (src/domain/copies.ts) are their work, not the tree read.
      if (!rel && e.name === COPIES_DIR) continue;
      hash.update(`${name}\0`);
      const over = !e.isDirectory()
        ? await addFile(hash, path.join(cwd, name), budget, limits)
        : ++budget.files > limits.maxFiles
          ? `more than ${limits.maxFiles} files to hash`
          : await walk(name);
      if (over) return over;
    }
    return undefined;
  };
  try {
    const over = await walk('');
    return over ? { skipped: over } : { hash: hash.digest('hex') };
  } catch (err) {
    return { skipped: `could not read ${cwd}: ${(err as Error).message}` };
  }
}
