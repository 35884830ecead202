/**
 * Opening files so that an agent cannot turn the file tools against the worker.
 *
 * - Open first, then check what was opened. A path is walked one component at a time from
 *   a descriptor of the working directory, each component opened with O_NOFOLLOW relative
 *   to the descriptor of the one before (on Linux through /proc/self/fd/<dir>/<name>, which
 *   is openat(2) for Node). A symbolic link anywhere on the path is refused, and swapping a
 *   directory for a link while a tool runs changes nothing: the next step starts from the
 *   descriptor already held, never from the name again.
 * - O_NONBLOCK: opening a FIFO returns at once instead of parking a libuv thread for ever
 *   (and for writing, fails with ENXIO). It has no effect on regular files, so it stays set.
 * - fstat on the descriptor: only regular files are read or written, and only those with one
 *   name (a hard link's other name may be outside the working directory, and we cannot tell).
 * - The descriptor's real path (readlink /proc/self/fd/<fd>) must lie inside the real path of
 *   the working directory: a directory moved out while it was held is caught here.
 * Reads and writes then go through that descriptor. Off Linux (no /proc/self/fd) the walk goes
 * by name, still component by component with O_NOFOLLOW and the same fstat checks, but a race
 * between two components is not closed there.
 */
import { constants, existsSync, type Dirent, type Stats } from 'node:fs';
import { mkdir, open, readdir, readlink, unlink, type FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { checkWorkdir, WorkdirError } from '../../src/workdir';
import { pathParts, shownPath, ToolError } from './sandbox';

const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd') ? '/proc/self/fd' : undefined;
const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } =
  constants;
const SAFE = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;

interface Root {
  /** The working directory as the agent was given it (errors are shown relative to it). */
  cwd: string;
  /** Its real path: everything opened must lie under it. */
  real: string;
}

/** A directory held open; what is under it is reached through its descriptor. */
export interface Dir {
  handle: FileHandle;
  root: Root;
  /** Its path relative to the working directory ("." for the directory itself). */
  shown: string;
}

/** A regular file with one name, opened and checked. */
export interface OpenFile {
  handle: FileHandle;
  stats: Stats;
  shown: string;
}

/** read: O_RDONLY. update: O_RDWR, the file must exist. write: O_WRONLY, created if missing (parents too). */
export type FileMode = 'read' | 'update' | 'write';

export type Entry = { kind: 'dir'; dir: Dir } | { kind: 'file'; file: OpenFile };

/** Open `relative` under `cwd` as a regular file. The caller closes `handle`. */
export async function openFile(cwd: string, relative: string, mode: FileMode): Promise<OpenFile> {
  const { parent, name } = await walk(cwd, relative, mode === 'write');
  try {
    if (name === undefined) throw fsError('EISDIR', parent.root, parent.shown);
    return await openFileIn(parent, name, mode);
  } finally {
    await parent.handle.close();
  }
}

/** Open `relative` under `cwd` as what it is: a directory, or a regular file to read. */
export async function openEntry(cwd: string, relative: string): Promise<Entry> {
  const { parent, name } = await walk(cwd, relative, false);
  if (name === undefined) return { kind: 'dir', dir: parent };
  const shown = shownPath(parent.shown, name);
  let handle: FileHandle | undefined;
  try {
    handle = await openAt(parent, name, O_RDONLY);
    const stats = await checked(handle, parent.root, shown, 'any');
    return stats.isDirectory()
      ? { kind: 'dir', dir: { handle, root: parent.root, shown } }
      : { kind: 'file', file: { handle, stats, shown } };
  } catch (err) {
    await handle?.close();
    throw err;
  } finally {
    await parent.handle.close();
  }
}

/** Open the file `name` in `dir` (see `openFile`). */
export async function openFileIn(dir: Dir, name: string, mode: FileMode): Promise<OpenFile> {
  let handle: FileHandle | undefined;
  let created = false;
  if (mode === 'write') {
    // Create with O_EXCL first: it never follows a link, and tells us the file is ours to remove.
    handle = await openAt(dir, name, O_WRONLY | O_CREAT | O_EXCL, 0o666).catch((err: unknown) => {
      if (errnoOf(err) === 'EEXIST') return undefined;
      throw err;
    });
    created = handle !== undefined;
  }
  handle ??= await openAt(dir, name, mode === 'read' ? O_RDONLY : mode === 'update' ? O_RDWR : O_WRONLY);
  const shown = shownPath(dir.shown, name);
  try {
    return { handle, stats: await checked(handle, dir.root, shown, 'file'), shown };
  } catch (err) {
    await handle.close();
    if (created) await unlink(at(dir, name)).catch(() => undefined);
    throw err;
  }
}

