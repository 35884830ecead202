/**
 * Workflow stack traces (the Web UI's "Stack Trace" tab, `temporal workflow stack`) cost
 * the SDK a promise hook that captures a stack for every promise workflow code creates: a
 * third or more of the workflow thread's CPU in a fleet of agents. Orchestra's install
 * patches the SDK (patches/, applied by `npm install`) so the hook is installed only when
 * ORCHESTRA_WORKFLOW_STACK_TRACES=on; a stack trace query then answers "not enabled", as
 * the SDK does on runtimes without promise hooks. Turn it on to debug a stuck workflow.
 */
import { readFileSync } from 'node:fs';
import { Runtime } from '@temporalio/worker';

export const STACK_TRACES_ENV = 'ORCHESTRA_WORKFLOW_STACK_TRACES';

/** Whether the installed SDK carries the patch (an app embedding Orchestra may not have applied it). */
export function stackTraceSwitchInstalled(): boolean {
  try {
    const source = require.resolve('@temporalio/worker/lib/workflow/vm-shared');
    return readFileSync(source, 'utf8').includes(STACK_TRACES_ENV);
  } catch {
    return false;
  }
}

let warned = false;

/** Say once per process when the switch is missing: every workflow then pays for stack traces. */
export function warnIfStackTracesForced(): void {
  if (warned || stackTraceSwitchInstalled()) return;
  warned = true;
  Runtime.instance().logger.warn(
    `@temporalio/worker is not patched (patches/ in Orchestra): workflow stack traces stay on, ` +
      `and cost the workflow thread CPU; ${STACK_TRACES_ENV} has no effect`,
  );
}
