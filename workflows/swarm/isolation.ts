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
}

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
    if (mode === 'none') return undefined;
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

  /** A worktree for a member about to start, forked from the swarm's branch as it stands: its cwd there. */
  async open(agent: SwarmAgent): Promise<string> {
    const { repoRoot } = this.repo;
    const wt = await activities.addMemberWorktree({ repoRoot, swarmId: this.input.id, member: agent.id });
    this.members.set(agent.id, { agent, path: wt.path, baseCommit: wt.baseCommit });
    agent.branch = wt.branch;
    return worktreeCwd(repoRoot, this.input.cwd, wt.path) ?? wt.path;
  }

  /** The member has ended: what it left in its tree is committed on its branch, whatever its outcome. */
  async commit(agent: SwarmAgent): Promise<void> {
    const member = this.members.get(agent.id);
    if (!member) return;
    const { head } = await activities.commitMemberWork({
      path: member.path,
      message: `${agent.name} (${agent.role}, ${agent.status}) in swarm ${this.input.id}`,
    });
    member.head = head;
    agent.landed = head === member.baseCommit ? 'empty' : 'kept';
  }

  /** Merge a member's branch into the swarm's (after its commit): merged, nothing to merge, or a conflict. */
  merge(agent: SwarmAgent): Promise<Landing> {
    const member = this.members.get(agent.id);
    if (!member || agent.landed === 'empty' || agent.landed === undefined) return Promise.resolve('empty');
    const merged = this.merging.then(async () => {
      const outcome = await activities.mergeMember({
        repoRoot: this.repo.repoRoot,
        swarmId: this.input.id,
        branch: agent.branch!,
        mode: 'ff-or-merge',
      });
      agent.landed = outcome.merged ? 'merged' : 'conflict';
      if (!outcome.merged) member.files = outcome.files;
      return agent.landed;
    });
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
      if (m.agent.landed === undefined) await this.commit(m.agent);
      const keep = m.agent.landed === 'kept' || m.agent.landed === 'conflict';
      await activities.removeMemberWorktree({ repoRoot, path: m.path, deleteBranch: !keep });
    }
    const finished = await activities.finishSwarmRepo({ repoRoot, swarmId: this.input.id });
    return { ...this.summary(), head: finished.head, commitsAhead: finished.commitsAhead };
  }

  summary(): SwarmWorktrees {
    const kept = [...this.members.values()]
      .filter((m) => m.agent.landed === 'kept' || m.agent.landed === 'conflict')
      .map((m) => ({
        agentId: m.agent.id,
        branch: m.agent.branch!,
        landed: m.agent.landed!,
        ...(m.files ? { files: m.files } : {}),
      }));
    return {
      integrationBranch: this.repo.integrationBranch,
      baseCommit: this.repo.baseCommit,
      dirty: this.repo.dirty,
      kept,
    };
  }
}
