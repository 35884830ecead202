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

const CLOSED_AS: Record<string, string> = {
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed out',
  CANCELLED: 'cancelled',
  FAILED: 'failed',
};

export async function neverRunView(
  handle: WorkflowHandle,
  converter: LoadedDataConverter,
): Promise<AgentStatusView> {
  const [history, described] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const [input] = (await decodeArrayFromPayloads(converter, started?.input?.payloads)) as [AgentInput];
  const at = described.startTime.toISOString();
  const state = input.state ?? initialAgentState(input.task, at);
  const how = CLOSED_AS[described.status.name] ?? described.status.name.toLowerCase();
  return statusView(input.config, {
    ...state,
    status: described.status.name === 'CANCELLED' ? 'cancelled' : 'failed',
    error: `${how} before a worker started it`,
    updatedAt: described.closeTime?.toISOString() ?? at,
  });
}
