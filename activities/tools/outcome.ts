import type { ToolOutcome } from '../../src/domain';

/** Cap text for the model and the history: keep the head and the tail, say what was cut. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n… [${text.length - max} chars cut] …\n${text.slice(-half)}`;
}

/**
 * Run a file tool: any error it meets (missing file, refusal, bad pattern) is an
 * expected outcome the model should see and react to, so it becomes data.
 */
export async function asOutcome(run: () => Promise<ToolOutcome>): Promise<ToolOutcome> {
  try {
    return await run();
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
