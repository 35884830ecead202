/**
 * What only the agent's workflow knows, counted on the worker's metrics endpoint beside the
 * SDK's (activities/metrics.ts has the model calls). The SDK drops workflow metrics during
 * replay, so each change counts once however often the history is replayed.
 * Agents in a status now: `sum by (to) (orchestra_agent_status_changes) - sum by (from) (...)`.
 */
import * as wf from '@temporalio/workflow';
import type { AgentStatus } from '../../src/domain/status';

export function countStatusChange(from: AgentStatus, to: AgentStatus): void {
  wf.metricMeter
    .createCounter('orchestra_agent_status_changes', 'changes', 'Agent status changes, by from and to')
    .add(1, { from, to });
}

export function countApproval(event: 'requested' | 'answered', how?: string): void {
  wf.metricMeter
    .createCounter(
      'orchestra_approvals',
      'approvals',
      'Approvals requested, and answered (by a person or a timeout)',
    )
    .add(1, { event, ...(how ? { by: how } : {}) });
}
