/**
 * A swarm's coding agents, each in a git worktree of its own: opened when the swarm starts,
 * one worktree per member forked from the swarm's branch as it stands then, the member's work
 * committed on its branch when it ends, merged into the swarm's branch when its strategy
 * takes it, and everything but the branches worth keeping cleaned up at the end. Every step
 * is an idempotent activity (activities/worktrees.ts), so a worker killed mid-step is replaced
 * by one that runs the step again.
 */
import * as wf from '@temporalio/workflow';
import {
  WorktreeFailure,
  worktreeCwd,
  type Landing,
  type SwarmAgent,
  type SwarmInput,
  type SwarmRepo,
  type SwarmWorktrees,
  type ToolName,
  DEFAULT_TOOLS,
} from '../../src/domain';
import type * as git from '../../activities/worktrees';

const activities = wf.proxyActivities<typeof git>({
  startToCloseTimeout: '10 minutes',
  // A git step heartbeats every 5 s; a worker that died mid-step is noticed within this.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '20 seconds',
    // Only a live git holding a lock (GitBusy) is worth waiting for; the rest says what is wrong.
    nonRetryableErrorTypes: Object.values(WorktreeFailure).filter((t) => t !== WorktreeFailure.busy),
  },
});

/** Agents that write: the ones that need a tree of their own. */
const WRITING_TOOLS: ReadonlySet<ToolName> = new Set(['write_file', 'edit_file', 'bash'] as ToolName[]);
export const writes = (tools: readonly ToolName[]): boolean => tools.some((t) => WRITING_TOOLS.has(t));

interface Member {
  agent: SwarmAgent;
  path: string;
  baseCommit: string;
  head?: string;
  files?: string[];
  /** Its commit under way: the close waits for it rather than committing twice. */
  committing?: Promise<void>;
  /** A git step failed: its worktree is kept as it is, with the reason. */
  error?: string;
}

/** Whether a swarm has agents that write in a strategy that runs them at once: only then is it isolated. */
export function wantsIsolation(input: SwarmInput): boolean {
  const { spec } = input;
  const tools = (...ts: Array<{ tools?: ToolName[] } | undefined>) =>
    ts.find((t) => t?.tools)?.tools ?? DEFAULT_TOOLS;
  // An open swarm's agents are yet to come: any of them may write.
  if (spec.strategy === 'parallel') return spec.open === true || spec.agents.some((a) => writes(tools(a)));
  if (spec.strategy === 'graph')
    return spec.nodes ? spec.nodes.some((n) => writes(tools(n, spec.worker))) : writes(tools(spec.worker));
  return false;
}

const reason = (err: unknown): string =>
  err instanceof wf.ActivityFailure ? (err.cause?.message ?? err.message) : String(err);

/** The failure type of an activity's failure, if it has one. */
const failureType = (err: unknown): string | undefined =>
  err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure
    ? (err.cause.type ?? undefined)
    : undefined;

