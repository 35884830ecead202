/**
 * Copy mode (isolation "copy"): each coding member of a swarm works in a copy of cwd, in a
 * directory of its own under `<cwd>/.orchestra-copies/<swarm>/`, and what it changed is copied
 * back into cwd when cwd still holds, for each of those files, what the member started from.
 * Names, limits, the activities' inputs and results (activities/copies.ts). Pure: workflows
 * import it.
 *
 * Inside cwd, not under the worker's home or beside cwd: the copies lie under the same
 * workspace roots as cwd (every tool call checks its working directory against them), on the
 * same filesystem (a file goes back by an atomic rename), seen by every worker that sees cwd,
 * and they outlive a worker restart. The directory holds a `.gitignore` of `*`, so in a git
 * repository it stays out of `git status`; copies never include it, nor any `.git`.
 */
import { z } from 'zod';
import { refIdSchema } from './agent';
import { lazy } from './lazy';
import { refComponent, absolutePath } from './worktrees';

export const COPIES_DIR = '.orchestra-copies';

/** Never copied, never copied back: the copies themselves, and git's own directories. */
export const isCopyExcluded = (relPath: string): boolean =>
  relPath === COPIES_DIR ||
  relPath.startsWith(`${COPIES_DIR}/`) ||
  relPath.split('/').some((part) => part === '.git');

/** How much of cwd a copy takes at most: past this a copy is refused with the figures. */
export const COPY_LIMITS = {
  /** Files (and links) in a copy. @default 10_000 (ORCHESTRA_COPY_MAX_FILES) */
  maxFiles: 10_000,
  /** Megabytes of file content in a copy. @default 200 (ORCHESTRA_COPY_MAX_MB) */
  maxMb: 200,
} as const;

export const CopyFailure = {
  /** cwd (or a member's copy) holds more than COPY_LIMITS allow. */
  tooBig: 'CopyTooBig',
  badInput: 'BadCopyInput',
  /** prepareSwarmCopies has not run, or a member's copy or its record is gone. */
  notPrepared: 'CopyNotPrepared',
  /** Any other failure reading or writing files, with the reason. */
  failed: 'CopyFailed',
} as const;

export const swarmCopiesDir = (cwd: string, swarmId: string): string =>
  `${trimSlash(cwd)}/${COPIES_DIR}/${refComponent(swarmId)}`;
export const memberCopyPath = (cwd: string, swarmId: string, member: string): string =>
  `${swarmCopiesDir(cwd, swarmId)}/${refComponent(member)}`;
/**
 * What the member started from: each file's content hash, written once its copy is whole (its
 * presence says so). Beside the copy, not in it: the member's tools reach only its copy.
 */
export const memberBasePath = (cwd: string, swarmId: string, member: string): string =>
  `${memberCopyPath(cwd, swarmId, member)}.base.json`;

function trimSlash(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

export const swarmCopiesInputSchema = lazy(() =>
  z.object({ cwd: absolutePath(), swarmId: refIdSchema }).strict(),
);
export type SwarmCopiesInput = z.infer<typeof swarmCopiesInputSchema>;

export const memberCopyInputSchema = lazy(() =>
  z
    .object({
      cwd: absolutePath(),
      swarmId: refIdSchema,
      member: z.string().min(1).max(200).describe("The member's id"),
    })
    .strict(),
);
export type MemberCopyInput = z.infer<typeof memberCopyInputSchema>;

/** One entry of a tree as copy mode compares it: a file's hash and executable bit, or a link's target. */
export type CopyEntry = { kind: 'file'; sha256: string; exec: boolean } | { kind: 'link'; target: string };

/** What a member started from (memberBasePath): path relative to cwd → entry. */
export interface CopyBase {
  version: 1;
  files: Record<string, CopyEntry>;
}

export interface PreparedCopies {
  cwd: string;
  files: number;
  bytes: number;
}

export interface MemberCopy {
  path: string;
  files: number;
  bytes: number;
}

export interface CopyChanges {
  /** Files the member added, changed or deleted in its copy, sorted. */
  changed: string[];
}

export type CopyBack =
  | {
      copied: true;
      /** Files written into (or deleted from) cwd by this call; a re-run finds them done. */
      files: string[];
      /** Every change was in cwd already: nothing was written. */
      already: boolean;
    }
  /** Files the member and cwd both changed since the copy: nothing was written. */
  | { copied: false; conflict: true; files: string[] };

/** A swarm in copy mode: where its work went, and the copies kept aside. */
export interface SwarmCopies {
  /** The directory members' work was copied back into: the swarm's cwd. */
  cwd: string;
  /** Files copied back into cwd, in all. */
  copiedBack: number;
  /** Copies kept with work not copied back: a conflict's files, or why. */
  kept: Array<{
    agentId: string;
    landed: 'conflict' | 'kept';
    /** The member's copy, as it left it. */
    copy: string;
    files?: string[];
    error?: string;
  }>;
}

export const MB = 2 ** 20;
