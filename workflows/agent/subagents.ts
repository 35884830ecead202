/**
 * The `task` tool: an agent starts a subagent, a child agentWorkflow, and waits for its
 * result, which comes back as the tool's result, or lets it run in the background
 * (children.ts watches those). Pause and resume reach the children.
 */
import * as wf from '@temporalio/workflow';
import { agentWorkflowId, type AgentConfig, type Usage } from '../../src/domain/agent';
import { resolveBudget } from '../../src/domain/cost';
import { subagentFooter, SUBAGENT_NOTE, SUBAGENT_PROMPT, workerConfig } from '../../src/domain/delegation';
import { AGENT_FAILED } from '../../src/domain/failures';
import { delegatedGovernance } from '../../src/domain/governance';
import { DEFAULT_HOOK_SETTINGS } from '../../src/domain/hook-settings';
import { resolvePolicy } from '../../src/domain/policy';
import type { ResolvedProfile } from '../../src/domain/profile';
import { delegatedLimits } from '../../src/domain/resolve';
import { startedInBackground, type SubagentRecord } from '../../src/domain/subagent-records';
import { pickWorker } from '../../src/domain/supervisor-workers';
import type { ToolOutcome } from '../../src/domain/tool-calls';
import { withTaskCompanions } from '../../src/domain/tool-names';
import type { ToolArgs, ToolName } from '../../src/domain/tools';
import { Children } from './children';
import { signalEach } from '../signal-group';
import { failedResult, startChildAgent } from './child-agent';
import { activities, IDEMPOTENT_TOOL } from './activity-options';
import { pauseSignal, resumeSignal } from '../protocol';
import { SwarmWorkers } from './swarm-workers';

/** A registry entry's model and governance for a subagent: never looser than its parent's. */
function asProfile(parent: AgentConfig, profile: ResolvedProfile): Partial<AgentConfig> {
  const base = {
    policy: parent.policy ?? resolvePolicy(),
    budget: parent.budget ?? resolveBudget(),
    hooks: parent.hooks ?? DEFAULT_HOOK_SETTINGS,
  };
  return {
    model: profile.model,
    backend: profile.backend,
    temperature: profile.temperature ?? parent.temperature,
    profile: profile.name,
    ...delegatedGovernance(base, profile.governance),
  };
}

export class Subagents {
  /** Children running now: the ones pause and resume must reach. */
  private readonly active = new Set<string>();
  /** Delegations in order: ticket n may start once n - maxConcurrent of them are done. */
  private readonly delegations = { issued: 0, done: 0 };
  /** Every subagent's record; the background ones' watch (`task_output`, `task_cancel`, `task_list`). */
  readonly children: Children;
  /** A supervisor's workers that its swarm runs (delegation.throughSwarm). */
  private readonly swarmWorkers: SwarmWorkers;

  constructor(
    private readonly config: AgentConfig,
    /** Ids started so far, and every subagent's record, kept in the agent's state across continue-as-new. */
    private readonly started: string[],
    records: SubagentRecord[],
    private readonly on: {
      /** A subagent was started. */
      spawned: (child: AgentConfig) => void;
      /** What a finished subagent used, its own subagents included. */
      finished: (totals: Usage) => void;
      /** A background subagent ended: its message for the agent's next turn. */
      notify: (text: string, from: string) => void;
    },
  ) {
    // An agent that may start subagents may read, stop and list them (settled into the config,
    // as the wall clock is: the model is offered them from the first call on).
    config.tools = withTaskCompanions(config.tools);
    this.children = new Children({ config, records, finished: on.finished, notify: on.notify });
    this.swarmWorkers = new SwarmWorkers(config, this.children, on.spawned);
  }

  /** The swarm's answers to a supervisor whose swarm runs its workers; no handler for other agents. */
  installHandlers(ignored: (signal: string, reason: string) => void): void {
    if (this.config.delegation?.throughSwarm) this.swarmWorkers.install(ignored);
  }

  /** The `task` tool: a subagent like its parent, on a subtask. */
  async task(args: ToolArgs<'task'>): Promise<ToolOutcome> {
    const refusal = this.refusal(args.tools);
    if (refusal) return { ok: false, error: refusal };
    const parent = this.config;
    let profile: ResolvedProfile | undefined;
    if (args.agent) {
      try {
        profile = await activities(IDEMPOTENT_TOOL, `look up agent ${args.agent}`).lookupAgent({
          name: args.agent,
        });
      } catch (err) {
        const cause = err instanceof wf.ActivityFailure && err.cause ? err.cause.message : String(err);
        return { ok: false, error: `refused: ${cause}` };
      }
    }
    return this.start(
      {
        ...parent,
        ...(profile ? asProfile(parent, profile) : {}),
        id: this.nextId(),
        name: args.description,
        type: 'subagent',
        systemPrompt: profile ? `${profile.systemPrompt}\n\n${SUBAGENT_NOTE}` : SUBAGENT_PROMPT,
        tools:
          args.tools ??
          (profile?.tools ? profile.tools.filter((t) => parent.tools.includes(t)) : parent.tools),
        limits: {
          ...delegatedLimits(parent.limits, profile?.limits),
          maxIterations: args.maxIterations ?? profile?.limits?.maxIterations ?? parent.limits.maxIterations,
        },
        parentId: parent.id,
        lineage: [...(parent.lineage ?? []), parent.id],
        depth: parent.depth + 1,
        delegation: undefined,
      },
      args.prompt,
      false,
      args.background === true,
    );
  }

