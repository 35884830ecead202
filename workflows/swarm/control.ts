/**
 * A swarm's own state, which every strategy shares: its status under pause, resume and cancel
 * (passed on to its running agents), its event log, its members' usage against its budgets,
 * and how an agent that ended is settled. SwarmRun (run.ts) starts the agents on top of it.
 */
import * as wf from '@temporalio/workflow';
import { emptyUsage, type AgentResult } from '../../src/domain/agent';
import { appendEvent, emptyEventLog, eventsQueried, type SwarmEventBody } from '../../src/domain/events';
import type { GraphView } from '../../src/domain/graph';
import type { UsageReport } from '../../src/domain/protocol-payloads';
import type { CacheEntry } from '../../src/domain/result-cache';
import type { AgentStatus } from '../../src/domain/status';
import type { Strategy, SwarmInput } from '../../src/domain/swarm';
import type { SwarmAgent } from '../../src/domain/swarm-outcome';
import { OrchestraStatus } from '../../src/domain/search-attributes';
import { upsertCost } from '../cost-attribute';
import { broadcast, signalAgents } from './agent-signals';
import { StartSlots } from './start-slots';
import type { Intake } from './grow';
import { SwarmUsage } from './usage';
import { budgetExceeded, finalReport, swarmDetails, usageOf } from './report';
import { pauseSignal, resumeSignal } from '../protocol';

export const now = (): string => new Date().toISOString();

export class SwarmControl {
  readonly agents: SwarmAgent[] = [];
  protected status: AgentStatus = 'running';
  private pausedReason?: string;
  protected stopReason?: { status: 'cancelled' | 'failed'; reason: string };
  /** Cancelled by the CLI or the API, which cancel the workflow through Temporal next: end as Canceled. */
  protected temporalCancelFollows = false;
  protected readonly scopes = new Map<string, wf.CancellationScope>();
  /** Members cancelled before they had a scope (while looked up in the result cache), and why. */
  protected readonly cancelledEarly = new Map<string, string>();
  protected readonly slots = new StartSlots(() => this.status === 'paused');
  protected readonly usage = new SwarmUsage();
  /** A parallel swarm's members, with those added while it runs (workflows/swarm/grow.ts). */
  intake?: Intake;
  /** A graph swarm's subtasks as they stand (workflows/swarm/graph.ts). */
  protected graphView?: () => GraphView;
  /** What the API streams: agents spawned, their status and tokens, kills, the swarm's own status. */
  private readonly log = emptyEventLog<SwarmEventBody>();

  constructor(
    readonly input: SwarmInput,
    readonly strategy: Strategy,
  ) {}

  /** Pause, resume and cancel as the control handlers (handlers.ts) apply them. */
  pause(reason?: string): void {
    this.pausedReason = reason;
    this.setStatus('paused', reason);
    signalAgents(this.scopes.keys(), pauseSignal, this.pausePayload());
  }

  resume(): void {
    this.setStatus('running');
    this.pausedReason = undefined;
    signalAgents(this.scopes.keys(), resumeSignal, {});
  }

  cancel(reason: string, temporalCancelFollows: boolean): void {
    this.temporalCancelFollows = temporalCancelFollows;
    this.stop('cancelled', reason);
  }

  get currentStatus(): AgentStatus {
    return this.status;
  }

  /** A broadcast to every agent running now. */
  broadcast(b: Parameters<typeof broadcast>[1]): void {
    broadcast(this.scopes.keys(), b);
  }

  events(raw: unknown) {
    return eventsQueried(this.log, raw);
  }

  record(body: SwarmEventBody): void {
    appendEvent(this.log, body, now());
  }

  /** A member's usage, from its report or its result: into the totals, the events and the budgets. */
  account(report: UsageReport, fromResult = false): void {
    const taken = this.usage.take(report);
    if (!taken) return; // an older report, overtaken
    const { before } = taken;
    // settle() records the status of an agent that has ended.
    if (!fromResult && report.status && report.status !== before?.status)
      this.record({ type: 'agent_status', agentId: report.agentId, to: report.status });
    const tokens = this.usage.tokensEvent(report, before);
    if (tokens) {
      this.record(tokens);
      if ((report.costUsd ?? 0) !== (before?.costUsd ?? 0)) upsertCost(this.usage.total.costUsd);
    }
    this.checkBudgets();
  }

