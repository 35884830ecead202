/** A swarm's stats, from its agents' results and their latest usage reports. Pure. */
import { emptyUsage, type AgentResult, type Usage } from '../../src/domain/agent';
import type { SwarmCopies } from '../../src/domain/copies';
import type { GraphView, NodeStatus } from '../../src/domain/graph';
import type { UsageReport } from '../../src/domain/protocol-payloads';
import type { AgentStatus } from '../../src/domain/status';
import type { Strategy, SwarmBudgets, SwarmInput } from '../../src/domain/swarm';
import type { SwarmWorktrees, SwarmAgent, SwarmOutcome, SwarmStats } from '../../src/domain/swarm-outcome';
import type { SwarmUsage } from './usage';

export function usageOf(report: UsageReport | undefined): Usage {
  if (!report) return emptyUsage();
  return {
    tokens: { ...report.tokens },
    toolCalls: report.toolCalls,
    iterations: report.iterations,
    agents: 1,
    costUsd: report.costUsd ?? 0,
  };
}

/** What a report adds to the totals over the one it replaces. */
export function usageDelta(report: UsageReport, before: UsageReport | undefined): Usage {
  const now = usageOf(report);
  if (!before) return now;
  const was = usageOf(before);
  return {
    tokens: { input: now.tokens.input - was.tokens.input, output: now.tokens.output - was.tokens.output },
    toolCalls: now.toolCalls - was.toolCalls,
    iterations: now.iterations - was.iterations,
    agents: 0,
    costUsd: now.costUsd - was.costUsd,
  };
}

/**
 * A member's own usage as its result gives it: the last word on it (no report can overtake
 * it), so it carries the highest version.
 */
export function finalReport(agent: Pick<SwarmAgent, 'id' | 'name'>, result: AgentResult): UsageReport {
  const m = result.metrics;
  return {
    agentId: agent.id,
    version: Number.MAX_SAFE_INTEGER,
    name: agent.name,
    status: result.status,
    tokens: { ...m.tokens },
    toolCalls: m.toolCalls,
    iterations: m.iterations,
    costUsd: m.costUsd ?? 0,
  };
}

export function swarmStats(
  agents: SwarmAgent[],
  spawned: number,
  wallTimeMs: number,
  plan: { criticalPathMs?: number; criticalPathSteps?: number; stages?: SwarmStats['stages'] } = {},
): SwarmStats {
  const count = (s: AgentStatus) => agents.filter((a) => a.status === s).length;
  const agentTimeMs = agents
    .filter((a) => a.endedAt)
    .reduce((sum, a) => sum + (a.metrics?.durationMs ?? Date.parse(a.endedAt!) - Date.parse(a.startedAt)), 0);
  return {
    spawned,
    completed: count('completed'),
    failed: count('failed'),
    cancelled: count('cancelled'),
    toolCalls: agents.reduce((n, a) => n + a.usage.toolCalls, 0),
    tokens: {
      input: agents.reduce((n, a) => n + a.usage.tokens.input, 0),
      output: agents.reduce((n, a) => n + a.usage.tokens.output, 0),
    },
    costUsd: agents.reduce((n, a) => n + (a.usage.costUsd ?? 0), 0),
    wallTimeMs,
    agentTimeMs,
    criticalPathMs: plan.criticalPathMs ?? 0,
    ...(plan.criticalPathSteps === undefined ? {} : { criticalPathSteps: plan.criticalPathSteps }),
    speedup: wallTimeMs > 0 ? Number((agentTimeMs / wallTimeMs).toFixed(2)) : 0,
    stages: plan.stages,
  };
}

/** Which of the swarm's budgets its agents, at any depth, have gone past, if any. */
export function budgetExceeded(budgets: SwarmBudgets, total: Usage, spawned: number): string | undefined {
  if (total.toolCalls > budgets.maxToolCalls)
    return `budget exceeded: maxToolCalls (${budgets.maxToolCalls})`;
  if (total.tokens.input + total.tokens.output > budgets.maxTokens)
    return `budget exceeded: maxTokens (${budgets.maxTokens})`;
  if (spawned > budgets.maxSubagents) return `budget exceeded: maxSubagents (${budgets.maxSubagents})`;
  return undefined;
}

