/**
 * The agent's messages. Each control request is a signal, so that `temporal workflow signal
 * --name pause` and the Web UI can send it with no SDK, and an Update of the same name, so
 * that the CLI and the API hear whether it was taken (workflows/control-handlers.ts); the
 * payload is `unknown` because the workflow validates it itself. Swarms and sessions take
 * pause, resume and cancel the same way.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ControlAnswer,
  AgentEvent,
  AgentStatusView,
  ConversationMessage,
  ModelContext,
  PendingApproval,
} from '../../src/domain';

export const pauseSignal = defineSignal<[unknown?]>('pause');
export const resumeSignal = defineSignal<[unknown?]>('resume');
export const cancelSignal = defineSignal<[unknown?]>('cancel');
export const messageSignal = defineSignal<[unknown?]>('message');
/** `{ callId, decision: 'allow' | 'deny', note? }`: answers a pending approval. */
export const approveSignal = defineSignal<[unknown?]>('approve');

export const pauseUpdate = defineUpdate<ControlAnswer, [unknown]>('pause');
export const resumeUpdate = defineUpdate<ControlAnswer, [unknown]>('resume');
export const cancelUpdate = defineUpdate<ControlAnswer, [unknown]>('cancel');
export const messageUpdate = defineUpdate<ControlAnswer, [unknown]>('message');
export const approveUpdate = defineUpdate<ControlAnswer, [unknown]>('approve');

export const statusQuery = defineQuery<AgentStatusView>('status');
/** `events` takes `{ after?, limit? }` and returns the events with a greater seq. */
export const eventsQuery = defineQuery<AgentEvent[], [unknown?]>('events');
export const transcriptQuery = defineQuery<ConversationMessage[]>('transcript');
/** The agent's pending approvals (also in `status`, as `pendingApprovals`). */
export const approvalsQuery = defineQuery<PendingApproval[]>('approvals');
/**
 * Internal: the system prompt and the whole conversation, for a model worker that does not
 * hold the agent's context (another worker, or one that restarted). Model calls carry only
 * what is new since the last call.
 */
export const modelContextQuery = defineQuery<ModelContext>('modelContext');

/** Each control request's two ways in: the signal and the Update of the same name. */
export const CONTROL_CHANNELS = {
  pause: { signal: pauseSignal, update: pauseUpdate },
  resume: { signal: resumeSignal, update: resumeUpdate },
  cancel: { signal: cancelSignal, update: cancelUpdate },
  message: { signal: messageSignal, update: messageUpdate },
  approve: { signal: approveSignal, update: approveUpdate },
} as const;
