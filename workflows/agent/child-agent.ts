/**
 * An agent as a child workflow, of a swarm or of another agent: starting one, and reading
 * its failure (its result, with metrics, travels in the failure's details).
 */
import * as wf from '@temporalio/workflow';
import { agentWorkflowId, type AgentConfig, type AgentResult } from '../../src/domain/agent';
import type { AgentInput } from '../../src/domain/agent-state';
import { AGENT_FAILED } from '../../src/domain/failures';
import { agentMemo, agentSearchAttributes } from '../../src/domain/search-attributes';

export type AgentChild = wf.ChildWorkflowHandle<(input: AgentInput) => Promise<AgentResult>>;

/**
 * Children that outlive their parent are asked to cancel, not terminated: a parent cancelled
 * through Temporal can close before its children have taken the cancel it passed on, and a
 * terminated child keeps saying "running" in its status forever. (A patch: older runs started
 * theirs with the default, TERMINATE.)
 */
const REQUEST_CANCEL_ON_CLOSE = 'child-agent-request-cancel';

/** Start `config` on `task` as a child agentWorkflow, shown in the Web UI as `summary`. */
export function startChildAgent(config: AgentConfig, task: string, summary: string): Promise<AgentChild> {
  return wf.startChild<(input: AgentInput) => Promise<AgentResult>>('agentWorkflow', {
    workflowId: agentWorkflowId(config.id),
    // Placed on a queue of its own (served by workers elsewhere); else its parent's.
    ...(config.location ? { taskQueue: config.location } : {}),
    ...(wf.patched(REQUEST_CANCEL_ON_CLOSE) ? { parentClosePolicy: 'REQUEST_CANCEL' as const } : {}),
    args: [{ config, task }],
    typedSearchAttributes: agentSearchAttributes(config, task),
    memo: agentMemo(config, task),
    staticSummary: summary,
  });
}

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
