/** What the page reads from the API (the answers of /api/v1, as src/api/schemas.ts describes them). */
import type { PendingApproval } from '../domain/approvals';
import { AGENT_STATUSES, isTerminal, type AgentStatus } from '../domain/status';

export type Status = AgentStatus | 'unknown';

/** A row of the agent list: the list's entry, completed by the agent's own view when the page has read it. */
export interface AgentRow {
  id: string;
  workflowId?: string;
  name?: string;
  task?: string;
  status: Status;
  stale?: boolean;
  kind?: string;
  type?: string;
  sessionId?: string;
  swarmId?: string;
  parentId?: string;
  workspace?: string;
  owner?: string;
  startedAt?: string;
  closedAt?: string;
  costUsd?: number;
  tokens?: { input: number; output: number };
  toolCalls?: number;
  iterations?: number;
  /** When the page last read the agent's own view (GET /agents/:id). */
  detailedAt?: number;
  /** That view was partial: the API answered before the agent's worker did, with what the server knows. */
  viewPartial?: boolean;
  /** What the feed last showed it doing: the model's text as it is written, or a tool call. */
  activity?: Activity;
}

/** An agent's latest doing, from the feed (model_text, tool_call, tool_result, message). */
export interface Activity {
  kind: 'text' | 'tool';
  /** The tail of the text being written, or the tool's name. */
  text: string;
  /** For text: the model call it belongs to and how far into it the text reaches. */
  callId?: string;
  chars?: number;
  /** For a tool: its call id, and whether it has answered (undefined while running). */
  ok?: boolean;
}

/** What the approvals route answers (the agent's own record of it). */
export type { PendingApproval };

export interface Zone {
  id: string;
  name: string;
  directory?: string;
  workspace: string;
  owner?: string;
  agentIds: string[];
}

export interface Entry {
  id: string;
  status: string;
  startedAt: string;
  closedAt?: string;
  workspace?: string;
  owner?: string;
  [key: string]: unknown;
}

/** GET /agents/:id */
export interface AgentView extends AgentRow {
  model?: string;
  cwd?: string;
  result?: string;
  error?: string;
  pausedReason?: string;
  todos?: Array<{ content: string; status: string }>;
  subagents?: string[];
  artifacts?: string[];
  pendingApprovals?: PendingApproval[];
  autonomy?: string;
  profile?: string;
  limits?: Record<string, unknown>;
  depth?: number;
  partial?: string;
  temporalStatus?: string;
  updatedAt?: string;
}

/** A logged event of an agent, as its stream sends it. */
export interface AgentEvent {
  seq: number;
  at: string;
  type: string;
  [key: string]: unknown;
}

/** Statuses an agent (or swarm, or session) may still leave: the domain's, not a copy. */
export const isLive = (s: string): boolean =>
  (AGENT_STATUSES as readonly string[]).includes(s) && !isTerminal(s as AgentStatus);
