/**
 * Control requests for agents, swarms and sessions alike: check the transition against the
 * current status, so the caller gets a clear refusal, then send the signal. The workflow
 * checks again: a race still changes nothing.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { refusalReason, type AgentStatus, type ControlAction } from '../domain';
import { cancelSignal, messageSignal, pauseSignal, resumeSignal } from '../../workflows/agent/definitions';
import { InvalidTransitionError } from './errors';

const SIGNALS = {
  pause: pauseSignal,
  resume: resumeSignal,
  cancel: cancelSignal,
  message: messageSignal,
} as const;

export async function sendControl<V extends { status: AgentStatus }>(
  what: 'agent' | 'swarm' | 'session',
  action: ControlAction,
  payload: object,
  current: () => Promise<V>,
  handle: () => WorkflowHandle,
): Promise<V> {
  const before = await current();
  const refusal = refusalReason(action, before.status, what);
  if (refusal) throw new InvalidTransitionError(refusal);
  await handle().signal(SIGNALS[action], payload);
  return before;
}
