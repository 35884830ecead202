/** Every activity, built from the worker's dependencies. Workflows import only the type. */
import { DEFAULTS } from '../src/config';
import { redactSecrets, type OrchestraFile, type ToolOutcome } from '../src/domain';
import { chargeCost, createLookupAgent, readContextFiles } from './governance';
import { createCallModel, type ModelDeps } from './model';
import { bash } from './tools/bash';
import { editFile, listFiles, readFile, writeFile } from './tools/files';
import { grep } from './tools/grep';

export interface ActivityDeps extends ModelDeps {
  /** The config file: the registry the `task` tool's `agent` is looked up in. */
  file?: OrchestraFile;
  /**
   * The model a registry entry without a model or tier rule gets.
   * @default DEFAULTS.ORCHESTRA_MODEL (src/config.ts)
   */
  defaultModel?: string;
}

/**
 * A tool whose output passes the secrets redactor before it leaves the worker, when the
 * agent asks for it: what a tool returns is written to the history as it is.
 */
function redacted<I extends { redact?: { patterns: string[] } }>(
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

export function createActivities(deps: ActivityDeps) {
  return {
    callModel: createCallModel(deps),
    bash: redacted(bash),
    readFile: redacted(readFile),
    writeFile: redacted(writeFile),
    editFile: redacted(editFile),
    listFiles: redacted(listFiles),
    grep: redacted(grep),
    readContextFiles,
    chargeCost,
    /** Does nothing: scheduling it completes the workflow task, so the history catches up (run.ts). */
    checkpoint: async (): Promise<void> => {},
    lookupAgent: createLookupAgent(deps.file ?? {}, deps.defaultModel ?? DEFAULTS.ORCHESTRA_MODEL),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { CallModelInput } from './model';
