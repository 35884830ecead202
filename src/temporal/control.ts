/**
 * Control requests for agents, swarms and sessions alike, and answers to approvals: sent as
 * Updates, so the workflow itself takes or refuses each one at the moment it applies, and the
 * caller hears which (a refusal is an InvalidTransitionError: the API's 409).
 *
 * An Update needs a worker to answer it. When none answers within the wait (the fleet is down,
 * or restarting), the request goes again as a signal, which Temporal keeps until a worker
 * runs the workflow: the caller hears that it is queued, not that it was taken. Should the
 * first attempt be taken later too, the workflow sees the same request twice: a second pause,
 * resume or cancel is refused by the status, a second answer to an approval finds it
 * answered, and a message carries a request id the agent reads once.
 */
import { randomUUID } from 'node:crypto';
import {
  isGrpcDeadlineError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ControlRejection, refusalReason, type AgentStatus, type ControlAction } from '../domain';
import { CONTROL_CHANNELS } from '../../workflows/protocol';
import { BadRequestError, InvalidTransitionError } from './errors';
import { OrchestraStatus } from '../domain/search-attributes';

/** How long a caller waits for a worker to take a request before it is queued as a signal. */
export const CONTROL_WAIT_MS = 4_000;

export interface ControlSent {
  /** The status when the request was taken (or, queued, the last one known). */
  status: AgentStatus;
  /** The status right after it was taken; absent when queued. */
  after?: AgentStatus;
  /** No worker answered in time: the request waits as a signal and applies when one runs the workflow. */
  queued?: true;
}

export async function sendControl(
  what: 'agent' | 'swarm' | 'session',
  action: ControlAction | 'approve',
  payload: object,
  current: () => Promise<{ status: AgentStatus }>,
  handle: () => WorkflowHandle,
  waitMs = CONTROL_WAIT_MS,
): Promise<ControlSent> {
  const h = handle();
  const { update, signal } = CONTROL_CHANNELS[action];
  // A message's id lets the agent read it once, however many ways it arrives.
  const request =
    action === 'message'
      ? { ...payload, requestId: randomUUID() }
      : endsCanceled(action)
        ? { ...payload, temporalCancelFollows: true }
        : payload;
  try {
    const answer = await h.client.connection.withDeadline(Date.now() + waitMs, () =>
      h.executeUpdate(update, { args: [request] }),
    );
    if (endsCanceled(action)) await cancelThroughTemporal(h);
    return { status: answer.before, after: answer.status };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw rejection(err);
    if (err instanceof WorkflowNotFoundError) {
      // It has ended (or never was): the status says which, and why nothing is taken.
      const { status } = await current();
      const refusal = action === 'approve' ? undefined : refusalReason(action, status, what);
      throw new InvalidTransitionError(refusal ?? `cannot ${action}: the ${what} is ${status}`);
    }
    if (!(err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) && !isGrpcDeadlineError(err)) throw err;
  }
  await h.signal(signal, request);
  if (endsCanceled(action)) await cancelThroughTemporal(h);
  // No worker answers queries either: the status the server holds will do.
  const described = await h.describe();
  const status = described.typedSearchAttributes.get(OrchestraStatus) as AgentStatus | undefined;
  return { status: status ?? 'running', queued: true };
}

/**
 * An agent, swarm or session cancelled here ends as Canceled in Temporal, not Completed: the
 * Update carries the reason and says a cancel through Temporal follows, which the workflow
 * waits for.
 */
function endsCanceled(action: string): boolean {
  return action === 'cancel';
}

/** An agent that ended meanwhile (a worker of an older version does not wait) was cancelled all the same. */
async function cancelThroughTemporal(h: WorkflowHandle): Promise<void> {
  await h.cancel().catch((err: unknown) => {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  });
}

export function rejection(err: WorkflowUpdateFailedError): Error {
  const cause = err.cause;
  const message = cause?.message ?? err.message;
  if (cause instanceof ApplicationFailure && cause.type === ControlRejection.badPayload)
    return new BadRequestError(message);
  if (cause instanceof ApplicationFailure && cause.type === ControlRejection.refused)
    return new InvalidTransitionError(message);
  return err;
}
