/**
 * A supervisor's workers, run by its swarm when the swarm isolates them (a git repository, or
 * isolation "copy"): the supervisor works in the tree the workers' work lands in (the swarm's
 * worktree, or cwd), and its `delegate` tool asks the swarm (the `delegate` signal) to run each
 * worker. The swarm runs it as it runs a parallel swarm's members, with the same isolation (in
 * a tree of its own when it writes, forked from the swarm's branch as it stands then, its work
 * committed when it ends), merges its work at once when it completed, and answers the
 * supervisor (the `delegated` signal) with its result and where its work went: merged, or kept
 * on its branch with the files of the conflict. One isolation for every strategy: SwarmRun's.
 */
import * as wf from '@temporalio/workflow';
import { agentWorkflowId, type AgentConfig } from '../../src/domain/agent';
import {
  delegatedAnswer,
  workerConfig,
  type DelegatedAnswer,
  type DelegateRequest,
  type WorkerLanding,
} from '../../src/domain/delegation';
import { pickWorker } from '../../src/domain/supervisor-workers';
import type { SwarmAgent } from '../../src/domain/swarm-outcome';
import { withTaskCompanions } from '../../src/domain/tool-names';
import { delegatedSignal } from '../protocol';
import type { MemberIsolation } from './isolation';
import { SwarmStopped } from './outcome';
import type { SwarmRun } from './run';

/**
 * A delegation the swarm refused, answered: the supervisor that asked waits for an answer. It
 * goes to the agent the worker's id names (`<supervisor>.<n>`), which drops an answer it did not ask for.
 */
export function answerRefusal(request: DelegateRequest, reason: string): void {
  const at = request.id.lastIndexOf('.');
  if (at <= 0) return;
  const answer: DelegatedAnswer = { id: request.id, status: 'failed', ok: false, text: `refused: ${reason}` };
  void wf
    .getExternalWorkflowHandle(agentWorkflowId(request.id.slice(0, at)))
    .signal(delegatedSignal, answer)
    .catch(() => undefined);
}

export class DelegatedWorkers {
  /** The supervisor's config, as its workers are made from it (agent/subagents.ts makes them the same way). */
  private lead?: AgentConfig;
  /** Each worker's run, by id, until its answer is sent. */
  private readonly runs = new Map<string, Promise<void>>();
  /** The supervisor has ended: no more workers. */
  private closed = false;

  constructor(
    private readonly swarm: SwarmRun,
    private readonly isolation: MemberIsolation,
  ) {}

  /** The supervisor about to start: it works where its workers' work lands, and delegates through the swarm. */
  leads(config: AgentConfig): void {
    config.cwd = this.isolation.share(config);
    config.delegation = { ...config.delegation!, throughSwarm: true };
    // Its tools as its workflow has them (agent/subagents.ts adds task's companions).
    this.lead = { ...config, tools: withTaskCompanions(config.tools) };
  }

  /** Whether a worker of that id was taken. */
  has(id: string): boolean {
    return this.runs.has(id);
  }

  /** A delegation from the supervisor, run; why not, when it is refused. */
  take(request: DelegateRequest): string | undefined {
    const { lead } = this;
    if (!lead) return 'this swarm has no supervisor that delegates through it';
    const n = request.id.startsWith(`${lead.id}.`) ? request.id.slice(lead.id.length + 1) : '';
    const max = lead.delegation!.maxWorkers;
    if (!/^\d{1,9}$/.test(n) || Number(n) < 1 || Number(n) > max)
      return `${request.id} is not an id of a worker of ${lead.id} (${lead.id}.1 to ${lead.id}.${max}: maxWorkers)`;
    if (this.runs.has(request.id)) return `worker ${request.id} was delegated already`;
    if (this.closed) return `the supervisor ${lead.id} has ended`;
    this.runs.set(request.id, this.run(lead, request));
    return undefined;
  }

  private async run(lead: AgentConfig, request: DelegateRequest): Promise<void> {
    const picked = pickWorker(lead.delegation!, request.worker);
    let answer: DelegatedAnswer;
    try {
      answer =
        'error' in picked
          ? { id: request.id, status: 'failed', ok: false, text: picked.error }
          : await this.work(workerConfig(lead, picked.worker, request.id, request.name), request.task);
    } catch (err) {
      // The swarm is cancelled through Temporal: its supervisor is, with it; no one waits.
      if (wf.isCancellation(err)) return;
      const why = err instanceof Error ? err.message : String(err);
      answer = { id: request.id, status: 'failed', ok: false, text: `subagent ${request.id} failed: ${why}` };
    }
    // The supervisor may have ended meanwhile: then no one waits for the answer.
    await wf
      .getExternalWorkflowHandle(agentWorkflowId(lead.id))
      .signal(delegatedSignal, answer)
      .catch(() => undefined);
  }

  private async work(config: AgentConfig, task: string): Promise<DelegatedAnswer> {
    let worker: SwarmAgent;
    try {
      worker = await this.swarm.runAgent({ name: config.name }, task, 'worker', config, { isolate: true });
    } catch (err) {
      if (!(err instanceof SwarmStopped)) throw err;
      return {
        id: config.id,
        status: 'cancelled',
        ok: false,
        text: `subagent ${config.id} did not start: ${err.message}`,
      };
    }
    // Its work into the swarm's branch at once: the supervisor, and every worker started after, see it.
    if (worker.status === 'completed') await this.swarm.merge(worker);
    return delegatedAnswer(worker, this.landing(worker));
  }

  /** Where a worker's work went; nothing to say of one that worked in the supervisor's tree (it only reads). */
  private landing(worker: SwarmAgent): WorkerLanding | undefined {
    if (worker.landed === undefined) return undefined;
    const { worktrees, copies } = this.isolation.summary();
    if (worktrees) {
      const kept = worktrees.kept.find((k) => k.agentId === worker.id);
      return {
        landed: worker.landed,
        into: `the swarm's branch ${worktrees.integrationBranch}`,
        keptAt: `branch ${worker.branch}`,
        files: kept?.files,
        why: kept?.error ?? kept?.resolution,
      };
    }
    const kept = copies?.kept.find((k) => k.agentId === worker.id);
    return {
      landed: worker.landed,
      into: 'the working directory',
      keptAt: `its copy ${kept?.copy ?? ''}`.trim(),
      files: kept?.files,
      why: kept?.error,
    };
  }

  /**
   * The supervisor has ended: workers still running are cancelled (no one waits for them), and
   * every worker's end awaited, its merge included, before the swarm closes its trees.
   */
  async settle(): Promise<void> {
    this.closed = true;
    for (const agent of this.swarm.agents)
      if (this.runs.has(agent.id) && !agent.endedAt) this.swarm.cancelAgent(agent.id, 'its supervisor ended');
    await Promise.all(this.runs.values());
  }
}
