/** The agent workflow's input and the state it carries across continue-as-new. */
import { emptyUsage, type AgentConfig, type Usage } from './agent';
import type { EventLog } from './events';
import { emptyEventLog } from './events';
import type { ConversationMessage, TokenUsage } from './messages';
import type { AgentStatus } from './status';
import type { TodoItem } from './tools';
import type { ApprovalAnswer, PendingApproval } from './approvals';
import type { BudgetLevel } from './cost';
import type { ContextFile } from './hooks';
import type { ContextMark } from './model-context';
import type { BranchProgress } from './branch-progress';
import type { SubagentRecord } from './subagent-records';

export interface AgentState {
  status: AgentStatus;
  /** Where resume returns to. */
  statusBeforePause?: AgentStatus;
  pausedReason?: string;
  task: string;
  conversation: ConversationMessage[];
  /** Messages and resume tasks waiting for the next step boundary. */
  inbox: string[];
  /** The model ended its turn and nothing new has arrived since. */
  turnEnded: boolean;
  tokens: TokenUsage;
  toolCalls: number;
  iterations: number;
  startedAt: string;
  updatedAt: string;
  result?: string;
  error?: string;
  todos: TodoItem[];
  artifacts: string[];
  /** Ids of the subagents started so far. */
  subagents: string[];
  /** Every subagent started (task, delegate): its status, and a background one's result. */
  children: SubagentRecord[];
  /** What finished subagents (and theirs) used. */
  descendants: Usage;
  log: EventLog;
  cancel?: { reason?: string; temporalCancelFollows?: boolean };
  /** Tool calls (or budget stops) waiting for a person's word. */
  approvals: PendingApproval[];
  /** Answers that arrived for pending approvals, not yet acted on. */
  answers: Record<string, ApprovalAnswer>;
  /** USD spent on this agent's own model calls. */
  costUsd: number;
  /** Budgets a person has let the agent go past: the level's limit as raised. */
  allowances: Partial<Record<BudgetLevel, number>>;
  /** Warnings already given, as `<level>:<limit>`, so each is given once. */
  warned: string[];
  /** AGENTS.md / README.md of the working directory, read once at the start. */
  contextFiles?: ContextFile[];
  /** Times the current turn was sent back by a session.idle hook. */
  sentBack: number;
  /** The last message request ids read (a message sent twice, as an Update and as a signal, is read once). */
  messageRequests?: string[];
  /** Set once the primary model stayed overloaded: calls go to the fallback. */
  onFallback?: boolean;
  /** Steps run locally since the history last heard from this agent (see `checkpointDue`). */
  local?: LocalRun;
  /** How long the last model call took (ms): a short one lets the next run locally. */
  lastModelMs?: number;
  /**
   * Set once a worker refused a model call outside the model queue (it keeps a fleet-wide
   * rate limit): every later call goes through the model queue.
   */
  localModelOff?: boolean;
  /** What the last model call sent: the model worker holds it, the next call sends only what follows. */
  sent?: ContextMark & { systemDigest: string };
  /** Characters of the conversation as JSON, kept up to date as it grows (maxContextChars). */
  contextChars?: number;
  /** What the tool calls say of its progress (sent with usage reports); absent in agents started before it. */
  progress?: BranchProgress;
  /** What the swarm and the session were last told this agent used, and when. */
  reported?: { at: number; tokens: number; toolCalls: number; status: AgentStatus };
  /** Cost not yet charged to the session and the day, since the model call `from`. */
  uncharged?: { usd: number; from: number };
  /** Workflow time (ms) of the last charge. */
  chargedAt?: number;
  /** The session's and the day's totals as of the last charge. */
  ledgers?: {
    session?: { totalUsd: number; limitUsd?: number };
    day?: { totalUsd: number; day: string };
  };
}

/** What steps on the fast path did since the last server round trip. */
export interface LocalRun {
  steps: number;
  /** Model time, ms. */
  modelMs: number;
  /** Characters of model replies and tool results. */
  chars: number;
}

/**
 * Steps on the fast path run inside one workflow task and reach the history only when it
 * completes; queries and signals wait for it. A checkpoint (a no-op activity) completes it
 * after this much, so what a crash would repeat, what a person waits for (a pause, a
 * status), and the size of one task's completion all stay small: a second of model time,
 * plus the call in flight (a call still running after `localModelCallMs` leaves the task).
 */
export const CHECKPOINT_AFTER: LocalRun = { steps: 10, modelMs: 1_000, chars: 256_000 };

/** The run after one more step: added to when the step was local; a queued model call ends it (a round trip). */
export function afterStep(
  run: LocalRun | undefined,
  step: { local: boolean; modelMs: number; chars: number },
): LocalRun | undefined {
  if (!step.local) return undefined;
  return {
    steps: (run?.steps ?? 0) + 1,
    modelMs: (run?.modelMs ?? 0) + step.modelMs,
    chars: (run?.chars ?? 0) + step.chars,
  };
}

export function checkpointDue(run: LocalRun | undefined): boolean {
  if (!run) return false;
  return (
    run.steps >= CHECKPOINT_AFTER.steps ||
    run.modelMs >= CHECKPOINT_AFTER.modelMs ||
    run.chars >= CHECKPOINT_AFTER.chars
  );
}

export interface AgentInput {
  config: AgentConfig;
  task: string;
  /** Present when the agent continues as new. */
  state?: AgentState;
}

export function initialAgentState(task: string, now: string): AgentState {
  return {
    status: 'idle',
    task,
    conversation: [],
    inbox: [],
    turnEnded: false,
    tokens: { input: 0, output: 0 },
    toolCalls: 0,
    iterations: 0,
    startedAt: now,
    updatedAt: now,
    todos: [],
    artifacts: [],
    subagents: [],
    children: [],
    descendants: emptyUsage(),
    log: emptyEventLog(),
    approvals: [],
    answers: {},
    costUsd: 0,
    allowances: {},
    warned: [],
    sentBack: 0,
  };
}
