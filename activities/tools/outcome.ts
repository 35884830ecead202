import * as path from 'node:path';
import { CancelledFailure } from '@temporalio/common';
import type { ToolOutcome } from '../../src/domain';

/** Cap text for the model and the history: keep the head and the tail, say what was cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n… [${text.length - max} chars cut] …\n${text.slice(-half)}`;
}

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** A failure as the model should read it: paths relative to its working directory. */
function describe(cwd: string, err: unknown): string {
  const e = err as { code?: string; path?: string; message?: string };
  if (e.code && ERRNO[e.code])
    return `${ERRNO[e.code]}: ${e.path ? path.relative(cwd, e.path) || '.' : ''}`.trim();
  return typeof e.message === 'string' ? e.message : String(err);
}

/**
 * Run a file tool: any error it meets (missing file, refusal, bad pattern) is an
 * expected outcome the model should see and react to, so it becomes data. A cancellation
 * is not: it goes on, so the activity ends as cancelled.
 */
export async function asOutcome(cwd: string, run: () => Promise<ToolOutcome>): Promise<ToolOutcome> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof CancelledFailure) throw err;
    return { ok: false, error: describe(cwd, err) };
  }
}
