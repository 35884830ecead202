/**
 * What the workflow's own queries cannot say, read from the server's description of it:
 * who owns it, whether work it waits on has gone silent (stale), and the partial text of
 * a model call in flight (from its heartbeats).
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type TypedSearchAttributes } from '@temporalio/common';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { staleness, type ModelProgress, type PendingWork, type Staleness } from '../domain';
import {
  OrchestraAgentKind,
  OrchestraOwner,
  OrchestraParentId,
  OrchestraSessionId,
  OrchestraStatus,
  OrchestraSwarmId,
  OrchestraWorkspace,
} from '../domain/search-attributes';
import { known } from './errors';
import { listPage, memoStrings, quote } from './visibility';

const { PendingActivityState, PendingWorkflowTaskState } = temporal.api.enums.v1;

export interface Inspection {
  workflowId: string;
  /** The run described: the latest of the workflow id. */
  runId: string;
  workspace?: string;
  owner?: string;
  kind?: string;
  /** The OrchestraStatus search attribute. */
  status?: string;
  /** What else its search attributes and memo say: a view of it when no worker answers. */
  sessionId?: string;
  swarmId?: string;
  parentId?: string;
  name?: string;
  /** As it started, clipped (the memo's). */
  task?: string;
  /** Temporal's own: RUNNING, COMPLETED, ... */
  temporalStatus: string;
  /** Events in the run's history (a description's; a location has none): unchanged, nothing happened in it since. */
  historyLength?: number;
  staleness: Staleness;
  /** The model call in flight, if any: its attempt and the partial text its heartbeats carry. */
  modelCall?: { activityId: string; attempt: number; progress?: ModelProgress };
}

/** What the visibility store says of a run: an inspection without what only a description has. */
export type Location = Omit<Inspection, 'staleness' | 'modelCall' | 'historyLength'>;

/** What a run's search attributes and memo say of it (where it belongs, its name and task), described or listed alike. */
export function recorded(sa: TypedSearchAttributes, memo: Record<string, unknown> | undefined) {
  return {
    workspace: sa.get(OrchestraWorkspace),
    owner: sa.get(OrchestraOwner),
    kind: sa.get(OrchestraAgentKind),
    status: sa.get(OrchestraStatus),
    sessionId: sa.get(OrchestraSessionId),
    swarmId: sa.get(OrchestraSwarmId),
    parentId: sa.get(OrchestraParentId),
    ...memoStrings(memo, ['name', 'task']),
  };
}

const iso = (ts: Parameters<typeof optionalTsToDate>[0]) => optionalTsToDate(ts)?.toISOString();

export async function inspectWorkflow(
  client: Client,
  workflowId: string,
  notFound: () => Error,
  staleAfterMs: number,
): Promise<Inspection> {
  const description = await known(notFound, () => client.workflow.getHandle(workflowId).describe());
  const { pendingWorkflowTask } = description.raw;
  const pendingActivities = description.raw.pendingActivities ?? [];
  const running = description.status.name === 'RUNNING';
  const pending: PendingWork[] = pendingActivities.map((a) => ({
    name: a.activityType?.name ?? 'activity',
    state:
      a.state === PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
        ? 'started'
        : a.state === PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED
          ? 'scheduled'
          : 'other',
    times: [
      iso(a.scheduledTime),
      iso(a.lastStartedTime),
      iso(a.lastHeartbeatTime),
      iso(a.lastAttemptCompleteTime),
    ],
  }));
  if (pendingWorkflowTask) {
    pending.push({
      name: 'workflow task',
      state:
        pendingWorkflowTask.state === PendingWorkflowTaskState.PENDING_WORKFLOW_TASK_STATE_STARTED
          ? 'started'
          : 'scheduled',
      times: [iso(pendingWorkflowTask.scheduledTime), iso(pendingWorkflowTask.startedTime)],
    });
  }
  const model = pendingActivities.find((a) => a.activityType?.name === 'callModel');
  return {
    workflowId,
    runId: description.runId,
    ...recorded(description.typedSearchAttributes, description.memo),
    temporalStatus: description.status.name,
    historyLength: description.historyLength,
    staleness: running ? staleness(pending, Date.now(), staleAfterMs) : { stale: false },
    modelCall: model && {
      activityId: model.activityId ?? '',
      attempt: model.attempt ?? 1,
      progress: decodeProgress(model.heartbeatDetails?.payloads?.[0]),
    },
  };
}

export function decodeProgress(
  payload: temporal.api.common.v1.IPayload | undefined,
): ModelProgress | undefined {
  if (!payload) return undefined;
  try {
    const value = defaultPayloadConverter.fromPayload<ModelProgress>(payload);
    return typeof value?.text === 'string' && typeof value.chars === 'number' ? value : undefined;
  } catch {
    return undefined; // an older worker's heartbeat: no text to show
  }
}

/**
 * The latest run of a workflow id, from the visibility store: no pending work (so no
 * staleness), but it answers in tens of milliseconds when a loaded server's descriptions
 * take seconds (they wait for the workflow's lock). Undefined until the store has the run.
 */
export async function locateWorkflow(client: Client, workflowId: string): Promise<Location | undefined> {
  const { items } = await listPage(client, `WorkflowId = ${quote(workflowId)}`, 10);
  const run = items.find((wf) => wf.status.name === 'RUNNING') ?? items[0];
  if (!run) return undefined;
  return {
    workflowId,
    runId: run.runId,
    ...recorded(run.typedSearchAttributes, run.memo),
    temporalStatus: run.status.name,
  };
}
