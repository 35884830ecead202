/** Swarms: the specs and requests people write (what a swarm reports: swarm-outcome.ts). Pure: workflows import it. */
import { z } from 'zod';
import { lazy } from './lazy';
import { agentTemplateSchema } from './agent-template';
import { namedWorkersSchema } from './supervisor-workers';
import { graphSpecSchema } from './graph';
import { collapseSchema } from './collapse';
import { agentTuningSchema, refIdSchema, workspaceIdSchema, type AgentTuning } from './agent';
import { budgetRequestSchema } from './cost';
import { policyRequestSchema } from './policy';
import type { Governance } from './governance';
import type { ResolvedProfile } from './profile';
import type { ModelTarget } from './routing';
export { agentTemplateSchema, type AgentTemplate } from './agent-template';

export const MERGES = ['first', 'all', 'vote', 'best'] as const;
export type Merge = (typeof MERGES)[number];
export const NAMED_SCORERS = ['longest', 'shortest'] as const;

const task = lazy(() => z.string().min(1).max(100_000).describe('What the swarm works on'));

export const parallelSpecSchema = lazy(() =>
  z
    .object({
      strategy: z.literal('parallel'),
      task,
      agents: z.array(agentTemplateSchema).max(2000),
      open: z
        .boolean()
        .optional()
        .describe('Takes agents while it runs (`addAgent`) and ends only once closed; `agents` may be empty'),
      merge: z.enum(MERGES).default('all'),
      scorer: z
        .union([
          z.object({ judge: agentTemplateSchema, rubric: z.string().min(1).max(20_000) }).strict(),
          z.object({ named: z.enum(NAMED_SCORERS) }).strict(),
        ])
        .optional()
        .describe('For merge "best": a judge agent with a rubric, or a named deterministic scorer'),
      collapse: collapseSchema.optional().describe('Score the branches as they run and cancel the weak ones'),
    })
    .strict()
    .refine((s) => s.merge !== 'best' || s.scorer !== undefined, {
      message: 'merge "best" needs a scorer',
      path: ['scorer'],
    })
    .refine((s) => s.open === true || s.agents.length > 0, {
      message: 'a parallel swarm needs at least one agent (or "open": true, to add them while it runs)',
      path: ['agents'],
    }),
);

export const pipelineSpecSchema = lazy(() =>
  z
    .object({
      strategy: z.literal('pipeline'),
      task,
      stages: z
        .array(agentTemplateSchema.extend({ name: z.string().min(1).max(100) }))
        .min(1)
        .max(50),
    })
    .strict(),
);

export const debateSpecSchema = lazy(() =>
  z
    .object({
      strategy: z.literal('debate'),
      task,
      participants: z.array(agentTemplateSchema).min(2).max(20),
      rounds: z.number().int().min(1).max(10).default(2),
      judge: agentTemplateSchema.optional().describe('Decides after the last round; without one, a vote'),
    })
    .strict(),
);

export const supervisorSpecSchema = lazy(() =>
  z
    .object({
      strategy: z.literal('supervisor'),
      task,
      supervisor: agentTemplateSchema
        .default({})
        .describe('The agent that splits the work; it gets the delegate tool'),
      worker: agentTemplateSchema.omit({ task: true }).optional().describe('What every worker is'),
      workers: namedWorkersSchema.optional(),
      maxConcurrent: z.number().int().min(1).max(100).default(4).describe('Workers running at once'),
      maxWorkers: z.number().int().min(1).max(1000).default(10).describe('Workers in all'),
    })
    .strict()
    .refine((s) => !(s.worker && s.workers), {
      message: 'give "worker" (one template for every worker) or "workers" (named ones), not both',
      path: ['workers'],
    }),
);

