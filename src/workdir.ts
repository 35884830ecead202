/**
 * Which directories an agent may work in. The file tools run in the worker, outside the bash
 * sandbox, and reach everything under the working directory: a cwd of `/`, `/proc/self` or
 * `/etc` would hand them the worker's environment and the machine's secrets. So a cwd is
 * refused when it is a system directory, lies outside ORCHESTRA_WORKSPACE_ROOTS (when set),
 * or resolves elsewhere than where it was checked (a directory swapped for a link since).
 * Checked where an agent, swarm or session starts (a clear 400) and again by every tool call.
 */
import { realpathSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { BadRequestError } from './temporal/errors';

/** System trees no agent works in: kernel interfaces, devices, boot files, configuration. */
const SYSTEM_DIRS = ['/proc', '/sys', '/dev', '/run', '/boot', '/etc', '/var/run'];

/** A bad request where an agent starts (the API's 400); a tool error where a tool runs. */
export class WorkdirError extends BadRequestError {}

/** ORCHESTRA_WORKSPACE_ROOTS: the directories agents' working directories must lie under. */
export function workspaceRoots(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const raw = env.ORCHESTRA_WORKSPACE_ROOTS?.trim();
  if (!raw) return undefined;
  const roots = raw
    .split(/[:,]/)
    .map((r) => r.trim())
    .filter(Boolean);
  for (const root of roots)
    if (!path.isAbsolute(root))
      throw new WorkdirError(`ORCHESTRA_WORKSPACE_ROOTS: "${root}" is not absolute`);
  return roots.map((root) => realpathSync.native(root));
}

const under = (dir: string, root: string) =>
  dir === root || dir.startsWith(root.endsWith('/') ? root : `${root}/`);

/** Why `real` (a resolved path) cannot be a working directory, or undefined when it can. */
export function workdirRefusal(real: string, roots = workspaceRoots()): string | undefined {
  if (real === '/') return 'the root directory cannot be a working directory';
  const system = SYSTEM_DIRS.find((dir) => under(real, dir));
  if (system) return `${real} is under ${system}, a system directory`;
  if (roots && !roots.some((root) => under(real, root)))
    return `${real} is outside ORCHESTRA_WORKSPACE_ROOTS (${roots.join(', ')})`;
  return undefined;
}

/** The working directory as it resolves, checked: where an agent starts. */
export function resolveWorkdir(cwd: string): string {
  if (!path.isAbsolute(cwd)) throw new WorkdirError(`cwd must be an absolute path, got "${cwd}"`);
  let real: string;
  try {
    real = realpathSync.native(cwd);
  } catch {
    throw new WorkdirError(`cwd ${cwd} is not an existing directory`);
  }
  if (!statSync(real).isDirectory()) throw new WorkdirError(`cwd ${cwd} is not a directory`);
  const refusal = workdirRefusal(real);
  if (refusal) throw new WorkdirError(`cwd refused: ${refusal}`);
  return real;
}

/**
 * The same check at every tool call, plus: the directory still resolves to itself. Agents
 * start with their cwd resolved, so a difference means a directory on the way was swapped for
 * a link since (another agent, working in a parent directory, can do that).
 */
export function checkWorkdir(cwd: string): string {
  const real = resolveWorkdir(cwd);
  if (real !== path.resolve(cwd))
    throw new WorkdirError(`refused: the working directory ${cwd} now resolves to ${real}`);
  return real;
}
