/**
 * What a swarm's agents, at any depth, have used: the latest report of each, and their sum,
 * which moves by the difference of each report (O(1) per report, never re-summed). Pure.
 */
import { addUsage, emptyUsage } from '../../src/domain/agent';
import type { SwarmEventBody } from '../../src/domain/events';
import type { UsageReport } from '../../src/domain/protocol-payloads';
import { usageDelta } from './report';

export class SwarmUsage {
  /** Latest own usage of every agent working for the swarm, subagents included. */
  private readonly latest = new Map<string, UsageReport>();
  /** The sum of `latest`. */
  total = emptyUsage();
  /** Every agent started for the swarm at any depth: its own, and the subagents that reported. */
  readonly members = new Set<string>();

  /** Take a report in: the one it replaces, or undefined when a newer one was taken already. */
  take(report: UsageReport): { before?: UsageReport } | undefined {
    const known = this.latest.get(report.agentId);
    if (known && known.version > report.version) return undefined;
    this.latest.set(report.agentId, report);
    this.members.add(report.agentId);
    this.total = addUsage(this.total, usageDelta(report, known));
    return { before: known };
  }

  of(agentId: string): UsageReport | undefined {
    return this.latest.get(agentId);
  }

  reports(): UsageReport[] {
    return [...this.latest.values()];
  }

  /** The tokens a report adds over the one before it, with the new totals, as an event. */
  tokensEvent(report: UsageReport, before?: UsageReport): SwarmEventBody | undefined {
    const { agentId, tokens } = report;
    const input = tokens.input - (before?.tokens.input ?? 0);
    const output = tokens.output - (before?.tokens.output ?? 0);
    if (input + output <= 0) return undefined;
    const { total } = this;
    return {
      type: 'tokens',
      agentId,
      input,
      output,
      totalInput: total.tokens.input,
      totalOutput: total.tokens.output,
      totalCostUsd: total.costUsd,
    };
  }
}
