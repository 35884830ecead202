/**
 * The messages Orchestra's workflows exchange: every signal, query and Update an agent, a
 * swarm, a session or a cost ledger answers, as the workflows, the activities, the client
 * layer, the API, the CLI and the tests name them. Their payloads are zod schemas in
 * src/domain/protocol-payloads.ts; what each one does, as the Web UI shows it, is in
 * handler-descriptions.ts. A name on the wire means the same on every workflow that answers
 * it, and never changes: histories and `temporal workflow signal --name pause` depend on it.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AgentStatusView } from '../src/domain/agent';
import type { PendingApproval } from '../src/domain/approvals';
import type { AgentEvent, SwarmEvent } from '../src/domain/events';
import type { ConversationMessage } from '../src/domain/messages';
import type { ModelContext } from '../src/domain/model-context';
import type { ChargeAnswer, ControlAnswer, LedgerView } from '../src/domain/protocol-payloads';
import type { SessionView } from '../src/domain/session';
import type { AddedAgent, SwarmClosed } from '../src/domain/swarm-intake';
import type { SwarmOutcome } from '../src/domain/swarm-outcome';
import type { Zone, ZonesView } from '../src/domain/zones';

// ---- control: agents, swarms and sessions ----
//
// Each control request is a signal, so that `temporal workflow signal --name pause` and the
// Web UI can send it with no SDK, and an Update of the same name, so that the CLI and the API
// hear whether it was taken (control-handlers.ts); the payload is `unknown` because the
// workflow validates it itself. Swarms and sessions take pause, resume and cancel the same
// way; message and approve are the agent's.

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

/** Each control request's two ways in: the signal and the Update of the same name. */
export const CONTROL_CHANNELS = {
  pause: { signal: pauseSignal, update: pauseUpdate },
  resume: { signal: resumeSignal, update: resumeUpdate },
  cancel: { signal: cancelSignal, update: cancelUpdate },
  message: { signal: messageSignal, update: messageUpdate },
  approve: { signal: approveSignal, update: approveUpdate },
} as const;

// ---- the agent's queries ----

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

// ---- swarms ----
//
// A swarm answers the same control signals as an agent (`pause`, `resume`, `cancel`) and
// passes them on to its agents.

/**
 * An agent's usage report to its swarm and its session: a signal because an agent cannot
 * wait on its swarm's answer.
 */
export const usageSignal = defineSignal<[unknown]>('usage');
/** An agent's broadcast, for the swarm to pass on to its other agents. */
export const broadcastSignal = defineSignal<[unknown]>('broadcast');
/**
 * A supervisor's delegation, for its swarm to run (a swarm that gives its workers trees of
 * their own); the swarm answers with `delegated` on the supervisor. Signals both ways: neither
 * workflow can wait on the other's answer to an Update.
 */
export const delegateSignal = defineSignal<[unknown]>('delegate');
export const delegatedSignal = defineSignal<[unknown]>('delegated');
export const swarmStatusQuery = defineQuery<SwarmOutcome>('status');
/** The swarm's event log after a sequence number (`{ after?, limit? }`), as the agent's `events`. */
export const swarmEventsQuery = defineQuery<SwarmEvent[], [unknown?]>('events');
/**
 * Add an agent to a running parallel swarm (`{ agent: template }`): an Update, not a signal,
 * because the caller needs the new member's id, or why it was refused (closed, ended, paused,
 * out of maxSubagents, not a parallel swarm, a bad template).
 */
export const addAgentUpdate = defineUpdate<AddedAgent, [unknown]>('addAgent');
/**
 * Close a parallel swarm (`{ reason? }`): it takes no more agents, and ends once the ones it has
 * are done. The same name as the session's `close` signal, which a swarm also takes (the Web UI).
 */
export const closeUpdate = defineUpdate<SwarmClosed, [unknown]>('close');

// ---- sessions: the control signals agents answer too, plus membership and findings ----

/** A client registers each agent or swarm it starts in the session. */
export const joinSignal = defineSignal<[unknown]>('join');
/** An agent's report_finding. */
export const findingSignal = defineSignal<[unknown]>('finding');
/** Close the session: it ends, its members carry on alone. */
export const closeSignal = defineSignal<[unknown?]>('close');
export const sessionStatusQuery = defineQuery<SessionView>('status');

// ---- cost: a session and its workspace's day ledger ----

/**
 * Charging a model call to its session and to its workspace's day. An update, not a
 * signal: the agent needs the new total back to hold its budgets. Its id is the call's,
 * so a retried charge is counted once.
 */
export const chargeUpdate = defineUpdate<ChargeAnswer, [unknown]>('charge');
/** The day ledger's totals (`cost-<workspace>-<day>`). */
export const ledgerQuery = defineQuery<LedgerView>('status');

// ---- zones: a workspace's store (`zones-<workspace>`) ----
//
// Every change is an Update, not a signal: the caller (the dashboard, the CLI) needs the zone
// back, or a refusal it can show (no such zone, a name taken). The Updates' validators check
// the payloads, so a refused change never enters the history.

export const createZoneUpdate = defineUpdate<Zone, [unknown]>('createZone');
export const renameZoneUpdate = defineUpdate<Zone, [unknown]>('renameZone');
/** Answers with the zone as it was, its agents included (they are now in no zone). */
export const deleteZoneUpdate = defineUpdate<Zone, [unknown]>('deleteZone');
/** Answers with every zone whose agents changed. */
export const assignAgentsUpdate = defineUpdate<Zone[], [unknown]>('assignAgents');
export const zonesQuery = defineQuery<ZonesView>('status');
