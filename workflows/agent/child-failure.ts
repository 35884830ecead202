/** Reading a child agent's failure: its result (with metrics) travels in the failure's details. */
import * as wf from '@temporalio/workflow';
import { AGENT_FAILED, type AgentResult } from '../../src/domain';

export function failedResult(err: unknown): AgentResult | undefined {
  const cause = err instanceof wf.ChildWorkflowFailure ? err.cause : undefined;
  if (!(cause instanceof wf.ApplicationFailure) || cause.type !== AGENT_FAILED) return undefined;
  return cause.details?.[0] as AgentResult | undefined;
}
