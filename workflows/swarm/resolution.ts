/**
 * A member's merge that conflicted, given to a resolver agent (a swarm started with `resolve`):
 * a worktree of its own on a branch forked from the swarm's branch where the conflict was found,
 * the member's branch merged in with the conflicts left in the files, a child agent (role
 * "resolver") asked to settle them, and the merge committed once no marker is left. Isolation
 * (isolation.ts) then merges the resolver's branch into the swarm's like any member's. When any
 * of it fails the conflict stays reported as it was: the member's branch is never touched.
 */
import * as wf from '@temporalio/workflow';
import type { AgentConfig } from '../../src/domain/agent';
import type { AgentTemplate } from '../../src/domain/agent-template';
import { resolverMember, resolverTask } from '../../src/domain/conflict-resolution';
import type { SwarmInput } from '../../src/domain/swarm';
import type { SwarmAgent, SwarmOutcome } from '../../src/domain/swarm-outcome';
import type { SwarmRepo } from '../../src/domain/worktrees';
import { gitSteps, reason } from './git-steps';
import { SwarmStopped } from './outcome';

/** What a resolver needs of the swarm (SwarmRun): starting it as one of its agents, its budgets. */
export interface ResolverHost {
  readonly stopped: boolean;
  runAgent(
    template: AgentTemplate,
    task: string,
    role: string,
    extra?: Partial<AgentConfig>,
  ): Promise<SwarmAgent>;
  report(): SwarmOutcome;
}

export interface Conflict {
  agent: SwarmAgent;
  /** What the member was asked. */
  task: string;
  files: string[];
  /** The swarm branch's tip when the merge conflicted: the resolver forks from it. */
  head: string;
  /** Members already on the swarm's branch whose work touched the same files. */
  others: Array<{ name: string; task: string }>;
}

export type Resolved =
  | { resolved: true; resolver?: SwarmAgent; branch: string; path: string }
  | { resolved: false; reason: string; resolver?: SwarmAgent };

const nonCancellable = <T>(fn: () => Promise<T>): Promise<T> => wf.CancellationScope.nonCancellable(fn);

export class Resolutions {
  /** The resolvers' worktrees: removed at the close, their branches kept when they hold a resolution not merged. */
  private readonly made: Array<{ path: string; keep: boolean }> = [];

  constructor(
    private readonly input: SwarmInput,
    private readonly repo: SwarmRepo,
    private readonly host: ResolverHost,
  ) {}

  async resolve(c: Conflict): Promise<Resolved> {
    const { input, repo, host } = this;
    if (host.stopped) return { resolved: false, reason: 'the swarm stopped before a resolver could start' };
    const { stats, budgets } = host.report();
    if (stats.spawned >= budgets.maxSubagents)
      return {
        resolved: false,
        reason: `no resolver started: maxSubagents (${budgets.maxSubagents}) reached`,
      };
    const branch = c.agent.branch!;
    let wt: { path: string; branch: string };
    let files: string[];
    try {
      wt = await nonCancellable(() =>
        gitSteps.addMemberWorktree({
          repoRoot: repo.repoRoot,
          swarmId: input.id,
          member: resolverMember(c.agent.id),
          from: c.head,
        }),
      );
      this.made.push({ path: wt.path, keep: false });
      ({ files } = await nonCancellable(() => gitSteps.beginResolution({ path: wt.path, branch })));
    } catch (err) {
      return { resolved: false, reason: `no worktree for a resolver: ${reason(err)}` };
    }
    let resolver: SwarmAgent | undefined;
    // No conflict this time (the merge went through): only its commit is left to make.
    if (files.length > 0) {
      const task = resolverTask({
        swarmTask: input.spec.task,
        integrationBranch: repo.integrationBranch,
        member: { name: c.agent.name, branch, task: c.task },
        files,
        others: c.others,
        instructions: input.resolve?.agent?.task,
      });
      try {
        resolver = await host.runAgent({ name: 'resolver', ...input.resolve?.agent }, task, 'resolver', {
          cwd: wt.path,
        });
      } catch (err) {
        // A cancel through Temporal goes on up; a stop (cancel, budget) leaves the conflict as it was.
        if (!(err instanceof SwarmStopped)) throw err;
        return { resolved: false, reason: `the swarm stopped: ${err.message}` };
      }
      resolver.branch = wt.branch;
      if (resolver.status !== 'completed') {
        resolver.landed = 'empty';
        const why = resolver.error ? `: ${resolver.error}` : '';
        return { resolved: false, reason: `the resolver ${resolver.id} ${resolver.status}${why}`, resolver };
      }
    }
    try {
      await nonCancellable(() => gitSteps.concludeResolution({ path: wt.path, branch, files }));
    } catch (err) {
      if (resolver) resolver.landed = 'empty';
      return { resolved: false, reason: `the resolution could not be committed: ${reason(err)}`, resolver };
    }
    return { resolved: true, resolver, branch: wt.branch, path: wt.path };
  }

  /** The resolution in the worktree at `path` conflicts in turn: its branch stays, for a person. */
  keep(path: string): void {
    const made = this.made.find((m) => m.path === path);
    if (made) made.keep = true;
  }

  /** Every resolver's worktree removed; a branch kept only when it holds a resolution that did not merge. */
  async close(): Promise<void> {
    for (const { path, keep } of this.made)
      await gitSteps
        .removeMemberWorktree({ repoRoot: this.repo.repoRoot, path, deleteBranch: !keep })
        .catch(() => undefined);
  }
}
