/**
 * The agent's messages. Control requests are signals, not updates, so that
 * `temporal workflow signal --name pause` and the Web UI can send them with no SDK;
 * the payload is `unknown` because the workflow validates it itself.
 */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type {
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
