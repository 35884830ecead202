/** A swarm's stats, from its agents' results and their latest usage reports. Pure. */
import {
  emptyUsage,
  type AgentStatus,
  type SwarmAgent,
  type SwarmBudgets,
  type SwarmOutcome,
  type SwarmStats,
  type Usage,
} from '../../src/domain';
import type { UsageReport } from './definitions';

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

/** Everything the reports say, summed: every agent at any depth, live. */
export function sumReports(reports: Iterable<UsageReport>): Usage {
  const total = emptyUsage();
  for (const u of reports) {
    total.tokens.input += u.tokens.input;
    total.tokens.output += u.tokens.output;
    total.toolCalls += u.toolCalls;
    total.iterations += u.iterations;
    total.agents += 1;
    total.costUsd += u.costUsd ?? 0;
  }
  return total;
}

export function swarmStats(
  agents: SwarmAgent[],
  spawned: number,
  wallTimeMs: number,
  plan: { criticalPathMs?: number; stages?: SwarmStats['stages'] } = {},
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
