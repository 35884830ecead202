/**
 * A member's merge that conflicts, given to a resolver agent (workflows/swarm/resolution.ts):
 * the resolver works in a worktree of its own, on a branch forked from the swarm's branch where
 * the conflict was found, with the member's branch merged in and the conflicts left in the files;
 * Orchestra commits the merge when the markers are gone. Names, inputs and the resolver's task.
 * Pure: workflows import it.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { absolutePath, revision } from './worktrees';

/** The member name of a member's resolver worktree and branch: never an agent id (`<swarm>.<n>`). */
export const resolverMember = (agentId: string): string => `${agentId}.resolve`;

/** Lines git writes around a conflict (diff3 style adds `|||||||`): any left means unresolved. */
export const CONFLICT_MARKER = /^(<<<<<<<|>>>>>>>)( |$)/m;

export const beginResolutionInputSchema = lazy(() =>
  z
    .object({
      path: absolutePath().describe("The resolver's worktree"),
      branch: revision().describe("The member's branch, merged into the resolver's"),
    })
    .strict(),
);
export type BeginResolutionInput = z.infer<typeof beginResolutionInputSchema>;

export const concludeResolutionInputSchema = lazy(() =>
  z
    .object({
      path: absolutePath(),
      branch: revision(),
      files: z.array(z.string().min(1).max(4096)).max(10_000).describe('The files that conflicted'),
    })
    .strict(),
);
export type ConcludeResolutionInput = z.infer<typeof concludeResolutionInputSchema>;

export interface BegunResolution {
  /** The files left with conflicts (none: the merge went through, and only waits for its commit). */
  files: string[];
  /** The resolver's branch tip: the swarm's branch where the conflict was found. */
  head: string;
}

export interface ConcludedResolution {
  /** The resolver branch's tip: a commit that holds both sides. */
  head: string;
  /** Whether Orchestra made the merge commit (false: the resolver had made it). */
  committed: boolean;
}

const PREVIEW = 1500;
const clip = (text: string) => (text.length > PREVIEW ? `${text.slice(0, PREVIEW)}… [cut]` : text);

/** What the resolver is asked: the branches, the files, and what each side was meant to do. */
export function resolverTask(c: {
  swarmTask: string;
  integrationBranch: string;
  member: { name: string; branch: string; task: string };
  files: string[];
  /** The members whose work, already on the swarm's branch, touched the same files. */
  others: Array<{ name: string; task: string }>;
  /** The swarm's own instructions for its resolvers (`resolve.agent.task`). */
  instructions?: string;
}): string {
  const others = c.others.length
    ? c.others.map((o) => `- ${o.name}:\n${clip(o.task)}`).join('\n')
    : "- (the work of the swarm's earlier members)";
  return [
    `Resolve a git merge conflict in this directory, a worktree of the swarm's repository.`,
    `The branch ${c.member.branch} (work of ${c.member.name}) is being merged into the swarm's branch ` +
      `${c.integrationBranch}, and git stopped with conflicts in: ${c.files.join(', ')}.`,
    `Those files hold conflict markers (<<<<<<<, |||||||, =======, >>>>>>>): "ours" is the swarm's ` +
      `branch, "theirs" is ${c.member.name}'s work, the middle part the common base.`,
    `Edit each file so that it keeps what both sides meant to do, and remove every marker. Do not run ` +
      `\`git merge --abort\`, reset or switch branches: Orchestra commits the merge when you finish.`,
    ``,
    `What ${c.member.name} was asked to do:\n${clip(c.member.task)}`,
    ``,
    `What the swarm's branch already holds, from:\n${others}`,
    ``,
    `The swarm's task:\n${clip(c.swarmTask)}`,
    ...(c.instructions ? [``, `More instructions:\n${c.instructions}`] : []),
  ].join('\n');
}
