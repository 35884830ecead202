/**
 * Caps that hold for root too, on processes and on memory: a cgroup of its own per command,
 * under the worker's own cgroup, where that is writable (cgroup v1's pids and memory
 * hierarchies, or v2 with the controllers delegated).
 *
 * - Processes: `ulimit -u` counts a user's processes and the kernel never applies it to root.
 * - Memory: `ulimit -v` caps each process's address space, not what the command holds
 *   resident, nor what it writes into memory-backed files; the memory cgroup caps both
 *   (tmpfs pages are charged to it), and the kernel kills inside the cgroup, not the worker.
 *
 * Elsewhere the caps are the `ulimit`s alone (bwrap.ts).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Runtime } from '@temporalio/worker';

const ROOT = '/sys/fs/cgroup';

export type Controller = 'pids' | 'memory';

export interface CommandCgroup {
  /** The files a process writes its pid to, to join the cgroups with everything it starts after. */
  procs: string[];
  /** The controllers that cap this command. */
  capped: Controller[];
  /** Whether the kernel killed a process of the command for passing the memory cap. */
  outOfMemory(): Promise<boolean>;
  remove(): Promise<void>;
}

export interface CgroupLimits {
  processes: number;
  memoryBytes: number;
}

/** Where this process's cgroup is for `controller`: v1's own hierarchy, else the unified one. */
function ownDir(controller: Controller): { dir: string; v2: boolean } | undefined {
  let lines: string[];
  try {
    lines = readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n');
  } catch {
    return undefined;
  }
  for (const line of lines) {
    const [, controllers, where] = line.split(':');
    if (controllers?.split(',').includes(controller) && existsSync(path.join(ROOT, controller))) {
      return { dir: path.join(ROOT, controller, where), v2: false };
    }
  }
  const unified = lines.find((l) => l.startsWith('0::'));
  return unified && existsSync(path.join(ROOT, 'cgroup.controllers'))
    ? { dir: path.join(ROOT, unified.slice(3)), v2: true }
    : undefined;
}

/** The files that set each limit, in order; those after the first are best effort (swap may be off). */
function limitFiles(controller: Controller, v2: boolean, limits: CgroupLimits): [string, string][] {
  if (controller === 'pids') return [['pids.max', String(limits.processes)]];
  const bytes = String(limits.memoryBytes);
  // No swap either: a cap that spills into swap only slows the host down.
  return v2
    ? [
        ['memory.max', bytes],
        ['memory.swap.max', '0'],
      ]
    : [
        ['memory.limit_in_bytes', bytes],
        ['memory.memsw.limit_in_bytes', bytes],
      ];
}

/** Controllers whose missing cap the worker has already mentioned. */
const warned = new Set<Controller>();

/**
 * Fresh cgroups for one command, with whichever caps this worker can set now, or undefined
 * when it can set none. A failure holds for this command only: the next one tries again (a
 * mkdir costs nothing, and a cap lost for good to one transient error would be worse).
 */
export async function createCommandCgroup(limits: CgroupLimits): Promise<CommandCgroup | undefined> {
  const name = `orchestra-${randomUUID().slice(0, 12)}`;
  // Under v2 both controllers live in one directory: made once, both limits written there.
  const dirs = new Map<string, { v2: boolean; controllers: Controller[] }>();
  for (const controller of ['pids', 'memory'] as const) {
    const own = ownDir(controller);
    if (!own) {
      uncapped(controller, `no ${controller} cgroup is mounted here`);
      continue;
    }
    const dir = path.join(own.dir, name);
    const entry = dirs.get(dir) ?? { v2: own.v2, controllers: [] };
    entry.controllers.push(controller);
    dirs.set(dir, entry);
  }
  const made: string[] = [];
  const capped: Controller[] = [];
  for (const [dir, { v2, controllers }] of dirs) {
    try {
      await mkdir(dir);
    } catch (err) {
      for (const c of controllers) uncapped(c, `cannot make ${dir}: ${(err as Error).message}`);
      continue;
    }
    made.push(dir);
    for (const controller of controllers) {
      const [first, ...rest] = limitFiles(controller, v2, limits);
      try {
        await writeFile(path.join(dir, first[0]), first[1]);
        capped.push(controller);
      } catch (err) {
        // The controller is not enabled below this cgroup, or the write failed.
        uncapped(controller, `cannot write ${dir}/${first[0]}: ${(err as Error).message}`);
        continue;
      }
      for (const [file, value] of rest) await writeFile(path.join(dir, file), value).catch(() => undefined);
    }
  }
  if (!capped.length) {
    await Promise.all(made.map(removeDir));
    return undefined;
  }
  return {
    procs: made.map((dir) => path.join(dir, 'cgroup.procs')),
    capped,
    async outOfMemory() {
      for (const dir of made) {
        // v2: memory.events; v1: memory.oom_control (kernel 4.13 and later).
        for (const file of ['memory.events', 'memory.oom_control']) {
          const text = await readFile(path.join(dir, file), 'utf8').catch(() => '');
          if (Number(/^oom_kill (\d+)/m.exec(text)?.[1] ?? 0) > 0) return true;
        }
      }
      return false;
    },
    remove: () => Promise.all(made.map(removeDir)).then(() => undefined),
  };
}

async function removeDir(dir: string): Promise<void> {
  // The pid namespace is gone by now; the kernel may take a moment to let go of its last task.
  for (let i = 0; i < 20; i += 1) {
    try {
      await rmdir(dir);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * A cap this worker cannot set, said once per controller: without the pids cap a root
 * worker's commands have no process limit at all (`ulimit -u` does not bind root); without
 * the memory cap every worker's commands fall back to the address-space limit.
 */
function uncapped(controller: Controller, reason: string): void {
  const root = process.getuid?.() === 0;
  if (warned.has(controller) || (controller === 'pids' && !root)) return;
  warned.add(controller);
  Runtime.instance().logger.warn(
    controller === 'pids'
      ? `bash runs without a process cap: this worker runs as root, which ulimit -u does not ` +
          `limit, and it cannot make a pids cgroup (${reason}). Run workers as an ordinary user.`
      : `bash runs without a memory cap, only an address-space limit per process: this worker ` +
          `cannot make a memory cgroup (${reason}). Delegate the memory controller to the worker's cgroup.`,
  );
}
