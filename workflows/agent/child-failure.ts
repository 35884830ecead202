/** Reading a child agent's failure: its result (with metrics) travels in the failure's details. */
import * as wf from '@temporalio/workflow';
import { AGENT_FAILED, type AgentResult } from '../../src/domain';

export function failedResult(err: unknown): AgentResult | undefined {
  const cause = err instanceof wf.ChildWorkflowFailure ? err.cause : undefined;
  if (!(cause instanceof wf.ApplicationFailure) || cause.type !== AGENT_FAILED) return undefined;
  return cause.details?.[0] as AgentResult | undefined;
}

/** What went wrong with a child, for a person: the child's own error where there is one. */
export function childErrorText(err: unknown): string {
  if (err instanceof wf.ChildWorkflowFailure) return err.cause?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}
