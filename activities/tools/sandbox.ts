/** Confines file tools to the agent's working directory. */
import { lstat } from 'node:fs/promises';
import * as path from 'node:path';

/** An expected tool failure: its message goes back to the model as the tool's error. */
export class ToolError extends Error {}

/**
 * Resolve `relative` inside `root`. Absolute paths, paths that climb out with "..",
 * and paths through a symbolic link are refused, so a tool never reaches outside.
 */
export async function resolveInside(root: string, relative: string): Promise<string> {
  if (path.isAbsolute(relative)) {
    throw new ToolError(
      `refused: "${relative}" is an absolute path; use a path relative to the working directory`,
    );
  }
  const normalized = path.normalize(relative);
  if (normalized === '..' || normalized.startsWith(`..${path.sep}`)) {
    throw new ToolError(`refused: "${relative}" leaves the working directory`);
  }
  const full = path.join(root, normalized);
  let current = root;
  for (const part of path.relative(root, full).split(path.sep).filter(Boolean)) {
    current = path.join(current, part);
    const stat = await lstat(current).catch(() => undefined);
    if (!stat) break; // the rest does not exist yet (a file about to be written)
    if (stat.isSymbolicLink()) {
      throw new ToolError(`refused: "${path.relative(root, current)}" is a symbolic link`);
    }
  }
  return full;
}

/** The path as the model should see it. */
export function display(root: string, full: string): string {
  return path.relative(root, full) || '.';
}
