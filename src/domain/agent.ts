/** What an agent is: its configuration, the workflow's input, and what it reports. */
import { z } from 'zod';
import { lazy } from './lazy';
import { AGENT_TYPES, type AgentType } from './agent-type';
import { agentLimitsSchema, type AgentLimits } from './agent-limits';
import type { AgentStatus } from './status';
import { TOOL_NAMES, type ToolName } from './tools';
import type { TokenUsage } from './messages';
import { budgetRequestSchema, type Budget } from './cost';
import { hookSettingsSchema, type HookSettings } from './hook-settings';
import { policyRequestSchema, type ToolPolicy } from './policy';
import { profileNameSchema } from './profile-name';
import type { ModelTarget } from './routing';
import type { OrchestraFile } from './registry';
import type { PendingApproval } from './approvals';
import type { SubagentEntry } from './subagent-records';
import type { Autonomy } from './policy';
import type { ReportEvery } from './usage-report';
import { locationProblem } from './queues';

/** Operational knobs; tests shorten them, users rarely need to. */
export const DEFAULT_TUNING = {
  /** Seconds without a heartbeat before a model call is retried on another worker. @default 30 */
  modelHeartbeatTimeoutSeconds: 30,
  /** History events after which the agent continues as new at the next step boundary. @default 5000 */
  continueAsNewAfterEvents: 5000,
  /** Attempts of a model call before it fails (or, when overloaded, moves to the fallback model). @default 10 */
  modelMaxAttempts: 10,
  /**
   * Most seconds between two usage reports to the agent's swarm and session, when nothing
   * else (a status change, the swarm's budgets) asks for one sooner. @default 10
   */
  usageReportSeconds: 10,
  /**
   * A model call starts as a local activity, inside the workflow task and with no server
   * round trip, unless the agent's previous call took this many ms or more; one still
   * running after this many ms is handed to a queued activity, which adopts it (the call
   * goes on, now heartbeating, streaming its text, cancellable at once). A local call holds
   * the workflow task, so queries and signals wait for it: at most this long. 0 turns the
   * fast path off. @default 1500
   */
  localModelCallMs: 1500,
} as const;

export const agentTuningSchema = lazy(() =>
  z
    .object({
      modelHeartbeatTimeoutSeconds: z.number().int().min(2).max(600),
      continueAsNewAfterEvents: z.number().int().min(20).max(50_000),
      modelMaxAttempts: z.number().int().min(1).max(100),
      usageReportSeconds: z.number().min(0).max(3600),
      localModelCallMs: z.number().int().min(0).max(5000),
    })
    .strict(),
);
export type AgentTuning = Omit<
  z.infer<typeof agentTuningSchema>,
  'usageReportSeconds' | 'localModelCallMs'
> & {
  /** Absent in agents started before they existed. */
  usageReportSeconds?: number;
  localModelCallMs?: number;
};

/** Workspace and user names: short, plain, safe in a visibility query. */
export const workspaceIdSchema = lazy(() =>
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/, 'letters, digits, "_", ".", "@" and "-", at most 100'),
);

/**
 * An id that names another agent, swarm or session. It ends up in visibility queries and
 * workflow ids, where control characters have no place (a NUL breaks the dev server's SQL).
 */
export const refIdSchema = lazy(() =>
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/, 'letters, digits, "_", "." and "-", at most 200'),
);

/** A zone's id (src/domain/zones.ts): made up by the store's client, 8 hex digits today. */
export const zoneIdSchema = lazy(() =>
  z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lower-case letters, digits and "-", at most 64'),
);

/** Who owns a thing and where it lives. */
export interface Ownership {
  workspace: string;
  owner: string;
}