export class Isolation {
  private readonly members = new Map<string, Member>();
  /** Merges go one at a time: they share the integration worktree. */
  private merging: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly input: SwarmInput,
    private readonly repo: SwarmRepo,
  ) {}

  /**
   * The swarm's repository, or none: isolation "none", or "auto" outside a git repository.
   * Isolation "worktree" outside one is refused with the reason.
   */
  static async open(input: SwarmInput): Promise<Isolation | { refused: string } | undefined> {
    const mode = input.isolation ?? 'none';
    if (mode === 'none' || !wantsIsolation(input)) return undefined;
    try {
      return new Isolation(input, await activities.prepareSwarmRepo({ cwd: input.cwd, swarmId: input.id }));
    } catch (err) {
      const type = failureType(err);
      const outsideGit =
        type === WorktreeFailure.notGitRepository || type === WorktreeFailure.emptyRepository;
      if (mode === 'auto' && outsideGit) return undefined;
      if (outsideGit) return { refused: (err as wf.ActivityFailure).cause!.message };
      throw err;
    }
  }

  get dirty(): boolean {
    return this.repo.dirty;
  }

  /**
   * A worktree for a member about to start, forked from the swarm's branch as it stands: its cwd
   * there. Not cancellable: a worktree made is one the swarm knows of, and removes.
   */
  async open(agent: SwarmAgent): Promise<string> {
    const { repoRoot } = this.repo;
    const wt = await wf.CancellationScope.nonCancellable(() =>
      activities.addMemberWorktree({ repoRoot, swarmId: this.input.id, member: agent.id }),
    );
    this.members.set(agent.id, { agent, path: wt.path, baseCommit: wt.baseCommit });
    agent.branch = wt.branch;
    return worktreeCwd(repoRoot, this.input.cwd, wt.path) ?? wt.path;
  }

  /** Give a member about to start a worktree as its cwd; why not, when none could be made. */
  async place(agent: SwarmAgent, config: { cwd: string }): Promise<string | undefined> {
    try {
      config.cwd = await this.open(agent);
      return undefined;
    } catch (err) {
      return `no worktree for it: ${reason(err)}`;
    }
  }

  /**
   * The member has ended: what it left in its tree is committed on its branch, whatever its
   * outcome. A commit that fails (the agent moved HEAD, say) keeps the worktree as it is.
   */
  commit(agent: SwarmAgent): Promise<void> {
    const member = this.members.get(agent.id);
    if (!member) return Promise.resolve();
    member.committing ??= wf.CancellationScope.nonCancellable(() =>
      activities.commitMemberWork({
        path: member.path,
        message: `${agent.name} (${agent.role}, ${agent.status}) in swarm ${this.input.id}`,
      }),
    ).then(
      ({ head }) => {
        member.head = head;
        agent.landed = head === member.baseCommit ? 'empty' : 'kept';
      },
      (err: unknown) => {
        member.error = `its work could not be committed: ${reason(err)}`;
        agent.landed = 'kept';
      },
    );
    return member.committing;
  }

  /** Merge a member's branch into the swarm's (after its commit): merged, nothing to merge, or a conflict. */
  merge(agent: SwarmAgent): Promise<Landing> {
    const member = this.members.get(agent.id);
    if (!member || agent.landed === 'empty' || agent.landed === undefined) return Promise.resolve('empty');
    if (member.error) return Promise.resolve('kept');
    // Not cancellable: a merge cut off would leave the swarm's worktree mid-merge as it is removed.
    const merged = this.merging.then(() =>
      wf.CancellationScope.nonCancellable(async (): Promise<Landing> => {
        try {
          const outcome = await activities.mergeMember({
            repoRoot: this.repo.repoRoot,
            swarmId: this.input.id,
            branch: agent.branch!,
            mode: 'ff-or-merge',
          });
          agent.landed = outcome.merged ? 'merged' : 'conflict';
          if (!outcome.merged) member.files = outcome.files;
        } catch (err) {
          member.error = `its branch could not be merged: ${reason(err)}`;
          agent.landed = 'kept';
        }
        return agent.landed;
      }),
    );
    this.merging = merged.catch(() => undefined);
    return merged;
  }

  /**
   * Every member's worktree removed (a branch with work not merged is kept), the swarm's
   * worktree too; what is left to look at.
   */
  async close(): Promise<SwarmWorktrees> {
    await this.merging;
    const { repoRoot } = this.repo;
    for (const m of this.members.values()) {
      // Ended without its commit (the swarm cancelled through Temporal): commit before removing.
      await this.commit(m.agent);
      // A worktree whose work is not on its branch stays, for a person to look at.
      if (m.error) continue;
      const keep = m.agent.landed === 'kept' || m.agent.landed === 'conflict';
      await activities
        .removeMemberWorktree({ repoRoot, path: m.path, deleteBranch: !keep })
        .catch((err: unknown) => (m.error = `its worktree could not be removed: ${reason(err)}`));
    }
    const finished = await activities
      .finishSwarmRepo({ repoRoot, swarmId: this.input.id })
      .catch(() => undefined);
    return {
      ...this.summary(),
      ...(finished ? { head: finished.head, commitsAhead: finished.commitsAhead } : {}),
    };
  }

  summary(): SwarmWorktrees {
    const kept = [...this.members.values()]
      .filter((m) => m.error || m.agent.landed === 'kept' || m.agent.landed === 'conflict')
      .map((m) => ({
        agentId: m.agent.id,
        branch: m.agent.branch!,
        landed: m.agent.landed ?? 'kept',
        ...(m.files ? { files: m.files } : {}),
        ...(m.error ? { error: m.error, worktree: m.path } : {}),
      }));
    return {
      integrationBranch: this.repo.integrationBranch,
      baseCommit: this.repo.baseCommit,
      dirty: this.repo.dirty,
      kept,
    };
  }
}
