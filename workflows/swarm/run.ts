/**
 * What every swarm strategy shares: starting agents as child workflows, passing pause,
 * resume and cancel on to them, keeping the budgets, and reporting.
 */
import * as wf from '@temporalio/workflow';
import {
  appendEvent,
  emptyEventLog,
  emptyUsage,
  eventsQueried,
  type AgentConfig,
  type AgentResult,
  type AgentStatus,
  type AgentTemplate,
  type GraphView,
  type Landing,
  type SwarmWorktrees,
  type Strategy,
  type SwarmAgent,
  type SwarmEventBody,
  type SwarmInput,
  type SwarmOutcome,
  type UsageReport,
} from '../../src/domain';
import { OrchestraStatus } from '../../src/domain/search-attributes';
import { upsertCost } from '../cost-attribute';
import { childErrorText, failedResult, startChildAgent } from '../agent/child-agent';
import { broadcast, signalAgents } from './agent-signals';
import { swarmAgentConfig } from './agents';
import { StartSlots } from './start-slots';
import { Isolation, writes } from './isolation';
import { SwarmUsage } from './usage';
import { budgetExceeded, finalReport, swarmDetails, swarmReport } from './report';
import { pauseSignal, resumeSignal } from '../protocol';
import { installSwarmHandlers } from './handlers';
import { SwarmStopped, type StrategyOutcome } from './outcome';

export { SwarmStopped, type StrategyOutcome } from './outcome';

const now = (): string => new Date().toISOString();

export class SwarmRun {
  readonly agents: SwarmAgent[] = [];
  private status: AgentStatus = 'running';
  private pausedReason?: string;
  private stopReason?: { status: 'cancelled' | 'failed'; reason: string };
  /** Cancelled by the CLI or the API, which cancel the workflow through Temporal next: end as Canceled. */
  private temporalCancelFollows = false;
  private readonly scopes = new Map<string, wf.CancellationScope>();
  private readonly slots = new StartSlots(() => this.status === 'paused');
  private readonly usage = new SwarmUsage();
  private readonly startedAt = now();
  private outcome?: StrategyOutcome;
  /** A graph swarm's subtasks as they stand (workflows/swarm/graph.ts). */
  private graphView?: () => GraphView;
  /** Coding agents in worktrees of their own (workflows/swarm/isolation.ts), and what came of them. */
  private isolation?: Isolation;
  private worktrees?: SwarmWorktrees;
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

  private setStatus(to: AgentStatus, reason?: string): void {
    const from = this.status;
    if (from === to) return;
    this.status = to;
    this.record({ type: 'status', from, to, ...(reason ? { reason } : {}) });
    wf.upsertSearchAttributes([{ key: OrchestraStatus, value: to }]);
    this.showDetails();
  }

  /** Run the strategy, and turn a stop (cancel, budget) into the swarm's outcome. */
  async execute(strategy: () => Promise<StrategyOutcome>): Promise<SwarmOutcome> {
    wf.upsertSearchAttributes([{ key: OrchestraStatus, value: 'running' }]);
    try {
      const opened = await Isolation.open(this.input);
      if (opened && 'refused' in opened) {
        this.setStatus('failed', opened.refused);
        this.outcome = { status: 'failed', error: opened.refused, criticalPathMs: 0 };
        return this.report();
      }
      this.isolation = opened;
      this.outcome = await strategy();
    } catch (err) {
      if (wf.isCancellation(err)) {
        // Cancelled through Temporal itself: the children are cancelled with it; record it and end Canceled.
        // Cancelled by a person (the CLI, the API) first, the outcome says why, as when it ends by itself.
        if (this.stopReason)
          this.outcome = {
            status: 'failed',
            error: this.stopReason.reason,
            criticalPathMs: this.outcome?.criticalPathMs ?? 0,
          };
        await wf.CancellationScope.nonCancellable(async () => {
          await this.agentsSettled();
          await this.closeIsolation();
          this.setStatus('cancelled', this.stopReason?.reason);
        });
        throw err;
      }
      if (!(err instanceof SwarmStopped)) {
        await this.closeIsolation();
        throw err;
      }
    }
    if (this.stopReason) {
      this.outcome = {
        status: 'failed',
        error: this.stopReason.reason,
        criticalPathMs: this.outcome?.criticalPathMs ?? 0,
      };
      await this.agentsSettled();
      await this.closeIsolation();
      this.setStatus(this.stopReason.status, this.stopReason.reason);
      // The cancel through Temporal interrupts this, and the run ends Canceled (bounded: a caller may die first).
      if (this.stopReason.status === 'cancelled' && this.temporalCancelFollows) await wf.sleep('10 seconds');
    } else {
      await this.closeIsolation();
      this.setStatus(this.outcome?.status ?? 'failed', this.outcome?.error);
    }
    return this.report();
  }

  /** Worktrees removed, branches with unmerged work kept: what a person finds after the swarm. */
  private async closeIsolation(): Promise<void> {
    if (this.isolation)
      this.worktrees = await wf.CancellationScope.nonCancellable(() => this.isolation!.close());
  }

  /** Merge an isolated member's work into the swarm's branch (a strategy's choice). */
  merge(agent: SwarmAgent): Promise<Landing> {
    return this.isolation?.merge(agent) ?? Promise.resolve('empty');
  }

  /**
   * Until every agent has acknowledged its cancellation: else the swarm says `cancelled` (or
   * closes, terminating its children mid-cancel) while agents still show running. Bounded: an
   * agent without a worker may never answer. Swarms stopped before this replay as they ran.
   */
  private async agentsSettled(): Promise<void> {
    if (wf.patched('swarm-cancel-waits-for-agents'))
      await wf.condition(() => this.scopes.size === 0, '1 minute');
  }

