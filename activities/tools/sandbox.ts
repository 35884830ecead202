/** The rules that confine file tools to the agent's working directory (safe-open.ts enforces them). */
import * as path from 'node:path';

/** An expected tool failure: its message goes back to the model as the tool's error. */
export class ToolError extends Error {}

/**
 * The components of `relative`, checked: absolute paths and paths that climb out with ".."
 * are refused. "." is no components. Links are refused as each component is opened.
 */
export function pathParts(relative: string): string[] {
  if (path.isAbsolute(relative)) {
    throw new ToolError(
      `refused: "${relative}" is an absolute path; use a path relative to the working directory`,
    );
  }
  const normalized = path.normalize(relative);
  if (normalized === '..' || normalized.startsWith(`..${path.sep}`)) {
    throw new ToolError(`refused: "${relative}" leaves the working directory`);
  }
  return normalized.split(path.sep).filter((part) => part && part !== '.');
}

/** The path as the model should see it, from its components below the working directory. */
export function shownPath(parent: string, name?: string): string {
  if (name === undefined) return parent;
  return parent === '.' ? name : `${parent}/${name}`;
}
