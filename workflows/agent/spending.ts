/**
 * What an agent spends: each model call's cost is added to the agent, charged to its
 * session and to its workspace's day (at once where a shared budget needs it, else in
 * batches), and held against the budgets before the next call.
 * At a warning threshold the agent says so; at a limit it asks a person (or stops).
 */
import * as wf from '@temporalio/workflow';
import { DEFAULT_TUNING, type AgentConfig } from '../../src/domain/agent';
import type { AgentState } from '../../src/domain/agent-state';
import {
  checkBudgets,
  formatUsd,
  utcDay,
  type BudgetLevel,
  type Spending as SpendingLevels,
} from '../../src/domain/cost';
import type { AgentEventBody } from '../../src/domain/events';
import type { ModelReply } from '../../src/domain/messages';
import { upsertCost } from '../cost-attribute';
import { activities, BOOKKEEPING, LOCAL_BOOKKEEPING, localActivities } from './activity-options';
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

  /**
   * Add a call's cost to the agent, and charge it to the session and the workspace's day:
   * at once when a shared budget (the session's, the day's) needs their totals before the
   * next call, else in batches, at most every `usageReportSeconds` and at the agent's end.
   */
  async charge(reply: ModelReply): Promise<void> {
    const { state } = this.host;
    const costUsd = reply.costUsd ?? 0;
    // An unpriced call changes nothing: no search-attribute write, no ledger round trip.
    if (costUsd <= 0) return;
    state.costUsd += costUsd;
    state.uncharged = {
      usd: (state.uncharged?.usd ?? 0) + costUsd,
      from: state.uncharged?.from ?? state.iterations,
    };
    if (this.sharedBudget() || this.chargeDue()) await this.flush();
  }

  /**
   * Charge the session and the day what they have not been charged yet. The cost search
   * attribute moves with them, not at every call: each upsert is a visibility write.
   */
  async flush(how: { atEnd?: boolean } = {}): Promise<void> {
    const { config, state } = this.host;
    const batch = state.uncharged;
    if (!batch) return;
    upsertCost(state.costUsd);
    state.uncharged = undefined;
    state.chargedAt = Date.now();
    const day = utcDay(new Date().toISOString());
    const to = state.iterations;
    try {
      // At the end, queued (eagerly dispatched): the workflow task completes at once, and the
      // owners' reports go out beside the charge instead of after it.
      const summary = `charge ${formatUsd(batch.usd)}`;
      const charge = how.atEnd
        ? activities(BOOKKEEPING, summary).chargeCost
        : localActivities(LOCAL_BOOKKEEPING, summary).chargeCost;
      const charged = await charge({
        agentId: config.id,
        // One id per call (or run of calls), stable across replays and continue-as-new: a retry counts once.
        callId: batch.from === to ? `${config.id}.${to}` : `${config.id}.${batch.from}-${to}`,
        costUsd: batch.usd,
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
      // The agent's own total stands; the shared totals miss this batch.
      wf.log.warn('could not charge the session and the day', { agentId: config.id, error: String(err) });
    }
  }

  /** A budget shared with other agents is kept: its totals must be current before the next call. */
  private sharedBudget(): boolean {
    const { config, state } = this.host;
    if (config.budget?.dailyUsd !== undefined) return true;
    // An agent not told whether its session keeps a budget learns it from its first charge.
    if (config.sessionId && config.sessionBudgeted !== false && !state.ledgers) return true;
    return state.ledgers?.session?.limitUsd !== undefined;
  }

  private chargeDue(): boolean {
    const { config, state } = this.host;
    const seconds = config.tuning.usageReportSeconds ?? DEFAULT_TUNING.usageReportSeconds;
    return Date.now() - (state.chargedAt ?? Date.parse(state.startedAt)) >= seconds * 1000;
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