export const swarmSpecSchema = lazy(() =>
  // By strategy: a bad spec's error names its field, not 'Invalid input' for the whole union.
  z.discriminatedUnion('strategy', [
    parallelSpecSchema,
    pipelineSpecSchema,
    debateSpecSchema,
    supervisorSpecSchema,
    graphSpecSchema,
  ]),
);
export type SwarmSpec = z.infer<typeof swarmSpecSchema>;
export type ParallelSpec = z.infer<typeof parallelSpecSchema>;
export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;
export type DebateSpec = z.infer<typeof debateSpecSchema>;
export type SupervisorSpec = z.infer<typeof supervisorSpecSchema>;
export const STRATEGIES = ['parallel', 'pipeline', 'debate', 'supervisor', 'graph'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** Budgets for a whole swarm, every agent at any depth counted. */
export const DEFAULT_BUDGETS = {
  /** Agents the swarm and its agents may start, in all. @default 100 */
  maxSubagents: 100,
  /** Tool calls of every agent, in all. @default 1500 */
  maxToolCalls: 1500,
  /** Input plus output tokens of every agent, in all. @default 10_000_000 */
  maxTokens: 10_000_000,
} as const;

export const budgetsSchema = lazy(() =>
  z
    .object({
      maxSubagents: z.number().int().min(1).max(100_000),
      maxToolCalls: z.number().int().min(1).max(10_000_000),
      maxTokens: z.number().int().min(1),
    })
    .strict(),
);
export type SwarmBudgets = z.infer<typeof budgetsSchema>;

export const swarmRequestSchema = lazy(() =>
  z
    .object({
      spec: swarmSpecSchema,
      cwd: z.string().min(1).max(4096).describe('Absolute working directory every agent works in'),
      id: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,60}$/, 'letters, digits, "_" and "-", at most 61')
        .optional(),
      model: z.string().min(1).max(200).optional(),
      budgets: budgetsSchema.partial().optional(),
      tuning: agentTuningSchema.partial().optional(),
      sessionId: refIdSchema.optional().describe('The session to start it in'),
      workspace: workspaceIdSchema.optional().describe('The workspace it belongs to (default: your first)'),
      policy: policyRequestSchema
        .optional()
        .describe("Every agent's autonomy and tool rules, unless its own say otherwise"),
      budget: budgetRequestSchema.optional().describe("Every agent's cost budget"),
      isolation: z
        .enum(ISOLATIONS)
        .optional()
        .describe(
          'Parallel and graph swarms in a git repository: each coding agent in a worktree of its own ' +
            '("auto", the default; "worktree" refuses a directory outside git; "copy": each in a copy of cwd, ' +
            'git or not; "none": all in cwd)',
        ),
      resolve: z
        .union([z.literal(true), z.object({ agent: resolverTemplateSchema.optional() }).strict()], {
          error: 'true, or { agent: a resolver template }',
        })
        .optional()
        .describe("A member's merge that conflicts is given to a resolver agent (worktrees only)"),
      cache: z
        .boolean()
        .optional()
        .describe(
          'Serve a subtask already done (same task, model, tools and inputs) from the result cache (default true)',
        ),
    })
    .strict(),
);
export type SwarmRequest = z.infer<typeof swarmRequestSchema>;

/** Where a swarm's coding agents work: each in a git worktree of its own, in a copy of cwd, or all in cwd. */
export const ISOLATIONS = ['auto', 'worktree', 'copy', 'none'] as const;
export type Isolation = (typeof ISOLATIONS)[number];

/** The resolver of merge conflicts: a template without a registry entry; its `task` is added to the one the swarm writes. */
export const resolverTemplateSchema = lazy(() => agentTemplateSchema.omit({ agent: true }));
export type ResolverTemplate = z.infer<typeof resolverTemplateSchema>;

export interface SwarmInput {
  id: string;
  /** Absent in swarms started before worktrees existed: they replay as "none". */
  isolation?: Isolation;
  /** Absent in swarms started before the result cache existed: they replay without it. */
  cache?: boolean;
  /** Conflicting merges go to a resolver agent made from this template (absent: reported, as before). */
  resolve?: { agent?: ResolverTemplate };
  spec: SwarmSpec;
  cwd: string;
  model: string;
  budgets: SwarmBudgets;
  /** Operational knobs for every agent (tests shorten heartbeats). */
  tuning?: Partial<AgentTuning>;
  sessionId?: string;
  /** The session's directives and findings at the swarm's start, for every agent. */
  context?: string;
  /** The session keeps a budget: its agents charge it at once. */
  sessionBudgeted?: boolean;
  /** Every agent of the swarm belongs to this workspace and owner. */
  workspace?: string;
  owner?: string;
  /** The registry entries the spec names, resolved when the swarm was started. */
  profiles?: Record<string, ResolvedProfile>;
  /** Governance for every agent: the config file's defaults and the request's. */
  governance?: Governance;
  fallback?: ModelTarget;
}

/**
 * The budgets a swarm gets unless the request says otherwise: the defaults, grown with a
 * big parallel swarm so that asking for 1,000 agents does not stop at the 101st.
 */
export function defaultBudgets(spec: SwarmSpec): SwarmBudgets {
  const agents = spec.strategy === 'parallel' ? spec.agents.length : 0;
  const per = DEFAULT_BUDGETS.maxToolCalls / DEFAULT_BUDGETS.maxSubagents;
  return {
    maxSubagents: Math.max(DEFAULT_BUDGETS.maxSubagents, 2 * agents),
    maxToolCalls: Math.max(DEFAULT_BUDGETS.maxToolCalls, per * 2 * agents),
    maxTokens: Math.max(
      DEFAULT_BUDGETS.maxTokens,
      (DEFAULT_BUDGETS.maxTokens / DEFAULT_BUDGETS.maxSubagents) * 2 * agents,
    ),
  };
}

/** How many of a swarm's agents work at once, at most: they share its budgets. */
export function plannedAgents(input: Pick<SwarmInput, 'spec'>): number {
  const spec = input.spec;
  switch (spec.strategy) {
    case 'parallel':
      return spec.agents.length + (spec.scorer && 'judge' in spec.scorer ? 1 : 0);
    case 'pipeline':
      return 1;
    case 'debate':
      return spec.participants.length;
    case 'supervisor':
      return 1 + spec.maxConcurrent;
    case 'graph':
      return spec.maxConcurrent;
  }
}

export function swarmWorkflowId(id: string): string {
  return `swarm-${id}`;
}
