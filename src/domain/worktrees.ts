/**
 * Worktree isolation for a swarm: the names of its branches, refs and worktree directories,
 * the activities' inputs and results (activities/worktrees.ts). Pure: workflows import it.
 *
 * A swarm works on an integration branch `orchestra/<swarmId>`, forked from the user's HEAD;
 * each member on a branch of its own, `orchestra/<swarmId>@<member>`, in a worktree of its
 * own. Members merge into the integration branch; the user's branch is never written.
 * Not `orchestra/<swarmId>/<member>`: git keeps refs as files, so `orchestra/s1` and
 * `orchestra/s1/alice` cannot both exist. `@` never occurs in a sanitized name, so no member
 * branch of one swarm can be another swarm's branch.
 */
import { z } from 'zod';
import { refIdSchema } from './agent';
import { lazy } from './lazy';

/** The failure types (ApplicationFailure.type) of the worktree activities. */
export const WorktreeFailure = {
  /** The directory is not inside a git work tree: the swarm cannot isolate its members. */
  notGitRepository: 'NotAGitRepository',
  /** The repository has no commit to fork from. */
  emptyRepository: 'EmptyRepository',
  /** The activity's input does not fit its schema. */
  badInput: 'BadWorktreeInput',
  /** A branch the swarm needs is checked out somewhere else (in the user's tree, say). */
  branchInUse: 'BranchCheckedOutElsewhere',
  /** prepareSwarmRepo has not run for this swarm, or what it made was deleted. */
  notPrepared: 'SwarmRepoNotPrepared',
  /** A revision or branch that does not exist. */
  unknownRevision: 'UnknownRevision',
  /** A path that is not one of Orchestra's worktrees: never committed in nor removed. */
  notOurs: 'NotAnOrchestraWorktree',
  /** A live git process works in the worktree (it holds a lock): retried. */
  busy: 'GitBusy',
  /** A resolver's tree still has conflict markers, or its commit does not hold both sides. */
  unresolved: 'MergeNotResolved',
  /** Any other git failure, with git's message. */
  gitFailed: 'GitFailed',
} as const;

/** Where worktrees live, under the repository's git common dir (see worktreesRoot). */
export const WORKTREES_DIR = 'orchestra-worktrees';
/** The identity of commits and merges made by Orchestra: works on machines without git config. */
export const ORCHESTRA_COMMITTER = { name: 'Orchestra', email: 'orchestra@localhost' } as const;

const COMPONENT_MAX = 80;

/** FNV-1a, 32 bits, as 8 hex digits: tells apart names that sanitize alike. */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * A name made fit to be one component of a git ref and of a path: letters, digits, `_`, `.`
 * and `-`; no `..`, no leading `.` or `-` (git would read `-x` as an option), no `.lock`
 * ending, at most 80 characters. A name already fit is kept as it is; any other gets a hash
 * of the original appended, so two different names (practically) never end up the same.
 */
export function refComponent(raw: string): string {
  let name = raw
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+/, '')
    .replace(/\.+$/, '')
    .replace(/\.lock$/i, '-lock');
  if (name === raw && name && name.length <= COMPONENT_MAX) return name;
  name = name.slice(0, COMPONENT_MAX - 9).replace(/\.+$/, '');
  return `${name ? `${name}-` : ''}${shortHash(raw)}`;
}

/** The branch that collects the swarm's merged work: its result. */
export const integrationBranch = (swarmId: string): string => `orchestra/${refComponent(swarmId)}`;

/** The branch of one member (by name or id). */
export const memberBranch = (swarmId: string, member: string): string =>
  `${integrationBranch(swarmId)}@${refComponent(member)}`;

/**
 * Refs outside refs/heads (not listed as branches, kept from gc): the commit the swarm forked
 * from the user's HEAD, and the commit each member forked from. Written once, before the
 * branches, so an activity re-run after a crash finds the same commits.
 */
export const swarmBaseRef = (swarmId: string): string => `refs/orchestra/${refComponent(swarmId)}/base`;
export const memberForkRef = (swarmId: string, member: string): string =>
  `refs/orchestra/${refComponent(swarmId)}/forks/${refComponent(member)}`;

/**
 * Where a repository's swarm worktrees live: inside its git common dir (`.git` of the main
 * worktree). So they never show in the user's `git status` (git never looks into `.git`),
 * outlive a worker restart (unlike a temporary directory, which the system may clean),
 * go where the repository goes, and lie under the same workspace roots as the repository.
 */
export const worktreesRoot = (commonDir: string): string => `${trimSlash(commonDir)}/${WORKTREES_DIR}`;

export const integrationWorktreePath = (commonDir: string, swarmId: string): string =>
  `${worktreesRoot(commonDir)}/${refComponent(swarmId)}/integration`;

export const memberWorktreePath = (commonDir: string, swarmId: string, member: string): string =>
  `${worktreesRoot(commonDir)}/${refComponent(swarmId)}/members/${refComponent(member)}`;

/**
 * What a member worktree path was made for: the repository's common dir, the swarm and member
 * parts, the member's branch; undefined for any other path. The directories are named by the
 * branch's sanitized parts, so the branch is known even after the worktree is gone.
 */
export function memberWorktreeOf(
  path: string,
): { commonDir: string; swarm: string; member: string; branch: string } | undefined {
  const parts = trimSlash(path).split('/');
  if (parts.length < 6 || parts[0] !== '') return undefined;
  const [root, swarm, members, member] = parts.slice(-4);
  if (root !== WORKTREES_DIR || members !== 'members') return undefined;
  if (refComponent(swarm) !== swarm || refComponent(member) !== member) return undefined;
  return { commonDir: parts.slice(0, -4).join('/'), swarm, member, branch: memberBranch(swarm, member) };
}

