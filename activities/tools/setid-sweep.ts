/**
 * Setuid and setgid bits a command left in its working directory, cleared after each call.
 * Inside the sandbox they do nothing (its mounts are nosuid), but the working directory is an
 * ordinary directory of the host: a root worker's command that leaves `chmod 4755 ./rootsh`
 * there hands root to every local user who can reach it.
 *
 * `find` (never following a link, started in the directory held open) lists the files with
 * either bit: it walks 100,000 entries in a fraction of the time Node takes. Each one is then
 * reached again from the descriptor of the working directory, one component at a time with
 * O_NOFOLLOW (/proc/self/fd/<dir>/<name>, openat(2) for Node), and its bits are cleared
 * through a descriptor of the file itself, never by name: a directory swapped for a link in
 * between is refused, not followed.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { chmod, open, type FileHandle } from 'node:fs/promises';

const { O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_NOCTTY } = constants;
const SAFE = O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
/** O_PATH (Linux): a descriptor that only names a file, for one its owner may not read (mode 4111). */
const O_PATH = 0o10000000;
const SETID = 0o6000;

/** How far a sweep goes: a command can leave more than any sweep should handle. */
export interface SweepLimits {
  files: number;
  seconds: number;
}

export const SWEEP_LIMITS: Readonly<SweepLimits> = {
  /** Files with a bit set that are cleared; past them the sweep says it stopped. @default 10000 */
  files: 10_000,
  /** How long `find` may walk, in seconds. @default 60 */
  seconds: 60,
};

export interface SweepResult {
  /** The files whose bits were cleared, relative to the directory. */
  cleared: string[];
  /** What the sweep could not do, when it fell short: files there may keep their bits. */
  incomplete?: string;
}

/** Clear the setuid and setgid bits of the regular files under `root` (a directory held open, or its path). */
export async function clearSetid(root: FileHandle | string, limits = SWEEP_LIMITS): Promise<SweepResult> {
  const dir = typeof root === 'string' ? await open(root, O_RDONLY | O_DIRECTORY) : root;
  try {
    const found = await findSetid(`/proc/${process.pid}/fd/${dir.fd}`, limits);
    const cleared: string[] = [];
    for (const file of found.files) if (await clearAt(dir, file)) cleared.push(file.toString('utf8'));
    return { cleared, ...(found.incomplete ? { incomplete: found.incomplete } : {}) };
  } finally {
    if (dir !== root) await dir.close();
  }
}

/** The files under `dir` with a bit set, as `find` lists them: relative, as raw bytes (any name). */
function findSetid(dir: string, limits: SweepLimits): Promise<{ files: Buffer[]; incomplete?: string }> {
  return new Promise((resolve) => {
    // -P (the default): no link is followed, not even one given as the start.
    const args = ['-P', '.', '(', '-perm', '-4000', '-o', '-perm', '-2000', ')', '-type', 'f', '-print0'];
    // Its cwd is the directory held open: the magic link, resolved as the child starts.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };
    const child = spawn('find', args, { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const files: Buffer[] = [];
    let pending = Buffer.alloc(0);
    let incomplete: string | undefined;
    let stderr = '';
    const stop = (why: string) => {
      incomplete ??= why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => stop(`the search ran past ${limits.seconds}s`), limits.seconds * 1000);
    child.stdout.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (let end = pending.indexOf(0); end >= 0 && !incomplete; end = pending.indexOf(0)) {
        if (files.length >= limits.files) return stop(`more than ${limits.files} such files`);
        const name = pending.subarray(0, end);
        files.push(Buffer.from(name.subarray(name.subarray(0, 2).toString() === './' ? 2 : 0)));
        pending = pending.subarray(end + 1);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 1000) stderr += chunk.toString('utf8');
    });
    const done = () => {
      clearTimeout(timer);
      resolve({ files, ...(incomplete ? { incomplete } : {}) });
    };
    child.on('error', (err) => {
      incomplete ??= `find did not run: ${err.message}`;
      done();
    });
    child.on('close', (code) => {
      if (code !== 0 && code !== null) incomplete ??= `find failed: ${stderr.trim().split('\n')[0]}`;
      done();
    });
  });
}

const SLASH = 0x2f;

/** The components of a relative path in raw bytes, "." left out. */
function components(relative: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= relative.length; i += 1) {
    if (i < relative.length && relative[i] !== SLASH) continue;
    if (i > start) parts.push(relative.subarray(start, i));
    start = i + 1;
  }
  return parts.filter((p) => p.toString() !== '.');
}

/** Reach `relative` from `root`, one component at a time, and clear its bits through its descriptor. */
async function clearAt(root: FileHandle, relative: Buffer): Promise<boolean> {
  const parts = components(relative);
  if (parts.length === 0 || parts.some((p) => p.toString() === '..')) return false;
  const at = (dir: FileHandle, name: Buffer) =>
    Buffer.concat([Buffer.from(`/proc/self/fd/${dir.fd}/`), name]);
  let dir = root;
  try {
    for (const part of parts.slice(0, -1)) {
      // ELOOP or ENOTDIR: swapped for a link or a file since find saw it; not followed.
      const next = await open(at(dir, part), O_RDONLY | O_DIRECTORY | SAFE);
      if (dir !== root) await dir.close();
      dir = next;
    }
    return await clearBits(at(dir, parts[parts.length - 1]));
  } catch {
    return false;
  } finally {
    if (dir !== root) await dir.close().catch(() => undefined);
  }
}

/** Clear the bits of the regular file at `at` (never a link), through a descriptor of it. */
async function clearBits(at: Buffer): Promise<boolean> {
  let handle = await open(at, O_RDONLY | SAFE).catch(() => undefined);
  // One its owner may not read: a descriptor that only names it, and chmod through that.
  const named = !handle;
  handle ??= await open(at, O_PATH | O_NOFOLLOW).catch(() => undefined);
  if (!handle) return false;
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || !(stats.mode & SETID)) return false;
    const mode = stats.mode & 0o7777 & ~SETID;
    await (named ? chmod(`/proc/self/fd/${handle.fd}`, mode) : handle.chmod(mode));
    return true;
  } finally {
    await handle.close();
  }
}
