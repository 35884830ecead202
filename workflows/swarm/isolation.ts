/**
 * A swarm's coding agents, each in a git worktree of its own: opened when the swarm starts,
 * one worktree per member forked from the swarm's branch as it stands then, the member's work
 * committed on its branch when it ends, merged into the swarm's branch when its strategy
 * takes it, and everything but the branches worth keeping cleaned up at the end. Every step
 * is an idempotent activity (activities/worktrees.ts), so a worker killed mid-step is replaced
 * by one that runs the step again. A conflict may go to a resolver agent (resolution.ts);
 * isolation "copy" gives members copies of cwd instead (copies.ts), behind the same interface.
 */
import * as wf from '@temporalio/workflow';
import type { WorkSite } from '../../src/domain/result-cache';
import type { SwarmInput } from '../../src/domain/swarm';
import type { Landing, SwarmAgent } from '../../src/domain/swarm-outcome';
import { WorktreeFailure, worktreeCwd, type SwarmRepo } from '../../src/domain/worktrees';
import { Copies } from './copies';
import { wantsIsolation, type IsolationHost, type IsolationView, type MemberIsolation } from './isolating';
import { failureType, gitSteps as activities, reason } from './git-steps';
import { Resolutions } from './resolution';

export { writes } from './isolating';
export type { IsolationHost, IsolationView, MemberIsolation } from './isolating';

interface Member {
  agent: SwarmAgent;
  task: string;
  path: string;
  baseCommit: string;
  head?: string;
  files?: string[];
  /** The files its merge brought into the swarm's branch: a later resolver is told whose work it met. */
  changed?: string[];
  /** Its commit under way: the close waits for it rather than committing twice. */
  committing?: Promise<void>;
  /** A git step failed: its worktree is kept as it is, with the reason. */
  error?: string;
  /** A resolver was asked, and its resolution did not land: why. */
  resolution?: string;
}

export class Isolation implements MemberIsolation {
  readonly kind = 'worktree';
  private readonly members = new Map<string, Member>();
  /** Merges go one at a time: they share the integration worktree. */
  private merging: Promise<unknown> = Promise.resolve();
  /** Merges under way, a resolver's included: the close waits for them. */
  private readonly landing = new Set<Promise<unknown>>();
  private readonly resolutions?: Resolutions;
  /** The agent that works in the swarm's own worktree (a supervisor), and why its work there could not be committed. */
  private sharer?: { id: string; name: string; error?: string };

  private constructor(
    private readonly input: SwarmInput,
    private readonly repo: SwarmRepo,
    private readonly host?: IsolationHost,
  ) {
    if (input.resolve && host) this.resolutions = new Resolutions(input, repo, host);
  }

  /**
   * The swarm's repository (or its copies), or none: isolation "none", or "auto" outside a git
   * repository. Isolation "worktree" outside one, or "copy" of a directory too big, is refused
   * with the reason.
   */
  static async open(
    input: SwarmInput,
    host?: IsolationHost,
  ): Promise<MemberIsolation | { refused: string } | undefined> {
    const mode = input.isolation ?? 'none';
    if (mode === 'none' || !wantsIsolation(input)) return undefined;
    if (mode === 'copy') return Copies.open(input, host);
    try {
      const repo = await activities.prepareSwarmRepo({ cwd: input.cwd, swarmId: input.id });
      return new Isolation(input, repo, host);
    } catch (err) {
      const type = failureType(err);
      const outsideGit =
        type === WorktreeFailure.notGitRepository || type === WorktreeFailure.emptyRepository;
      if (mode === 'auto' && outsideGit) return undefined;
      if (outsideGit) return { refused: (err as wf.ActivityFailure).cause!.message };
      throw err;
    }
  }

  /**
   * A worktree for a member about to start, forked from the swarm's branch as it stands: its cwd
   * there. Not cancellable: a worktree made is one the swarm knows of, and removes.
   */
  private async open(agent: SwarmAgent, task: string): Promise<string> {
    const { repoRoot } = this.repo;
    // The supervisor's work so far on the swarm's branch first, between merges: the member forks from it.
    if (this.sharer) await this.serially(() => this.commitShared()).catch(() => undefined);
    const wt = await wf.CancellationScope.nonCancellable(() =>
      activities.addMemberWorktree({ repoRoot, swarmId: this.input.id, member: agent.id }),
    );
    this.members.set(agent.id, { agent, task, path: wt.path, baseCommit: wt.baseCommit });
    agent.branch = wt.branch;
    return worktreeCwd(repoRoot, this.input.cwd, wt.path) ?? wt.path;
  }