/** One member of the swarm, at any depth, as its latest report has it. */
export function memberOf(u: UsageReport): SwarmOutcome['members'][number] {
  return {
    id: u.agentId,
    name: u.name,
    status: u.status,
    toolCalls: u.toolCalls,
    tokens: { ...u.tokens },
    costUsd: u.costUsd ?? 0,
  };
}

/** Agents listed one by one in the current details; a big swarm's are counted beyond that. */
const DETAILS_AGENTS = 50;

/** Markdown for the Web UI's "current details" of a swarm: a graph's subtasks by stage, else its agents. */
export function swarmDetails(
  status: AgentStatus,
  strategy: string,
  agents: SwarmAgent[],
  graph?: GraphView,
): string {
  if (graph) return graphDetails(status, graph);
  const counts = new Map<AgentStatus, number>();
  for (const a of agents) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(' · ');
  // The running first: they are what a person watching wants to see.
  const shown = [
    ...agents.filter((a) => a.status === 'running'),
    ...agents.filter((a) => a.status !== 'running'),
  ]
    .slice(0, DETAILS_AGENTS)
    .map((a) => `- ${a.id} **${a.name}** ${a.status}`);
  const more = agents.length > DETAILS_AGENTS ? [`- … and ${agents.length - DETAILS_AGENTS} more`] : [];
  return [
    `**${status}** · ${strategy} swarm · ${agents.length} agents${summary ? ` (${summary})` : ''}`,
    ...shown,
    ...more,
  ].join('\n');
}

const NODE_MARKS: Record<NodeStatus, string> = {
  pending: '·',
  running: '▶',
  completed: '✓',
  failed: '✗',
  skipped: '–',
  cancelled: '■',
};

function graphDetails(status: AgentStatus, graph: GraphView): string {
  const counts = new Map<NodeStatus, number>();
  for (const n of graph.nodes) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  const summary = [...counts].map(([s, n]) => `${n} ${s}`).join(' · ');
  const byStage = [...graph.nodes].sort((a, b) => a.stage - b.stage);
  const shown = byStage.slice(0, DETAILS_AGENTS).map((n) => {
    const after = n.dependsOn.length ? ` ← ${n.dependsOn.join(', ')}` : '';
    return `- ${NODE_MARKS[n.status]} stage ${n.stage} **${n.id}** ${n.status}${after}${n.agentId ? ` (${n.agentId})` : ''}`;
  });
  const more = byStage.length > DETAILS_AGENTS ? [`- … and ${byStage.length - DETAILS_AGENTS} more`] : [];
  const path = graph.criticalPath
    ? [
        `critical path: ${graph.criticalPath.path.join(' → ')} (${(graph.criticalPath.ms / 1000).toFixed(1)} s)`,
      ]
    : [];
  return [
    `**${status}** · graph swarm · ${graph.nodes.length} subtasks (${summary})`,
    ...shown,
    ...more,
    ...path,
  ].join('\n');
}

/** What the swarm's status query (and its result) says, `at` a time. */
export function swarmReport(
  swarm: {
    input: SwarmInput;
    strategy: Strategy;
    status: AgentStatus;
    outcome?: Pick<SwarmOutcome, 'result' | 'error' | 'merge'> & {
      criticalPathMs?: number;
      stages?: SwarmStats['stages'];
    };
    agents: SwarmAgent[];
    graph?: GraphView;
    worktrees?: SwarmWorktrees;
    copies?: SwarmCopies;
    cache?: SwarmStats['cache'];
    startedAt: string;
    at: string;
  },
  usage: SwarmUsage,
): SwarmOutcome {
  const { input, outcome, startedAt, at } = swarm;
  const agents = swarm.agents.map((a) => ({ ...a, usage: a.endedAt ? a.usage : usageOf(usage.of(a.id)) }));
  return {
    id: input.id,
    strategy: swarm.strategy,
    status: swarm.status,
    task: input.spec.task,
    result: outcome?.result,
    error: outcome?.error,
    merge: outcome?.merge,
    ...(swarm.graph ? { graph: swarm.graph } : {}),
    ...(swarm.worktrees ? { worktrees: swarm.worktrees } : {}),
    ...(swarm.copies ? { copies: swarm.copies } : {}),
    agents,
    members: usage.reports().map(memberOf),
    stats: {
      ...swarmStats(agents, usage.members.size, Date.parse(at) - Date.parse(startedAt), outcome),
      ...(swarm.cache ? { cache: swarm.cache } : {}),
    },
    budgets: input.budgets,
    startedAt,
    updatedAt: at,
  };
}
