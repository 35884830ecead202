/**
 * An agent whose run closed before any worker ran it (terminated, or timed out, while it
 * waited in its queue) has no workflow state to query: Temporal refuses the query. Its view is
 * read from what the server holds instead: the start input (config and task) and how it closed.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { LoadedDataConverter } from '@temporalio/common';
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow';
import {
  causeMessages,
  statusView,
  initialAgentState,
  type AgentInput,
  type AgentStatusView,
} from '../domain';

/** Temporal's answer to a query of a run that never had a workflow task. */
export const isNeverRun = (err: unknown): boolean =>
  /closed before WorkflowTaskStarted/i.test(causeMessages(err));

export async function neverRunView(
  handle: WorkflowHandle,
  converter: LoadedDataConverter,
): Promise<AgentStatusView> {
  const [history, described] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const [input] = (await decodeArrayFromPayloads(converter, started?.input?.payloads)) as [AgentInput];
  const at = described.startTime.toISOString();
  const state = input.state ?? initialAgentState(input.task, at);
  // TERMINATED or TIMED_OUT: a cancel or a failure takes a workflow task.
  const how = described.status.name.toLowerCase().replace('_', ' ');
  return statusView(input.config, {
    ...state,
    status: 'failed',
    error: `${how} before a worker started it`,
    updatedAt: described.closeTime?.toISOString() ?? at,
  });
}