  /** The `delegate` tool: a supervisor hands work to a worker, at most `maxConcurrent` at once. */
  async delegate(args: ToolArgs<'delegate'>): Promise<ToolOutcome> {
    const delegation = this.config.delegation;
    if (!delegation) return { ok: false, error: 'refused: this agent has no workers to delegate to' };
    const { maxConcurrent, maxWorkers } = delegation;
    // One template for all, or the named worker asked for (a wrong name is the model's to fix).
    const picked = pickWorker(delegation, args.worker);
    if ('error' in picked) return { ok: false, error: picked.error };
    const { worker } = picked;
    if (this.started.length >= maxWorkers) {
      return {
        ok: false,
        error: `refused: all ${maxWorkers} workers (maxWorkers) have been used; do the rest yourself`,
      };
    }
    const refusal = this.refusal(worker.tools);
    if (refusal) return { ok: false, error: refusal };
    const id = this.nextId();
    this.started.push(id); // counted now, so concurrent delegations cannot overshoot maxWorkers
    const child = workerConfig(
      this.config,
      worker,
      id,
      args.name ?? worker.name ?? `worker ${this.started.length}`,
    );
    // Tickets, not a count of the running: conditions unblock together, a count would let all pass.
    const ticket = this.delegations.issued++;
    await wf.condition(() => ticket < this.delegations.done + maxConcurrent);
    try {
      if (delegation.throughSwarm) return await this.swarmWorkers.run(child, args);
      return await this.start(child, args.task, true);
    } finally {
      this.delegations.done += 1;
    }
  }

  private nextId(): string {
    return `${this.config.id}.${this.started.length + 1}`;
  }

  private async start(
    child: AgentConfig,
    task: string,
    counted = false,
    background = false,
  ): Promise<ToolOutcome> {
    if (!counted) this.started.push(child.id);
    this.active.add(child.id);
    const summary = `${child.name} (${background ? 'background ' : ''}subagent of ${this.config.name})`;
    if (background) return this.startBackground(child, task, summary);
    try {
      const handle = await startChildAgent(child, task, summary);
      this.on.spawned(child);
      this.children.began(child, false);
      const result = await handle.result();
      this.on.finished(result.totals);
      this.children.ended(child.id, result.status);
      if (result.status !== 'completed')
        return { ok: false, error: `subagent ${child.id} was ${result.status}` };
      return { ok: true, output: `${result.result ?? ''}\n\n${subagentFooter(result)}`.trim() };
    } catch (err) {
      // Our own cancellation travels on; a child cancelled or failed on its own is a tool error.
      if (wf.isCancellation(err) && wf.CancellationScope.current().consideredCancelled) throw err;
      const failed = failedResult(err);
      if (failed) this.on.finished(failed.totals);
      this.children.ended(child.id, failed?.status ?? (wf.isCancellation(err) ? 'cancelled' : 'failed'));
      return { ok: false, error: `subagent ${child.id} ${describeFailure(err)}` };
    } finally {
      this.active.delete(child.id);
    }
  }

  /** Start a subagent and return at once with its id; its end comes as a message (children.ts). */
  private async startBackground(child: AgentConfig, task: string, summary: string): Promise<ToolOutcome> {
    try {
      await this.children.startBackground(
        child,
        () => startChildAgent(child, task, summary),
        () => this.active.delete(child.id),
      );
    } catch (err) {
      this.active.delete(child.id);
      if (wf.isCancellation(err) && wf.CancellationScope.current().consideredCancelled) throw err;
      return { ok: false, error: `subagent ${child.id} did not start: ${describeFailure(err)}` };
    }
    this.on.spawned(child);
    return { ok: true, output: startedInBackground(child.id, child.name) };
  }

  /** Pass a pause or a resume on to the children running now. */
  propagate(action: 'pause' | 'resume', payload: object): void {
    const ids = [...this.active].map(agentWorkflowId);
    void signalEach(ids, action === 'pause' ? pauseSignal : resumeSignal, payload);
  }

  private refusal(requestedTools: ToolName[] | undefined): string | undefined {
    const { limits, depth, tools } = this.config;
    if (depth >= limits.maxDepth) {
      return `refused: subagents may nest ${limits.maxDepth} deep and this agent is at depth ${depth}; do the subtask yourself`;
    }
    if (this.started.length >= limits.maxSubagents) {
      return `refused: this agent has started its ${limits.maxSubagents} subagents (maxSubagents); do the rest yourself`;
    }
    const foreign = (requestedTools ?? []).filter((t) => !tools.includes(t) && t !== 'delegate');
    if (foreign.length)
      return `refused: a subagent can only get tools you have; you lack ${foreign.join(', ')}`;
    return undefined;
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof wf.ChildWorkflowFailure) {
    const cause = err.cause;
    if (cause instanceof wf.ApplicationFailure && cause.type === AGENT_FAILED)
      return `failed: ${cause.message}`;
    if (wf.isCancellation(cause)) return 'was cancelled';
    return `failed: ${cause?.message ?? err.message}`;
  }
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}
