/**
 * A process cap that holds for root too. `ulimit -u` counts a user's processes, and the
 * kernel never applies it to root, so a worker running as root caps a sandbox with a pids
 * cgroup instead: one per command, under the worker's own cgroup, where that is writable
 * (cgroup v1's pids hierarchy, or v2 with the pids controller delegated). Elsewhere the
 * cap is `ulimit -u` alone, which holds for any other user.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rmdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Runtime } from '@temporalio/worker';

const ROOT = '/sys/fs/cgroup';

export interface PidsCgroup {
  /** The file a process writes its pid to, to join the cgroup with everything it starts after. */
  procs: string;
  remove(): Promise<void>;
}

/** Where this process's pids cgroup is, if any: v1's pids hierarchy, else the unified one. */
function ownPidsDir(): string | undefined {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch {
    return undefined;
  }
  for (const line of lines) {
    const [, controllers, where] = line.split(':');
    if (controllers?.split(',').includes('pids') && existsSync(path.join(ROOT, 'pids'))) {
      return path.join(ROOT, 'pids', where);
    }
  }
  const unified = lines.find((l) => l.startsWith('0::'));
  return unified && existsSync(path.join(ROOT, 'cgroup.controllers'))
    ? path.join(ROOT, unified.slice(3))
    : undefined;
}

/** Whether a root worker was already told its commands run without a process cap. */
let warned = false;

/**
 * A fresh cgroup capped at `max` processes, or undefined when this worker cannot make one now.
 * A failure holds for this command only: the next one tries again (a mkdir costs nothing,
 * and a cap lost for good to one transient error would be worse).
 */
export async function createPidsCgroup(max: number): Promise<PidsCgroup | undefined> {
  const parent = ownPidsDir();
  if (!parent) return uncapped('no pids cgroup is mounted here');
  const dir = path.join(parent, `orchestra-${randomUUID().slice(0, 12)}`);
  try {
    await mkdir(dir);
  } catch (err) {
    return uncapped(`cannot make ${dir}: ${(err as Error).message}`);
  }
  try {
    await writeFile(path.join(dir, 'pids.max'), String(max));
  } catch (err) {
    // The pids controller is not enabled below this cgroup, or the write failed.
    await rmdir(dir).catch(() => undefined);
    return uncapped(`cannot write ${dir}/pids.max: ${(err as Error).message}`);
  }
  return {
    procs: path.join(dir, 'cgroup.procs'),
    async remove() {
      // The pid namespace is gone by now; the kernel may take a moment to let go of its last task.
      for (let i = 0; i < 20; i += 1) {
        try {
          await rmdir(dir);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
}

/** No cgroup: for a root worker, whom `ulimit -u` does not bind, say so once. */
function uncapped(reason: string): undefined {
  if (process.getuid?.() === 0 && !warned) {
    warned = true;
    Runtime.instance().logger.warn(
      `bash runs without a process cap: this worker runs as root, which ulimit -u does not ` +
        `limit, and it cannot make a pids cgroup (${reason}). Run workers as an ordinary user.`,
    );
  }
  return undefined;
}
