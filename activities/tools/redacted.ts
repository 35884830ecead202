/**
 * A tool whose output passes the secrets redactor before it leaves the worker, when the
 * agent asks for it: what a tool returns is written to the history as it is.
 */
import { redactSecrets, type ToolOutcome } from '../../src/domain';

export function redacted<I extends { redact?: { patterns: string[] } }>(
  tool: (input: I) => Promise<ToolOutcome>,
): (input: I) => Promise<ToolOutcome> {
  return async (input) => {
    const outcome = await tool(input);
    if (!input.redact) return outcome;
    const patterns = input.redact.patterns;
    return outcome.ok
      ? { ...outcome, output: redactSecrets(outcome.output, patterns).text }
      : { ok: false, error: redactSecrets(outcome.error, patterns).text };
  };
}
