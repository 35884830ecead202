/** The agent workflow's input and the state it carries across continue-as-new. */
import { emptyUsage, type AgentConfig, type Usage } from './agent';
import type { EventLog } from './events';
import { emptyEventLog } from './events';
import type { ConversationMessage, TokenUsage } from './messages';
import type { AgentStatus } from './status';
import type { TodoItem } from './tools';

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
  /** What finished subagents (and theirs) used. */
  descendants: Usage;
  log: EventLog;
  cancel?: { reason?: string };
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
    descendants: emptyUsage(),
    log: emptyEventLog(),
  };
}