  /** Run one agent to its end. An agent's failure is its outcome, not an exception. */
  async runAgent(
    template: AgentTemplate,
    task: string,
    role: string,
    extra: Partial<AgentConfig> = {},
    options: { isolate?: boolean } = {},
  ): Promise<SwarmAgent> {
    await wf.condition(() => this.status !== 'paused' || this.stopReason !== undefined);
    if (this.stopReason) throw new SwarmStopped(this.stopReason.reason);
    const { budgets } = this.input;
    if (this.spawned() >= budgets.maxSubagents) {
      this.stop('failed', `budget exceeded: maxSubagents (${budgets.maxSubagents})`);
      throw new SwarmStopped(this.stopReason!.reason);
    }
    const config = { ...swarmAgentConfig(this.input, template, role, this.agents.length + 1), ...extra };
    const agent: SwarmAgent = {
      id: config.id,
      name: config.name,
      role,
      status: 'running',
      usage: emptyUsage(),
      startedAt: now(),
    };
    this.agents.push(agent);
    this.usage.members.add(agent.id);
    this.showDetails();
    // A coding agent of a parallel or graph swarm works in a worktree of its own.
    const isolated = this.isolation && options.isolate && writes(config.tools) ? this.isolation : undefined;
    const unplaced = isolated && (await isolated.place(agent, config));
    if (unplaced) return (this.settle(agent, 'failed', undefined, unplaced), agent);
    const scope = new wf.CancellationScope();
    this.scopes.set(agent.id, scope);
    let started = false;
    try {
      const result = await scope.run(async () => {
        const child = await this.slots.start(
          () => startChildAgent(config, task, `${config.name} (${role}) in swarm ${this.input.id}`),
          // The pause went out to the agents while this one was being started: it missed it.
          () => signalAgents([config.id], pauseSignal, this.pausePayload()),
        );
        started = true;
        agent.startedAt = now();
        this.record({ type: 'spawned', agentId: config.id, name: config.name, role });
        return child.result();
      });
      this.settle(agent, result.status, result);
    } catch (err) {
      if (wf.isCancellation(err) && wf.CancellationScope.current().consideredCancelled) {
        // The swarm itself is cancelled through Temporal: its agents are, with it.
        this.settle(agent, 'cancelled', undefined, childErrorText(err));
        throw err;
      }
      // Stopped while waiting for a start slot: no time of its own to count.
      if (!started) agent.startedAt = now();
      const failed = failedResult(err);
      if (failed) this.settle(agent, 'failed', failed);
      else
        this.settle(agent, wf.isCancellation(err) ? 'cancelled' : 'failed', undefined, childErrorText(err));
    } finally {
      this.scopes.delete(agent.id);
    }
    // Its work, whatever its outcome, on its branch: kept there unless its strategy merges it.
    if (isolated) await wf.CancellationScope.nonCancellable(() => isolated.commit(agent));
    return agent;
  }

  /** A member's latest usage report (the collapse controller scores branches from it). */
  latestReport(agentId: string): UsageReport | undefined {
    return this.usage.of(agentId);
  }

  /** Cancel one running agent (the losers of a `first` merge). */
  cancelAgent(id: string, reason: string): void {
    const scope = this.scopes.get(id);
    if (!scope) return;
    this.record({ type: 'killed', agentId: id, reason });
    scope.cancel();
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

  private settle(agent: SwarmAgent, status: AgentStatus, result?: AgentResult, error?: string): void {
    agent.status = status;
    agent.endedAt = now();
    agent.result = result?.result;
    agent.error = result?.error ?? error;
    agent.metrics = result?.metrics;
    if (result) {
      agent.usage = result.totals;
      // The agent's last usage comes with its result, not in a report (agent/core.ts).
      this.account(finalReport(agent, result), true);
    }
    this.record({
      type: 'agent_status',
      agentId: agent.id,
      to: status,
      ...(agent.error ? { error: agent.error } : {}),
    });
    this.showDetails();
  }

  private pausePayload(): { reason: string } {
    return { reason: `swarm ${this.input.id} paused${this.pausedReason ? `: ${this.pausedReason}` : ''}` };
  }

  private stop(status: 'cancelled' | 'failed', reason: string): void {
    if (this.stopReason) return;
    this.stopReason = { status, reason };
    for (const id of [...this.scopes.keys()]) this.cancelAgent(id, reason);
  }

  /** Agents started for this swarm at any depth: its own, and the subagents that reported. */
  private spawned(): number {
    return this.usage.members.size;
  }

  private checkBudgets(): void {
    const exceeded = budgetExceeded(this.input.budgets, this.usage.total, this.spawned());
    if (exceeded) this.stop('failed', exceeded);
  }

  report(): SwarmOutcome {
    const { input, strategy, status, outcome, agents, startedAt } = this;
    const graph = this.graphView?.();
    const worktrees = this.worktrees ?? this.isolation?.summary();
    return swarmReport(
      { input, strategy, status, outcome, agents, graph, worktrees, startedAt, at: now() },
      this.usage,
    );
  }
}

/** Every swarm workflow: a SwarmRun with its handlers, executing one strategy. */
export function runSwarm<S>(
  input: SwarmInput,
  strategy: Strategy,
  run: (swarm: SwarmRun, spec: S) => Promise<StrategyOutcome>,
): Promise<SwarmOutcome> {
  const swarm = new SwarmRun(input, strategy);
  installSwarmHandlers(swarm);
  return swarm.execute(() => run(swarm, input.spec as S));
}