/** A spawn request as a person or a script writes it: everything but the task is optional. */
export const spawnRequestSchema = lazy(() =>
  z
    .object({
      task: z.string().max(100_000).describe('What the agent should do (empty: wait for a message)'),
      // No ".": `<parent>.<n>` names subagents and swarm members, so nobody may take one first.
      id: z
        .string()
        .regex(
          /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/,
          'letters, digits, "_" and "-", at most 100 ("." is kept for subagents and swarm members)',
        )
        .optional(),
      name: z.string().min(1).max(200).optional(),
      type: z.enum(AGENT_TYPES).optional(),
      model: z.string().min(1).max(200).optional(),
      systemPrompt: z.string().max(200_000).optional(),
      temperature: z.number().min(0).max(1).optional(),
      tools: z.array(z.enum(TOOL_NAMES as [ToolName, ...ToolName[]])).optional(),
      cwd: z.string().min(1).max(4096).describe('Absolute working directory the tools are confined to'),
      location: locationSchema().describe(
        "The task queue whose workers run the agent (default: the client's)",
      ),
      toolsLocation: locationSchema().describe("The task queue whose workers run the agent's tools"),
      limits: agentLimitsSchema.partial().optional(),
      tuning: agentTuningSchema.partial().optional(),
      sessionId: refIdSchema.optional().describe('The session to start it in'),
      swarmId: refIdSchema.optional(),
      workspace: workspaceIdSchema.optional().describe('The workspace it belongs to (default: your first)'),
      zone: zoneIdSchema.optional().describe("A zone of the agent's workspace to put it in once started"),
      agent: profileNameSchema.optional().describe('A registry entry to start from (planner, explorer, ...)'),
      policy: policyRequestSchema
        .optional()
        .describe('Autonomy, per-tool overrides, bash patterns, approval timeout'),
      budget: budgetRequestSchema.optional(),
      hooks: hookSettingsSchema
        .partial()
        .optional()
        .describe('Built-in hook settings and your own hook rules'),
    })
    .strict(),
);
export type SpawnRequest = z.infer<typeof spawnRequestSchema>;

/** Where a client starts agents and swarms, as whom, and with which model unless asked otherwise. */
export interface AgentDefaults {
  taskQueue: string;
  model: string;
  /** Who starts it: its owner. */
  owner?: string;
  /** Where it lives unless the request names a workspace. */
  workspace?: string;
  /** The config file: registry entries, routing, defaults for every agent. */
  file?: OrchestraFile;
}

