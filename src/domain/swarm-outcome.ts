/** What a swarm reports: its agents as it sees them, its repository, its stats, its outcome. Pure. */
import type { AgentMetrics, Usage } from './agent';
import type { SwarmCopies } from './copies';
import type { GraphView } from './graph';
import type { AgentStatus } from './status';
import type { Strategy, SwarmBudgets } from './swarm';

/** One agent as the swarm sees it. */
export interface SwarmAgent {
  id: string;
  name: string;
  /** The stage, round or role it served in. */
  role: string;
  status: AgentStatus;
  result?: string;
  error?: string;
  metrics?: AgentMetrics;
  /** Live, from its usage reports; final once it ends. */
  usage: Usage;
  startedAt: string;
  endedAt?: string;
  /** Its worktree's branch (isolated swarms), and what became of its work there. */
  branch?: string;
  landed?: Landing;
  /** Served from the result cache: no agent ran, its answer is the one kept (usage: none spent now). */
  cached?: boolean;
  /** Cancelled by the swarm's collapse controller: its score then, and why (also its `error`). */
  collapsed?: { score: number; reason: string };
}

/**
 * What became of an isolated member's work: merged into the swarm's branch (copied back into
 * cwd, in copy mode); merged after a resolver agent settled its conflict; a conflict (the branch
 * or copy is kept, with the files); kept unmerged (not chosen, failed, cancelled); or nothing
 * to keep (no change: its branch or copy is deleted).
 */
export type Landing = 'merged' | 'resolved' | 'conflict' | 'kept' | 'empty';

/** An isolated swarm's repository: where the members' work was merged, and what is left to look at. */
export interface SwarmWorktrees {
  /** The branch holding the merged work (`git merge orchestra/<id>` takes it). */
  integrationBranch: string;
  baseCommit: string;
  head?: string;
  commitsAhead?: number;
  /** The user's tree had uncommitted changes when the swarm forked: the agents did not see them. */
  dirty: boolean;
  /** Branches kept with unmerged work, and the files of each conflict. */
  kept: Array<{
    agentId: string;
    branch: string;
    landed: Landing;
    files?: string[];
    /** A git step that failed for it: its worktree is kept, at `worktree`, as it was. */
    error?: string;
    worktree?: string;
    /** A resolver agent was asked and its resolution did not land: why. */
    resolution?: string;
  }>;
}

export interface SwarmStats {
  spawned: number;
  completed: number;
  failed: number;
  cancelled: number;
  toolCalls: number;
  tokens: { input: number; output: number };
  /** USD spent by every agent, subagents included. */
  costUsd: number;
  wallTimeMs: number;
  /** The sum of every agent's own time. */
  agentTimeMs: number;
  /** The longest chain of agents that had to run one after another. */
  criticalPathMs: number;
  /** The same chain counted in agents (a graph: its number of stages). */
  criticalPathSteps?: number;
  /** agentTimeMs / wallTimeMs: how much the swarm ran at once. */
  speedup: number;
  stages?: Array<{ name: string; agents: number; durationMs: number; toolCalls: number; tokens: number }>;
  /** Swarms using the result cache: members served from it, and members looked up but not found. */
  cache?: { hits: number; misses: number };
}

export interface SwarmOutcome {
  id: string;
  strategy: Strategy;
  status: AgentStatus;
  task: string;
  result?: string;
  error?: string;
  /** How the result was chosen: the winner, the votes, the scores, the rounds. */
  merge?: Record<string, unknown>;
  /** A graph swarm's subtasks, each with its status, and its critical path once known. */
  graph?: GraphView;
  /** Isolated swarms: the branch the members' work was merged into, and what was kept aside. */
  worktrees?: SwarmWorktrees;
  /** Swarms in copy mode: what was copied back into cwd, and the copies kept aside. */
  copies?: SwarmCopies;
  agents: SwarmAgent[];
  /** Every agent working for the swarm at any depth, as of its latest report. */
  members: Array<{
    id: string;
    name?: string;
    status?: AgentStatus;
    toolCalls: number;
    tokens: { input: number; output: number };
    costUsd: number;
  }>;
  stats: SwarmStats;
  budgets: SwarmBudgets;
  startedAt: string;
  updatedAt: string;
}