  protected setStatus(to: AgentStatus, reason?: string): void {
    const from = this.status;
    if (from === to) return;
    this.status = to;
    this.record({ type: 'status', from, to, ...(reason ? { reason } : {}) });
    wf.upsertSearchAttributes([{ key: OrchestraStatus, value: to }]);
    this.showDetails();
  }

  /** A member's latest usage report (the collapse controller scores branches from it). */
  latestReport(agentId: string): UsageReport | undefined {
    return this.usage.of(agentId);
  }

  /** Cancel one running agent (the losers of a `first` merge). */
  cancelAgent(id: string, reason: string): void {
    const scope = this.scopes.get(id);
    if (!scope) {
      // Not started yet (looked up in the result cache): it is cancelled as it would start.
      if (this.agents.some((a) => a.id === id && !a.endedAt)) this.cancelledEarly.set(id, reason);
      return;
    }
    this.record({ type: 'killed', agentId: id, reason });
    scope.cancel();
  }

  /** The swarm's stop reason, if it was stopped (read afresh: it changes while members wait). */
  protected whyStopped(): string | undefined {
    return this.stopReason?.reason;
  }

  get stopped(): boolean {
    return this.stopReason !== undefined;
  }

  /** Show a graph's subtasks in the query, the outcome and the Web UI's details. */
  viewGraph(view: () => GraphView): void {
    this.graphView = view;
    this.showDetails();
  }

  /** The Web UI's "current details": the swarm's status, counts, and where its agents (or subtasks) stand. */
  showDetails(): void {
    wf.setCurrentDetails(swarmDetails(this.status, this.strategy, this.agents, this.graphView?.()));
  }

  protected settle(agent: SwarmAgent, status: AgentStatus, result?: AgentResult, error?: string): void {
    agent.status = status;
    agent.endedAt = now();
    agent.result = result?.result;
    agent.error = result?.error ?? error;
    agent.metrics = result?.metrics;
    if (result) {
      agent.usage = result.totals;
      // The agent's last usage comes with its result, not in a report (agent/core.ts).
      this.account(finalReport(agent, result), true);
    } else if (this.usage.of(agent.id)) {
      // A cancelled child returns no result: what it used is what it last reported.
      agent.usage = usageOf(this.usage.of(agent.id));
    }
    this.record({
      type: 'agent_status',
      agentId: agent.id,
      to: status,
      ...(agent.error ? { error: agent.error } : {}),
    });
    this.showDetails();
  }

  protected pausePayload(): { reason: string } {
    return { reason: `swarm ${this.input.id} paused${this.pausedReason ? `: ${this.pausedReason}` : ''}` };
  }

  protected stop(status: 'cancelled' | 'failed', reason: string): void {
    if (this.stopReason) return;
    this.stopReason = { status, reason };
    for (const id of [...this.scopes.keys()]) this.cancelAgent(id, reason);
  }

  /** Agents started, and its own listed but not started yet: what maxSubagents holds an added one to. */
  headcount(): number {
    return this.spawned() + this.agents.filter((a) => !a.endedAt && !this.usage.members.has(a.id)).length;
  }

  /** Agents started for this swarm at any depth: its own, and the subagents that reported. */
  protected spawned(): number {
    return this.usage.members.size;
  }

  private checkBudgets(): void {
    const exceeded = budgetExceeded(this.input.budgets, this.usage.total, this.spawned());
    if (exceeded) this.stop('failed', exceeded);
  }

  /** A member served from the result cache: completed with the answer kept, at no cost now. */
  protected settleCached(agent: SwarmAgent, entry: CacheEntry): void {
    agent.cached = true;
    agent.usage = emptyUsage();
    this.record({
      type: 'cache_hit',
      agentId: agent.id,
      name: agent.name,
      role: agent.role,
      from: entry.agentId,
    });
    this.settle(agent, 'completed');
    agent.result = entry.result;
  }
}
