/**
 * What happens at a step boundary for the history's sake: a checkpoint after a run of
 * local steps, and continue-as-new once the history is long. Both only between steps,
 * with no activity or child in flight.
 */
import * as wf from '@temporalio/workflow';
import type { AgentConfig, AgentResult } from '../../src/domain/agent';
import { checkpointDue, type AgentInput, type AgentState } from '../../src/domain/agent-state';
import type { AgentEventBody } from '../../src/domain/events';
import { runningInBackground } from '../../src/domain/subagent-records';
import { activities, CHECKPOINT } from './activity-options';

/** After a run of local steps: complete the workflow task, so the history records them (agent-state.ts says why). */
export async function checkpointIfDue(state: AgentState): Promise<void> {
  if (checkpointDue(state.local)) await checkpoint(state);
}

/**
 * After a step: a checkpoint when due, and at once when the step's usage report goes to a
 * budgeted swarm: a signal leaves only with the workflow task, so in a run of local steps the
 * swarm would hear of an overspend, and stop it, up to a whole run late. Agents started before
 * this replay without it.
 */
export async function checkpointAfterStep(state: AgentState, reportedToBudget: boolean): Promise<void> {
  if (reportedToBudget && state.local && wf.patched('budget-report-at-once')) return checkpoint(state);
  return checkpointIfDue(state);
}

/** Complete the workflow task now: what it holds reaches the history, and an Update's caller its answer. */
export async function checkpoint(state: AgentState): Promise<void> {
  state.local = undefined;
  // Not a timer: the dev server fires short timers up to a second late.
  await activities(CHECKPOINT, 'checkpoint').checkpoint();
}

export interface ContinueHost {
  readonly input: AgentInput;
  readonly config: AgentConfig;
  readonly state: AgentState;
  record(body: AgentEventBody): void;
  /** Charge what is not charged yet: the next run starts with a clean slate. */
  flush(): Promise<void>;
}

/**
 * Continue as new, carrying the whole state, once Temporal suggests it or the history passes the
 * tuning's limit; not while background subagents run (closing this run would cancel them: they
 * are its children), which their wall clock bounds.
 */
export async function continueAsNewIfLong(host: ContinueHost): Promise<void> {
  const info = wf.workflowInfo();
  if (!info.continueAsNewSuggested && info.historyLength < host.config.tuning.continueAsNewAfterEvents)
    return;
  if (runningInBackground(host.state.children ?? []).length > 0) return;
  host.record({ type: 'continued_as_new', historyLength: info.historyLength });
  await host.flush();
  await wf.condition(wf.allHandlersFinished);
  await wf.continueAsNew<(input: AgentInput) => Promise<AgentResult>>({ ...host.input, state: host.state });
}
