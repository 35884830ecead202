/**
 * What an agent spends: each model call's cost is added to the agent, charged to its
 * session and to its workspace's day, and held against the budgets before the next call.
 * At a warning threshold the agent says so; at a limit it asks a person (or stops).
 */
import * as wf from '@temporalio/workflow';
import {
  checkBudgets,
  formatUsd,
  utcDay,
  type AgentConfig,
  type AgentEventBody,
  type AgentState,
  type BudgetLevel,
  type ModelReply,
  type Spending as SpendingLevels,
} from '../../src/domain';
import { OrchestraCostUsd } from '../../src/temporal/search-attributes';
import { activities, IDEMPOTENT_TOOL } from './activities';
import type { Approvals } from './approvals';

/** A configured limit was reached; the agent fails with this reason. */
export class LimitReached extends Error {}

export interface SpendingHost {
  readonly config: AgentConfig;
  readonly state: AgentState;
  readonly approvals: Approvals;
  record(body: AgentEventBody): void;
}

export class Spending {
  constructor(private readonly host: SpendingHost) {}

  /** Add a call's cost to the agent, its session and its workspace's day. */
  async charge(reply: ModelReply): Promise<void> {
    const { config, state } = this.host;
    const costUsd = reply.costUsd ?? 0;
    // An unpriced call changes nothing: no search-attribute write, no ledger round trip.
    if (costUsd <= 0) return;
    state.costUsd += costUsd;
    wf.upsertSearchAttributes([{ key: OrchestraCostUsd, value: state.costUsd }]);
    const day = utcDay(new Date().toISOString());
    try {
      const charged = await activities(IDEMPOTENT_TOOL, `charge ${formatUsd(costUsd)}`).chargeCost({
        agentId: config.id,
        // One id per model call, stable across replays and continue-as-new: a retry counts once.
        callId: `${config.id}.${state.iterations}`,
        costUsd,
        workspace: config.workspace ?? 'default',
        day,
        sessionId: config.sessionId,
      });
      state.ledgers = {
        day: { ...charged.day, day },
        ...(charged.session ? { session: charged.session } : {}),
      };
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      // The agent's own total stands; the shared totals catch up with the next charge.
      wf.log.warn('could not charge the session and the day', { agentId: config.id, error: String(err) });
    }
  }

  /** Before spending more: warn past the threshold, and at a limit ask a person or stop. */
  async enforce(): Promise<void> {
    const { config, state } = this.host;
    const budget = config.budget;
    if (!budget) return;
    for (;;) {
      const base = this.limits();
      const spending: SpendingLevels = {
        agent: { spentUsd: state.costUsd, limitUsd: this.allowed('agent', base.agent) },
      };
      if (state.ledgers?.session)
        spending.session = {
          spentUsd: state.ledgers.session.totalUsd,
          limitUsd: this.allowed('session', base.session),
        };
      const today = utcDay(new Date().toISOString());
      if (state.ledgers?.day && state.ledgers.day.day === today)
        spending.day = { spentUsd: state.ledgers.day.totalUsd, limitUsd: this.allowed('day', base.day) };
      const check = checkBudgets(spending, budget.warnAt);
      for (const level of check.warn) this.warn(level, spending);
      if (!check.exceeded) return;
      const { level, spentUsd, limitUsd } = check.exceeded;
      const what = `the ${level} budget is spent: ${formatUsd(spentUsd)} of ${formatUsd(limitUsd)}`;
      this.host.record({ type: 'budget', level, state: 'reached', spentUsd, limitUsd });
      wf.log.warn(`agent ${config.id}: ${what}`, { level, spentUsd, limitUsd });
      if (budget.onLimit === 'stop') throw new LimitReached(`budget reached: ${what}`);
      const answer = await this.host.approvals.request({
        callId: `budget.${config.id}.${level}.${state.iterations}`,
        kind: 'budget',
        tool: 'budget',
        input: { level, spentUsd, limitUsd },
        reason: `${what}; allow to spend another ${formatUsd(base[level] ?? limitUsd)}`,
      });
      if (answer.decision === 'deny') {
        const why = answer.by === 'timeout' ? 'the approval timed out' : 'a person said stop';
        throw new LimitReached(`budget reached: ${what}; ${why}${answer.note ? `: ${answer.note}` : ''}`);
      }
      // Allowed: another budget's worth from here.
      state.allowances[level] = spentUsd + (base[level] ?? limitUsd);
    }
  }

  private limits(): Partial<Record<BudgetLevel, number>> {
    const { config, state } = this.host;
    return {
      agent: config.budget?.agentUsd,
      session: state.ledgers?.session?.limitUsd,
      day: config.budget?.dailyUsd,
    };
  }

  private allowed(level: BudgetLevel, base: number | undefined): number | undefined {
    if (base === undefined) return undefined;
    return Math.max(base, this.host.state.allowances[level] ?? 0);
  }

  private warn(level: BudgetLevel, spending: SpendingLevels): void {
    const s = spending[level];
    if (!s?.limitUsd) return;
    const key = `${level}:${s.limitUsd}`;
    if (this.host.state.warned.includes(key)) return;
    this.host.state.warned.push(key);
    this.host.record({ type: 'budget', level, state: 'warning', spentUsd: s.spentUsd, limitUsd: s.limitUsd });
    wf.log.warn(
      `agent ${this.host.config.id}: ${Math.round((s.spentUsd / s.limitUsd) * 100)}% of the ${level} budget spent`,
      { level, spentUsd: s.spentUsd, limitUsd: s.limitUsd },
    );
  }
}
