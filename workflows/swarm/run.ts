/**
 * What every swarm strategy shares: starting agents as child workflows (or serving them from
 * the result cache), in worktrees of their own when they write, and reporting. The swarm's
 * status, control, usage and budgets are SwarmControl's (control.ts).
 */
import * as wf from '@temporalio/workflow';
import { emptyUsage, type AgentConfig } from '../../src/domain/agent';
import type { AgentTemplate } from '../../src/domain/agent-template';
import type { SwarmInput, Strategy } from '../../src/domain/swarm';
import type { Landing, SwarmAgent, SwarmOutcome } from '../../src/domain/swarm-outcome';
import { OrchestraStatus } from '../../src/domain/search-attributes';
import { childErrorText, failedResult, startChildAgent } from '../agent/child-agent';
import { signalAgents } from './agent-signals';
import { swarmAgentConfig } from './agents';
import { MemberCache } from './cache';
import { SwarmControl, now } from './control';
import { Isolation, writes, type IsolationView, type MemberIsolation } from './isolation';
import { swarmReport } from './report';
import { pauseSignal } from '../protocol';
import { installSwarmHandlers } from './handlers';
import { SwarmStopped, type StrategyOutcome } from './outcome';
import type { DelegatedWorkers } from './delegated';

export { SwarmStopped, type StrategyOutcome } from './outcome';

export class SwarmRun extends SwarmControl {
  private readonly startedAt = now();
  private outcome?: StrategyOutcome;
  /** Coding agents in worktrees of their own (workflows/swarm/isolation.ts), and what came of them. */
  private isolation?: MemberIsolation;
  /** Whether its trees are ready (or none are wanted): an agent added before waits for them. */
  private isolationSettled = false;
  private worktrees?: IsolationView;
  /** A supervisor's workers, when the swarm runs them (delegated.ts). */
  delegated?: DelegatedWorkers;
  /** Members that only read, served from the result cache when they ran before (cache.ts). */
  private readonly cache = new MemberCache(this.input, (body) => this.record(body));

  /** Run the strategy, and turn a stop (cancel, budget) into the swarm's outcome. */
  async execute(strategy: () => Promise<StrategyOutcome>): Promise<SwarmOutcome> {
    wf.upsertSearchAttributes([{ key: OrchestraStatus, value: 'running' }]);
    try {
      const opened = await Isolation.open(this.input, this).finally(() => {
        this.isolationSettled = true;
      });
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

  /** Its members' trees, when they work in trees of their own. */
  get isolated(): MemberIsolation | undefined {
    return this.isolation;
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
    /** isolate: in a tree of its own when it writes; configured: a last say on its config (a supervisor's). */
    options: { isolate?: boolean; configured?: (config: AgentConfig) => void } = {},
  ): Promise<SwarmAgent> {
    // Added (an open swarm's Update) while the worktrees were still being made, it would work in
    // the user's own tree: it waits for them. Swarms that took an agent this early replay as they ran.
    if (!this.isolationSettled && wf.patched('swarm-agents-wait-for-isolation'))
      await wf.condition(() => this.isolationSettled);
    await wf.condition(() => this.status !== 'paused' || this.stopReason !== undefined);
    if (this.stopReason) throw new SwarmStopped(this.stopReason.reason);
    const { budgets } = this.input;
    if (this.spawned() >= budgets.maxSubagents) {
      this.stop('failed', `budget exceeded: maxSubagents (${budgets.maxSubagents})`);
      throw new SwarmStopped(this.stopReason!.reason);
    }
    const config = { ...swarmAgentConfig(this.input, template, role, this.agents.length + 1), ...extra };
    options.configured?.(config);
    const agent: SwarmAgent = {
      id: config.id,
      name: config.name,
      role,
      status: 'running',
      usage: emptyUsage(),
      startedAt: now(),
    };
    this.agents.push(agent);
    this.showDetails();
    // A coding agent of a parallel or graph swarm works in a worktree of its own.
    const isolated = this.isolation && options.isolate && writes(config.tools) ? this.isolation : undefined;
    const looked = this.cache.wants(agent, config, isolated?.kind);
    // A writer is looked up in its worktree (its key holds that tree's hash): placed first.
    const worktree = looked === 'writer' && isolated instanceof Isolation ? isolated : undefined;
    let unplaced = worktree && (await worktree.place(agent, config, task));
    const ticket = looked && !unplaced ? await this.fromCache(agent, config, task, worktree) : undefined;
    if (ticket === 'served') return agent;
    // Stopped, or cancelled alone (a first merge's loser), while it was looked up.
    const cancelled = this.whyStopped() ?? this.cancelledEarly.get(agent.id);
    if (looked && cancelled !== undefined) {
      if (!this.stopped) this.record({ type: 'killed', agentId: agent.id, reason: cancelled });
      return (this.settle(agent, 'cancelled', undefined, cancelled), agent);
    }
    this.usage.members.add(agent.id);
    if (isolated && !worktree) unplaced = await isolated.place(agent, config, task);
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
    if (ticket)
      await wf.CancellationScope.nonCancellable(() =>
        this.cache.store(ticket, agent, worktree?.recorded(agent)),
      );
    return agent;
  }

  /**
   * A member that ran before on the same tree: settled with the answer kept, no child started
   * ('served'); a writer's recorded work landed again on its branch, as its own. Else what
   * storing its answer takes, when it may be stored.
   */
  private async fromCache(agent: SwarmAgent, config: AgentConfig, task: string, worktree?: Isolation) {
    try {
      const site = worktree?.site(agent, config.cwd);
      const looked = await this.cache.lookup(agent, config, task, site);
      if (looked && 'hit' in looked) {
        this.settleCached(agent, looked.hit);
        const work = looked.hit.work;
        if (worktree && work)
          await wf.CancellationScope.nonCancellable(() => worktree.replay(agent, work.commit));
        return 'served' as const;
      }
      return looked?.ticket;
    } catch (err) {
      // Only a cancellation gets here (the cache's own failures mean "not cached").
      this.settle(agent, 'cancelled', undefined, childErrorText(err));
      throw err;
    }
  }

  report(): SwarmOutcome {
    const { input, strategy, status, outcome, agents, startedAt } = this;
    const graph = this.graphView?.();
    const isolated = this.worktrees ?? this.isolation?.summary();
    const cache = this.cache.stats();
    return swarmReport(
      { input, strategy, status, outcome, agents, graph, ...isolated, cache, startedAt, at: now() },
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
