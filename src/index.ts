/**
 * The `orchestra` package: the client SDK (`Orchestra`), the errors it throws, and the domain's
 * types. The workers are `orchestra/worker` (`createWorker`).
 */
export { Orchestra, type OrchestraOptions } from './sdk/orchestra';
export { errorCode, OrchestraError, type ErrorCode } from './domain/errors';
export type {
  AgentEvent,
  AgentResult,
  AgentStatus,
  AgentStatusView,
  ConversationMessage,
  PendingApproval,
  SessionView,
  SwarmOutcome,
} from './domain';
export type { AgentListEntry, AgentListFilter } from './temporal/agents';
export type { ControlSent } from './temporal/control';