/** Open the subdirectory `name` of `dir`, making it first when `create` and it is missing. */
export async function openDirIn(dir: Dir, name: string, create = false): Promise<Dir> {
  let handle: FileHandle;
  try {
    handle = await openAt(dir, name, O_RDONLY);
  } catch (err) {
    if (!create || errnoOf(err) !== 'ENOENT') throw err;
    await mkdir(at(dir, name)).catch((e: unknown) => {
      if (errnoOf(e) !== 'EEXIST') throw explain(e, dir, name);
    });
    handle = await openAt(dir, name, O_RDONLY);
  }
  const shown = shownPath(dir.shown, name);
  try {
    if (!(await handle.stat()).isDirectory()) throw fsError('ENOTDIR', dir.root, shown);
    await checked(handle, dir.root, shown, 'any');
    return { handle, root: dir.root, shown };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** The entries of a directory held open, as readdir gives them (types from the directory, nothing followed). */
export function entriesOf(dir: Dir): Promise<Dirent[]> {
  const where = PROC_FD ? `${PROC_FD}/${dir.handle.fd}` : path.join(dir.root.real, dir.shown);
  return readdir(where, { withFileTypes: true });
}

/** The working directory as it resolves, if it may be one (src/workdir.ts): a tool error if not. */
function workdir(cwd: string): string {
  try {
    return checkWorkdir(cwd);
  } catch (err) {
    if (err instanceof WorkdirError) throw new ToolError(err.message);
    throw err;
  }
}

/** The working directory opened, then every component of `relative` but the last. */
async function walk(cwd: string, relative: string, create: boolean): Promise<{ parent: Dir; name?: string }> {
  const parts = pathParts(relative);
  const real = workdir(cwd);
  const root = { cwd, real };
  let dir: Dir = { handle: await open(real, O_RDONLY | O_DIRECTORY), root, shown: '.' };
  try {
    for (const part of parts.slice(0, -1)) {
      const next = await openDirIn(dir, part, create);
      await dir.handle.close();
      dir = next;
    }
  } catch (err) {
    await dir.handle.close();
    throw err;
  }
  return { parent: dir, name: parts.at(-1) };
}

/** What `handle` is, refused unless it is a directory (for 'any') or a regular file with one name, inside. */
async function checked(handle: FileHandle, root: Root, shown: string, want: 'any' | 'file'): Promise<Stats> {
  const stats = await handle.stat();
  if (stats.isDirectory()) {
    if (want === 'file') throw fsError('EISDIR', root, shown);
  } else if (!stats.isFile()) {
    throw new ToolError(`refused: "${shown}" is not a regular file (a FIFO, socket or device)`);
  } else if (stats.nlink > 1) {
    throw new ToolError(
      `refused: "${shown}" has ${stats.nlink} hard links; another of its names may be outside the working directory`,
    );
  }
  if (PROC_FD) {
    const real = await readlink(`${PROC_FD}/${handle.fd}`);
    const inside = path.relative(root.real, real);
    if (inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
      throw new ToolError(`refused: "${shown}" is not inside the working directory`);
    }
  }
  return stats;
}

/** The path that reaches `name` through the descriptor of `dir`. */
function at(dir: Dir, name: string): string {
  return PROC_FD ? `${PROC_FD}/${dir.handle.fd}/${name}` : path.join(dir.root.real, dir.shown, name);
}

async function openAt(dir: Dir, name: string, flags: number, mode?: number): Promise<FileHandle> {
  try {
    return await open(at(dir, name), flags | SAFE, mode);
  } catch (err) {
    throw explain(err, dir, name);
  }
}

/** A failure told with the agent's path, not the /proc one it was reached by. */
function explain(err: unknown, dir: Dir, name: string): Error {
  const shown = shownPath(dir.shown, name);
  const code = errnoOf(err);
  if (code === 'ELOOP') return new ToolError(`refused: "${shown}" is a symbolic link`);
  if (code === 'ENXIO') return new ToolError(`refused: "${shown}" is not a regular file (a FIFO or socket)`);
  return code ? fsError(code, dir.root, shown) : (err as Error);
}

function fsError(code: string, root: Root, shown: string): Error {
  return Object.assign(new Error(`${code}: ${shown}`), { code, path: path.join(root.cwd, shown) });
}

function errnoOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined; // not ERR_INVALID_ARG_...
}
