/**
 * Trees as copy mode sees them (activities/copies.ts): walked without following a link, bounded,
 * each file by its content hash and executable bit, each link by its target; and one entry
 * written into place atomically (a temporary file renamed over it).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import * as path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { COPY_LIMITS, CopyFailure, isCopyExcluded, MB, type CopyEntry } from '../src/domain/copies';

export interface Limits {
  maxFiles: number;
  maxBytes: number;
}

const count = z.coerce.number().int().min(1).max(10_000_000);

/** COPY_LIMITS, or ORCHESTRA_COPY_MAX_FILES and ORCHESTRA_COPY_MAX_MB where the worker sets them. */
export function copyLimits(env: NodeJS.ProcessEnv = process.env): Limits {
  const read = (name: string, fallback: number) => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const parsed = count.safeParse(raw);
    if (!parsed.success)
      throw ApplicationFailure.nonRetryable(
        `${name}="${raw}" is not a whole number from 1`,
        CopyFailure.badInput,
      );
    return parsed.data;
  };
  return {
    maxFiles: read('ORCHESTRA_COPY_MAX_FILES', COPY_LIMITS.maxFiles),
    maxBytes: read('ORCHESTRA_COPY_MAX_MB', COPY_LIMITS.maxMb) * MB,
  };
}

export interface Walked {
  /** Path relative to the root → its entry, and the absolute path it was read from. */
  entries: Map<string, { entry: CopyEntry; abs: string }>;
  bytes: number;
}

/** Every file and link under `root` but the excluded, hashed (unless not asked); refused past `limits` with the figures. */
export async function walkTree(root: string, limits: Limits, what: string, hash = true): Promise<Walked> {
  const entries: Walked['entries'] = new Map();
  let bytes = 0;
  const beat = heartbeat();
  const visit = async (rel: string): Promise<void> => {
    const dir = path.join(root, rel);
    for (const name of (await readdir(dir)).sort()) {
      const childRel = rel ? `${rel}/${name}` : name;
      if (isCopyExcluded(childRel)) continue;
      const abs = path.join(dir, name);
      const stats = await lstat(abs);
      if (stats.isDirectory()) {
        await visit(childRel);
        continue;
      }
      // Sockets, fifos and devices are not content: left out.
      if (!stats.isFile() && !stats.isSymbolicLink()) continue;
      if (entries.size + 1 > limits.maxFiles) throw tooBig(what, `more than ${limits.maxFiles} files`);
      bytes += stats.isFile() ? stats.size : 0;
      if (bytes > limits.maxBytes)
        throw tooBig(what, `more than ${Math.round(limits.maxBytes / MB)} MB of files`);
      const entry: CopyEntry =
        hash || stats.isSymbolicLink() ? await entryOf(abs) : { kind: 'file', sha256: '', exec: false };
      entries.set(childRel, { entry, abs });
      beat();
    }
  };
  await visit('');
  return { entries, bytes };
}

function tooBig(what: string, why: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `${what} holds ${why}: too big to copy (ORCHESTRA_COPY_MAX_FILES, ORCHESTRA_COPY_MAX_MB); ` +
      'use isolation "none", or a smaller directory',
    CopyFailure.tooBig,
  );
}

/** The entry at `abs` as it is now; undefined when nothing is there, 'other' for a directory or device. */
export async function entryOf(abs: string): Promise<CopyEntry>;
export async function entryOf(abs: string, missingOk: true): Promise<CopyEntry | 'other' | undefined>;
export async function entryOf(abs: string, missingOk = false): Promise<CopyEntry | 'other' | undefined> {
  const stats = await lstat(abs).catch((err: NodeJS.ErrnoException) => {
    if (missingOk && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) return undefined;
    throw err;
  });
  if (!stats) return undefined;
  if (stats.isSymbolicLink()) return { kind: 'link', target: await readlink(abs) };
  if (!stats.isFile()) return 'other';
  const sha256 = createHash('sha256')
    .update(await readFile(abs))
    .digest('hex');
  return { kind: 'file', sha256, exec: (stats.mode & 0o111) !== 0 };
}

export const sameEntry = (a: CopyEntry | 'other' | undefined, b: CopyEntry | 'other' | undefined): boolean =>
  JSON.stringify(a) === JSON.stringify(b);

/**
 * `to` made what `from` is (a file's bytes and mode, or a link), or removed when `from` is
 * undefined: written beside `scratch` first and renamed over `to`, so a kill leaves either the
 * old entry or the new one, never half a file.
 */
export async function putEntry(from: string | undefined, to: string, scratch: string): Promise<void> {
  if (from === undefined) {
    await rm(to, { force: true });
    return;
  }
  await mkdir(scratch, { recursive: true });
  const temp = path.join(scratch, randomUUID());
  const stats = await lstat(from);
  if (stats.isSymbolicLink()) await symlink(await readlink(from), temp);
  else {
    await writeFile(temp, await readFile(from));
    await chmod(temp, stats.mode & 0o777);
  }
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(temp, to);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** A link or a non-directory on the way from `root` to `rel` (where a write could leave root): its path. */
export async function unsafeParent(root: string, rel: string): Promise<string | undefined> {
  const parts = rel.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const stats = await lstat(path.join(root, ...parts.slice(0, i))).catch(() => undefined);
    if (!stats) return undefined; // missing: made as a directory
    if (!stats.isDirectory()) return parts.slice(0, i).join('/');
  }
  return undefined;
}

/** Heartbeats now and then over a long walk; nothing outside an activity (tests). */
function heartbeat(): () => void {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return () => undefined;
  }
  let last = Date.now();
  return () => {
    if (Date.now() - last < 2000) return;
    last = Date.now();
    ctx.heartbeat();
  };
}