/**
 * The directory inside a worktree that matches the user's `userCwd` inside `repoRoot` (both
 * resolved, as agents' cwds are: src/workdir.ts), or undefined when `userCwd` is outside it.
 * A directory that git does not track (empty, or ignored) is not in the worktree: the caller
 * checks that it exists before starting an agent in it.
 */
export function worktreeCwd(repoRoot: string, userCwd: string, worktreePath: string): string | undefined {
  const root = trimSlash(repoRoot);
  const cwd = trimSlash(userCwd);
  if (cwd === root) return trimSlash(worktreePath);
  if (!cwd.startsWith(`${root}/`)) return undefined;
  return trimSlash(worktreePath) + cwd.slice(root.length);
}

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export const absolutePath = () =>
  z
    .string()
    .min(1)
    .max(4096)
    .regex(/^\/[^\0]*$/, 'an absolute path');
/** A revision given to git: never one git could read as an option. */
export const revision = () =>
  z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^-\s\0][^\s\0]*$/, 'a commit or branch (no spaces, not starting with "-")');

export const MERGE_MODES = ['ff-or-merge', 'merge-commit'] as const;
export type MergeMode = (typeof MERGE_MODES)[number];

export const prepareSwarmRepoInputSchema = lazy(() =>
  z.object({ cwd: absolutePath(), swarmId: refIdSchema }).strict(),
);
export type PrepareSwarmRepoInput = z.infer<typeof prepareSwarmRepoInputSchema>;

export const addMemberWorktreeInputSchema = lazy(() =>
  z
    .object({
      repoRoot: absolutePath(),
      swarmId: refIdSchema,
      member: z.string().min(1).max(200).describe("The member's name or id"),
      from: revision().optional().describe("The commit to fork from; default: the integration branch's tip"),
    })
    .strict(),
);
export type AddMemberWorktreeInput = z.infer<typeof addMemberWorktreeInputSchema>;

export const commitMemberWorkInputSchema = lazy(() =>
  z
    .object({
      path: absolutePath(),
      message: z.string().trim().min(1).max(20_000),
      author: z
        .object({
          name: z.string().regex(/^[^<>\n\0]{1,200}$/),
          email: z.string().regex(/^[^<>\s\0]{1,200}$/),
        })
        .strict()
        .optional(),
    })
    .strict(),
);
export type CommitMemberWorkInput = z.infer<typeof commitMemberWorkInputSchema>;

/** A cached writer's recorded work loaded into its new worktree (its commit's tree), to be committed there. */
export const loadMemberWorkInputSchema = lazy(() =>
  z.object({ path: absolutePath(), commit: revision() }).strict(),
);
export type LoadMemberWorkInput = z.infer<typeof loadMemberWorkInputSchema>;

/** What an agent working in the swarm's own worktree (a supervisor) left there, committed on the swarm's branch. */
export const commitSwarmWorkInputSchema = lazy(() =>
  z
    .object({ repoRoot: absolutePath(), swarmId: refIdSchema, message: z.string().trim().min(1).max(20_000) })
    .strict(),
);
export type CommitSwarmWorkInput = z.infer<typeof commitSwarmWorkInputSchema>;

export const mergeMemberInputSchema = lazy(() =>
  z
    .object({
      repoRoot: absolutePath(),
      swarmId: refIdSchema,
      branch: revision(),
      mode: z.enum(MERGE_MODES).default('ff-or-merge'),
      /** An agent works in the swarm's worktree (a supervisor): what it left there is committed first, with this message. */
      commitFirst: z.string().trim().min(1).max(20_000).optional(),
    })
    .strict(),
);
export type MergeMemberInput = z.input<typeof mergeMemberInputSchema>;

export const removeMemberWorktreeInputSchema = lazy(() =>
  z.object({ repoRoot: absolutePath(), path: absolutePath(), deleteBranch: z.boolean() }).strict(),
);
export type RemoveMemberWorktreeInput = z.infer<typeof removeMemberWorktreeInputSchema>;

export const finishSwarmRepoInputSchema = lazy(() =>
  z.object({ repoRoot: absolutePath(), swarmId: refIdSchema }).strict(),
);
export type FinishSwarmRepoInput = z.infer<typeof finishSwarmRepoInputSchema>;

export interface SwarmRepo {
  /** The top of the user's work tree, resolved. */
  repoRoot: string;
  /** The commit the swarm forked from: the user's HEAD at the first run. */
  baseCommit: string;
  integrationBranch: string;
  integrationPath: string;
  /**
   * The user's tree has uncommitted changes or untracked files: the swarm does not see them
   * (it forks from the last commit), so it should say so.
   */
  dirty: boolean;
}

export interface MemberWorktree {
  path: string;
  branch: string;
  /** The commit the member's branch forked from. */
  baseCommit: string;
}

export interface MemberCommit {
  /** The member branch's tip after the call. */
  head: string;
  /** Whether this call made a commit (false: nothing was left to commit). */
  committed: boolean;
}

export type MergeOutcome =
  | {
      merged: true;
      /** The branch was in the integration branch already: nothing was done. */
      already: boolean;
      fastForward: boolean;
      /** The integration branch's tip after the merge. */
      head: string;
      /** The files the merge brought in (absent from workers older than the resolver). */
      changed?: string[];
    }
  | { merged: false; conflict: true; files: string[]; head: string };

export interface RemovedWorktree {
  branch: string;
  /** Whether the member's branch still exists after the call. */
  branchKept: boolean;
}

export interface FinishedSwarmRepo {
  integrationBranch: string;
  head: string;
  baseCommit: string;
  /** Commits on the integration branch that are not in baseCommit. */
  commitsAhead: number;
}
