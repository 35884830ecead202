/**
 * What an agent is doing right now, between the events it records: the model call or tool in
 * flight, since when, and the model's text so far (from the call's heartbeats, which live in
 * the server's mutable state, not in the history). For a person watching a terminal.
 */
import type { Client } from '@temporalio/client';
import { optionalTsToDate } from '@temporalio/common/lib/time';
import { agentWorkflowId, type ModelProgress } from '../domain';
import { decodeProgress } from './inspect';

export interface InFlight {
  /** The activity: callModel, or a tool's (bash, readFile, ...). */
  activity: string;
  startedAt?: Date;
  attempt: number;
  /** A model call's text so far. */
  progress?: ModelProgress;
}

/** The agent's work in flight, the model call first; undefined when it waits on nothing. */
export async function inFlight(client: Client, agentId: string): Promise<InFlight | undefined> {
  const description = await client.workflow.getHandle(agentWorkflowId(agentId)).describe();
  const pending = description.raw.pendingActivities ?? [];
  const current = pending.find((a) => a.activityType?.name === 'callModel') ?? pending[0];
  if (!current) return undefined;
  return {
    activity: current.activityType?.name ?? 'activity',
    startedAt: optionalTsToDate(current.lastStartedTime) ?? optionalTsToDate(current.scheduledTime),
    attempt: current.attempt ?? 1,
    progress: decodeProgress(current.heartbeatDetails?.payloads?.[0]),
  };
}
