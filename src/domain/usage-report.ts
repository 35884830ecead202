/**
 * When an agent tells its swarm and its session what it has used. A report is a signal,
 * and a signal is a workflow task for the owner: a hundred agents reporting every step
 * would make the swarm the serialization point of the whole swarm. So an agent reports
 * when its status changes, when the swarm's budgets need to hear (it has used a share of
 * them since its last report), at most every `seconds` otherwise, and once at its end. Pure.
 */
import type { AgentStatus } from './status';

/** Unreported use past which a swarm's agent reports at once. */
export interface ReportEvery {
  toolCalls: number;
  tokens: number;
}

/** What the owners were last told. */
export interface LastReport {
  /** Workflow time, ms since the epoch. */
  at: number;
  tokens: number;
  toolCalls: number;
  status: AgentStatus;
}

/**
 * The share of a swarm's budgets each of its `agents` may use unreported: a fifth of an
 * even split, so all of them together overshoot a budget by at most a fifth of it (plus
 * the steps in flight when the swarm stops them).
 */
export function reportEvery(
  budgets: { maxToolCalls: number; maxTokens: number },
  agents: number,
): ReportEvery {
  const n = Math.max(1, agents);
  return {
    toolCalls: Math.max(1, Math.floor(budgets.maxToolCalls / n / 5)),
    tokens: Math.max(1, Math.floor(budgets.maxTokens / n / 5)),
  };
}

export function reportDue(
  last: LastReport,
  now: { at: number; tokens: number; toolCalls: number; status: AgentStatus },
  every: ReportEvery | undefined,
  seconds: number,
): boolean {
  if (now.status !== last.status) return true;
  if (now.at - last.at >= seconds * 1000) return true;
  if (!every) return false;
  return now.toolCalls - last.toolCalls >= every.toolCalls || now.tokens - last.tokens >= every.tokens;
}