  async place(agent: SwarmAgent, config: { cwd: string }, task = ''): Promise<string | undefined> {
    try {
      config.cwd = await this.open(agent, task);
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
    return (member.committing ??= this.commitNow(agent, member));
  }

  private commitNow(agent: SwarmAgent, member: Member): Promise<void> {
    const how = `${agent.role}, ${agent.status}${agent.cached ? ', from the cache' : ''}`;
    return wf.CancellationScope.nonCancellable(() =>
      activities.commitMemberWork({
        path: member.path,
        message: `${agent.name} (${how}) in swarm ${this.input.id}`,
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
  }

  /** A placed writer's site, for its cache key (cwd: where it was placed). */
  site(agent: SwarmAgent, cwd: string): WorkSite | undefined {
    const m = this.members.get(agent.id);
    const at = !m || cwd === m.path ? '' : cwd.slice(m.path.length + 1);
    return m && { root: m.path, at, repoRoot: this.repo.repoRoot };
  }

  /** Its work as a commit, once committed, for the cache to keep; none when that failed. */
  recorded(agent: SwarmAgent): string | undefined {
    const m = this.members.get(agent.id);
    return m && !m.error ? m.head : undefined;
  }

  /**
   * A cached writer's recorded work landed again: that commit's tree loaded into its fresh
   * worktree and committed on its branch, then merged as a run member's would be.
   */
  replay(agent: SwarmAgent, commit: string): Promise<void> {
    const m = this.members.get(agent.id);
    if (!m) return Promise.resolve();
    // Set before the load runs: a close meanwhile waits for the loaded tree's commit.
    m.committing = wf.CancellationScope.nonCancellable(() =>
      activities.loadMemberWork({ path: m.path, commit }),
    ).then(
      () => this.commitNow(agent, m),
      (err: unknown) => {
        // Its worktree as the load left it, for a person; nothing committed.
        m.error = `its cached work could not be loaded: ${reason(err)}`;
        agent.landed = 'kept';
      },
    );
    return m.committing;
  }

  /** Merge a member's branch into the swarm's (after its commit): merged, nothing to merge, or a conflict. */
  merge(agent: SwarmAgent): Promise<Landing> {
    const member = this.members.get(agent.id);
    if (!member || agent.landed === 'empty' || agent.landed === undefined) return Promise.resolve('empty');
    if (member.error) return Promise.resolve('kept');
    let conflictAt: string | undefined;
    // The chain as swarms without a resolver always ran it (its steps, in the same order).
    const merged = this.serially(async (): Promise<Landing> => {
      try {
        const outcome = await this.mergeBranch(agent.branch!);
        if (outcome.merged) {
          member.changed = outcome.changed;
          return this.landed(agent, 'merged');
        }
        member.files = outcome.files;
        conflictAt = outcome.head;
        return this.landed(agent, 'conflict', { files: outcome.files });
      } catch (err) {
        member.error = `its branch could not be merged: ${reason(err)}`;
        return this.landed(agent, 'kept', { reason: member.error });
      }
    });
    if (!this.resolutions) return merged;
    const landed = merged.then((l) => (l === 'conflict' ? this.resolve(agent, member, conflictAt!) : l));
    const settled: Promise<unknown> = landed.catch(() => undefined).then(() => this.landing.delete(settled));
    this.landing.add(settled);
    return landed;
  }

  /** One merge at a time. Not cancellable: a merge cut off would leave the swarm's worktree mid-merge as it is removed. */
  private serially<T>(step: () => Promise<T>): Promise<T> {
    const run = this.merging.then(() => wf.CancellationScope.nonCancellable(step));
    this.merging = run.catch(() => undefined);
    return run;
  }

  private mergeBranch(branch: string) {
    const { repoRoot } = this.repo;
    // A merge starts from a clean tree: what the agent working there left is committed first.
    const shared = this.sharer ? { commitFirst: this.sharedMessage() } : {};
    return activities.mergeMember({
      repoRoot,
      swarmId: this.input.id,
      branch,
      mode: 'ff-or-merge',
      ...shared,
    });
  }

  share(agent: { id: string; name: string }): string {
    this.sharer = agent;
    const { repoRoot, integrationPath } = this.repo;
    return worktreeCwd(repoRoot, this.input.cwd, integrationPath) ?? integrationPath;
  }

  /** What the agent in the swarm's worktree left there, committed on the swarm's branch. */
  private commitShared() {
    const { repoRoot } = this.repo;
    return activities.commitSwarmWork({ repoRoot, swarmId: this.input.id, message: this.sharedMessage() });
  }

  private sharedMessage(): string {
    return `${this.sharer!.name} (${this.sharer!.id}) in swarm ${this.input.id}: its own changes`;
  }

  /** A conflict given to a resolver agent (resolution.ts), and its resolution merged: 'resolved', or still a conflict. */
  private async resolve(agent: SwarmAgent, member: Member, head: string): Promise<Landing> {
    const files = member.files ?? [];
    const others = this.touching(files, agent);
    const resolved = await this.resolutions!.resolve({ agent, task: member.task, files, head, others });
    const resolver = resolved.resolver?.id;
    if (!resolved.resolved) {
      member.resolution = resolved.reason;
      return this.landed(agent, 'conflict', { files, resolver, reason: resolved.reason });
    }
    const landed = await this.serially(() =>
      this.mergeBranch(resolved.branch).catch((err: unknown) => ({ failed: reason(err) })),
    );
    if ('failed' in landed || !landed.merged) {
      // The swarm's branch moved on meanwhile, to a conflict of its own: both branches stay.
      this.resolutions!.keep(resolved.path);
      if (resolved.resolver) resolved.resolver.landed = 'kept';
      member.resolution =
        'failed' in landed
          ? `its resolution could not be merged: ${landed.failed}`
          : `its resolution conflicts with the swarm's branch now (kept on ${resolved.branch})`;
      return this.landed(agent, 'conflict', { files, resolver, reason: member.resolution });
    }
    if (resolved.resolver) resolved.resolver.landed = 'merged';
    member.changed = landed.changed;
    return this.landed(agent, 'resolved', { resolver });
  }

  private landed(
    agent: SwarmAgent,
    landed: Landing,
    more: { files?: string[]; resolver?: string; reason?: string } = {},
  ) {
    agent.landed = landed;
    this.host?.record({ type: 'landed', agentId: agent.id, landed, ...more });
    return landed;
  }

  /** Members on the swarm's branch whose merge brought in one of `files`: the other side of a conflict. */
  private touching(files: string[], self: SwarmAgent): Array<{ name: string; task: string }> {
    return [...this.members.values()]
      .filter((m) => m.agent !== self && m.changed?.some((f) => files.includes(f)))
      .slice(0, 10)
      .map((m) => ({ name: m.agent.name, task: m.task }));
  }

  /**
   * Every member's worktree removed (a branch with work not merged is kept), the resolvers' and
   * the swarm's worktrees too; what is left to look at.
   */
  async close(): Promise<IsolationView> {
    if (this.landing.size > 0) await Promise.all([...this.landing]);
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
    await this.resolutions?.close();
    // The agent working in the swarm's worktree has ended: its last changes go on the branch, or the worktree stays.
    if (this.sharer)
      await this.commitShared().catch((err: unknown) => {
        this.sharer!.error = `its changes in the swarm's worktree could not be committed: ${reason(err)}`;
      });
    const finished = this.sharer?.error
      ? undefined
      : await activities.finishSwarmRepo({ repoRoot, swarmId: this.input.id }).catch(() => undefined);
    const { worktrees } = this.summary();
    return {
      worktrees: {
        ...worktrees!,
        ...(finished ? { head: finished.head, commitsAhead: finished.commitsAhead } : {}),
      },
    };
  }

  summary(): IsolationView {
    const kept = [...this.members.values()]
      .filter((m) => m.error || m.agent.landed === 'kept' || m.agent.landed === 'conflict')
      .map((m) => ({
        agentId: m.agent.id,
        branch: m.agent.branch!,
        landed: m.agent.landed ?? 'kept',
        ...(m.files ? { files: m.files } : {}),
        ...(m.error ? { error: m.error, worktree: m.path } : {}),
        ...(m.resolution ? { resolution: m.resolution } : {}),
      }));
    const { sharer, repo } = this;
    if (sharer?.error) {
      const at = { branch: repo.integrationBranch, worktree: repo.integrationPath };
      kept.push({ agentId: sharer.id, landed: 'kept', error: sharer.error, ...at });
    }
    return {
      worktrees: {
        integrationBranch: this.repo.integrationBranch,
        baseCommit: this.repo.baseCommit,
        dirty: this.repo.dirty,
        kept,
      },
    };
  }
}
