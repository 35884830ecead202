/**
 * The writable places a sandboxed command has besides its working directory (`/tmp`,
 * `/var/tmp`, `$HOME`, `/dev/shm`), as directories on disk made for one call and removed
 * after it. On disk rather than in memory: a tmpfs is RAM that no limit of ours caps where
 * the worker cannot make a memory cgroup, and a command could fill it. On disk they are
 * bounded like the working directory is, by the per-file size limit.
 */
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Scratch {
  /** Host paths bound into the sandbox. */
  tmp: string;
  home: string;
  shm: string;
  remove(): Promise<void>;
}

export async function makeScratch(): Promise<Scratch> {
  // Private to the worker's user: what a command leaves there is no one else's to reach.
  const root = path.join(os.tmpdir(), `orchestra-sandbox-${randomUUID().slice(0, 12)}`);
  await mkdir(root, { mode: 0o700 });
  const [tmp, home, shm] = ['tmp', 'home', 'shm'].map((d) => path.join(root, d));
  await Promise.all([tmp, home, shm].map((d) => mkdir(d, { mode: 0o700 })));
  return { tmp, home, shm, remove: () => removeTree(root) };
}

/**
 * Removed even where the command took its own permissions away (`chmod 0 dir`), which stops
 * a non-root worker's rm. The sandbox is dead by then, so nothing swaps a path meanwhile;
 * chmod -R changes no link's target.
 */
async function removeTree(root: string): Promise<void> {
  try {
    await rm(root, { recursive: true, force: true });
  } catch {
    await new Promise<void>((resolve) => execFile('chmod', ['-R', 'u+rwX', root], () => resolve()));
    await rm(root, { recursive: true, force: true }).catch(() => undefined);
  }
}
