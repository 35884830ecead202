/**
 * The swarm result cache's contract: which members may be served from it, the key a member's
 * subtask is filed under, and what an entry holds. Pure: the swarm workflow computes keys
 * (workflows/swarm/cache.ts), the worker keeps the entries (activities/result-cache.ts).
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { sha256Hex } from './sha256';
import { refComponent } from './worktrees';
import type { AgentConfig, AgentMetrics, Usage } from './agent';
import type { AgentStatus } from './status';
import type { ToolName } from './tools';

/**
 * Tools that only read the working tree (or keep the agent's own notes): a member with no
 * other is a function of its prompt and the tree, so its answer can be served again. Every
 * other tool writes files, runs commands, starts agents or talks to others: a cached answer
 * would skip what it did.
 */
export const CACHEABLE_TOOLS: ReadonlySet<ToolName> = new Set<ToolName>([
  'read_file',
  'list_files',
  'grep',
  'todo',
]);

/** Only a member that completed is kept: a failure may not happen again. */
export const CACHED_STATUSES = ['completed'] as const;
export type CachedStatus = (typeof CACHED_STATUSES)[number];
export const isCachedStatus = (s: AgentStatus): s is CachedStatus =>
  (CACHED_STATUSES as readonly AgentStatus[]).includes(s);

/** Why a member is not served from the cache, or undefined when it may be. */
export function uncacheable(config: Pick<AgentConfig, 'tools' | 'delegation'>): string | undefined {
  const other = config.tools.filter((t) => !CACHEABLE_TOOLS.has(t));
  if (other.length) return `its tools do more than read (${other.join(', ')})`;
  if (config.delegation) return 'it delegates to workers';
  return undefined;
}

/**
 * Tools whose effects are files in the agent's tree: a member with no others, working in a git
 * worktree of its own, leaves all it did in its commit, which a hit lands again. (What `bash`
 * does outside its tree, or to ignored files, is not in the commit: nor is it in a merge.)
 */
export const TREE_WRITING_TOOLS: ReadonlySet<ToolName> = new Set<ToolName>([
  'write_file',
  'edit_file',
  'bash',
]);

/** How a member is cached: its answer ('reader'), its answer and its work as a commit ('writer'), or why not. */
export type CacheAs = 'reader' | 'writer' | { skipped: string };

/**
 * How a member may be cached, given where it works: `worktree` (a git worktree and branch of its
 * own), `copy` (a copy of cwd), or undefined (cwd itself, shared).
 */
export function cacheAs(
  config: Pick<AgentConfig, 'tools' | 'delegation'>,
  tree: 'worktree' | 'copy' | undefined,
): CacheAs {
  if (!uncacheable(config)) return 'reader';
  if (config.delegation) return { skipped: 'it delegates to workers' };
  const beyond = config.tools.filter((t) => !CACHEABLE_TOOLS.has(t) && !TREE_WRITING_TOOLS.has(t));
  if (beyond.length) return { skipped: `its tools reach beyond its tree (${beyond.join(', ')})` };
  if (tree === 'worktree') return 'writer';
  return {
    skipped:
      tree === 'copy'
        ? 'it writes, and in copy mode its work is no commit that could be landed again'
        : 'it writes in a shared tree (not in a git worktree of its own): a cached answer would skip its effects',
  };
}

/** Bounds of a tree hash outside git (and of untracked files in git): past them, no caching. */
export const TREE_HASH_LIMITS = { maxFiles: 5000, maxBytes: 50 * 2 ** 20 } as const;

/** What a member's answer depends on: everything the agent is given, and the tree it reads. */
export interface CacheKeyParts {
  /** The task as the agent gets it, with what the steps before it passed on. */
  task: string;
  /** The session's directives and findings added to its system prompt. */
  context?: string;
  model: string;
  backend?: string;
  systemPrompt: string;
  type: string;
  temperature?: number;
  tools: string[];
  limits: AgentConfig['limits'];
  /** Its tool rules and hooks: they change what its tools return and what it is told. */
  policy?: AgentConfig['policy'];
  hooks?: AgentConfig['hooks'];
  /**
   * The hash of its working tree (activities/result-cache.ts treeHash): a writer's is its whole
   * worktree's, which its commit is made on.
   */
  tree: string;
  /** A writer: where in the repository it works (its cwd under the worktree's root). */
  at?: string;
  /**
   * The same subtask asked again in one swarm (N identical agents, for a vote) is N entries:
   * each one's own answer, not the first one's N times.
   */
  occurrence: number;
}

/** The parts of a member's key its configuration gives (the tree and occurrence come apart). */
export function keyPartsOf(config: AgentConfig, task: string): Omit<CacheKeyParts, 'tree' | 'occurrence'> {
  return {
    task,
    ...(config.context ? { context: config.context } : {}),
    model: config.model,
    ...(config.backend ? { backend: config.backend } : {}),
    // The fallback may have answered instead: another fallback, another answer.
    ...(config.fallback ? { fallback: config.fallback } : {}),
    systemPrompt: config.systemPrompt,
    type: config.type,
    ...(config.temperature === undefined ? {} : { temperature: config.temperature }),
    tools: [...new Set(config.tools)].sort(),
    limits: config.limits,
    ...(config.policy ? { policy: config.policy } : {}),
    ...(config.hooks ? { hooks: config.hooks } : {}),
  };
}

/** JSON with every object's keys sorted: equal values, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** Bumped when what a key covers changes: older entries are then never found. */
const KEY_VERSION = 1;

/** The cache key of a member's subtask: hex SHA-256 of its parts' canonical JSON. */
export function cacheKey(parts: CacheKeyParts): string {
  return sha256Hex(canonicalJson({ v: KEY_VERSION, ...parts }));
}

export const cacheKeySchema = lazy(() => z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256'));

/** What the cache keeps of a member that completed. */
export interface CacheEntry {
  result: string;
  status: CachedStatus;
  /** What it cost when it ran (a hit costs nothing). */
  usage: Usage;
  metrics?: AgentMetrics;
  /** The swarm member that did the work, and when. */
  agentId: string;
  createdAt: string;
  /**
   * A writer's work: the commit on its branch, kept reachable by the ref `cacheWorkRef` in the
   * repository (its git common dir) as long as the entry is kept.
   */
  work?: { commit: string; repo?: string };
}

/**
 * The ref that keeps a writer's recorded commit after its branch is deleted, in its repository:
 * outside refs/heads (no branch to list) and outside refs/orchestra/<swarm> (a swarm named
 * "cache" has refs there).
 */
export const CACHE_REFS = 'refs/orchestra-cache';
export const cacheWorkRef = (workspace: string, key: string): string =>
  `${CACHE_REFS}/${refComponent(workspace)}/${key}`;

export const cacheEntrySchema = lazy(() =>
  z
    .object({
      result: z.string(),
      status: z.enum(CACHED_STATUSES),
      usage: z.looseObject({}),
      metrics: z.looseObject({}).optional(),
      agentId: z.string().min(1).max(300),
      createdAt: z.string().min(1).max(100),
      work: z
        .object({
          commit: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a commit id'),
          repo: z
            .string()
            .regex(/^\/[^\0]{0,4095}$/, 'an absolute path')
            .optional(),
        })
        .strict()
        .optional(),
    })
    .strict(),
);

/** Where a writer works, for its key and its work: its worktree's root, its cwd under it, the repository. */
export interface WorkSite {
  root: string;
  at: string;
  repoRoot: string;
}

/** A working tree's hash, or why there is none (too big, unreadable): then the member is not cached. */
export type TreeHash = { hash: string } | { skipped: string };