/** A task queue to place an agent or its tools on (src/domain/queues.ts). */
export const locationSchema = () =>
  z
    .string()
    .superRefine((q, ctx) => {
      const problem = locationProblem(q);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional();

/** A fully resolved agent configuration: what the workflow runs with. */
export interface AgentConfig {
  id: string;
  name: string;
  type: AgentType;
  model: string;
  systemPrompt: string;
  temperature?: number;
  tools: ToolName[];
  cwd: string;
  limits: AgentLimits;
  tuning: AgentTuning;
  sessionId?: string;
  swarmId?: string;
  /** Who may see it (members of the workspace) and control it (its owner); subagents inherit both. */
  workspace?: string;
  owner?: string;
  /** The agent that started this one with the `task` tool. */
  parentId?: string;
  /** 0 for an agent people start; one more for each level of subagent. */
  depth: number;
  /** A supervisor's workers: who they are and how many may run. */
  delegation?: Delegation;
  /** Added to the system prompt: the session's directives and findings at the agent's start. */
  context?: string;
  /** Whether the session keeps a budget, as it said at the agent's start (absent: not known). */
  sessionBudgeted?: boolean;
  /** The registry entry it was started from. */
  profile?: string;
  /** What it may do without asking (absent in agents started before governance: full autonomy). */
  policy?: ToolPolicy;
  hooks?: HookSettings;
  budget?: Budget;
  /** The backend (config file) its model is served by; absent: ANTHROPIC_BASE_URL. */
  backend?: string;
  /** The model to switch to when the primary stays overloaded. */
  fallback?: ModelTarget;
  /** The agents above this one, outermost first. */
  lineage?: string[];
  /** In a swarm: the unreported use after which the agent reports to it at once (its budgets need it). */
  reportEvery?: ReportEvery;
  /** The task queue it runs on, when placed there (absent: its starter's). */
  location?: string;
  /** The task queue its tools run on (absent: its own). */
  toolsLocation?: string;
}

export interface Delegation {
  worker: {
    name?: string;
    systemPrompt?: string;
    model?: string;
    temperature?: number;
    tools?: ToolName[];
    limits?: Partial<AgentLimits>;
  };
  /** Distinct workers by name (the supervisor's `workers`, supervisor-workers.ts): `worker` is then unused. */
  workers?: Array<Delegation['worker'] & { name: string; description: string }>;
  /** Workers running at once; more delegations wait. */
  maxConcurrent: number;
  /** Workers in all. */
  maxWorkers: number;
  /**
   * The swarm runs the workers (its `delegate` signal), each that writes in a tree of its own,
   * and answers with where its work went: set by a swarm that isolates them (isolation.ts).
   */
  throughSwarm?: boolean;
}

export const DEFAULT_SYSTEM_PROMPT =
  'You are a careful software engineer working in a sandboxed directory. Use the tools to inspect, ' +
  'change and run code. Keep going until the task is done, then reply with a short summary.';

export function agentWorkflowId(agentId: string): string {
  return `agent-${agentId}`;
}

/** Every agent result carries these (the seed's TaskMetrics). */
export interface AgentMetrics {
  durationMs: number;
  tokens: TokenUsage;
  toolCalls: number;
  iterations: number;
  /** USD spent on this agent's own model calls. */
  costUsd?: number;
}

/** Work done by an agent and everything beneath it. */
export interface Usage {
  tokens: TokenUsage;
  toolCalls: number;
  iterations: number;
  /** Agents counted: 1 for the agent itself, plus its subagents at any depth. */
  agents: number;
  /** USD spent on model calls. */
  costUsd: number;
}

export function emptyUsage(): Usage {
  return { tokens: { input: 0, output: 0 }, toolCalls: 0, iterations: 0, agents: 0, costUsd: 0 };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    tokens: { input: a.tokens.input + b.tokens.input, output: a.tokens.output + b.tokens.output },
    toolCalls: a.toolCalls + b.toolCalls,
    iterations: a.iterations + b.iterations,
    agents: a.agents + b.agents,
    costUsd: (a.costUsd ?? 0) + (b.costUsd ?? 0),
  };
}

/** The answer of the `status` query. */
export interface AgentStatusView {
  id: string;
  name: string;
  type: AgentType;
  status: AgentStatus;
  task: string;
  model: string;
  cwd: string;
  tokens: TokenUsage;
  toolCalls: number;
  iterations: number;
  startedAt: string;
  updatedAt: string;
  result?: string;
  error?: string;
  pausedReason?: string;
  pendingMessages: number;
  todos: Array<{ content: string; status: string }>;
  artifacts: string[];
  sessionId?: string;
  swarmId?: string;
  parentId?: string;
  workspace?: string;
  owner?: string;
  depth: number;
  /** Ids of the subagents this agent started. */
  subagents: string[];
  /** Each subagent started, with its status (background ones too); absent from agents before it existed. */
  children?: SubagentEntry[];
  /** This agent's work plus its subagents' (finished ones), at any depth. */
  totals: Usage;
  /** USD spent on this agent's own model calls. */
  costUsd: number;
  /** Tool calls (or a budget stop) waiting for a person's word. */
  pendingApprovals: PendingApproval[];
  autonomy: Autonomy;
  /** The limits it runs under (iterations, tokens, context, tool calls...); absent from agents before it was shown. */
  limits?: AgentLimits;
  /** The registry entry it was started from. */
  profile?: string;
  /** The task queue its workflow runs on, and its tools' when they run elsewhere. */
  taskQueue?: string;
  toolsLocation?: string;
}

/** What the agent workflow returns. */
export interface AgentResult {
  id: string;
  status: AgentStatus;
  result?: string;
  error?: string;
  metrics: AgentMetrics;
  /** The metrics of this agent and all its subagents, at any depth. */
  totals: Usage;
  artifacts: string[];
}
