/**
 * The swarm result cache, the workflow's side: a member whose tools only read is looked up by
 * the key of its subtask (src/domain/result-cache.ts) before it starts, and its answer kept
 * once it completed. A writer in a git worktree of its own is looked up once placed there, and
 * kept with its work, its commit (isolation.ts lands that again on a hit). The tree hash, the
 * lookup and the store are activities (activities/result-cache.ts); when one fails the member
 * simply runs, uncached, and says why.
 */
import * as wf from '@temporalio/workflow';
import type { AgentConfig } from '../../src/domain/agent';
import type { SwarmEventBody } from '../../src/domain/events';
import {
  cacheAs,
  cacheKey,
  canonicalJson,
  isCachedStatus,
  keyPartsOf,
  type CacheEntry,
  type TreeHash,
  type WorkSite,
} from '../../src/domain/result-cache';
import { sha256Hex } from '../../src/domain/sha256';
import type { SwarmInput } from '../../src/domain/swarm';
import type { SwarmAgent } from '../../src/domain/swarm-outcome';
import type { resultCacheActivities } from '../../activities/result-cache';

type CacheActivities = ReturnType<typeof resultCacheActivities>;

/** Short steps on the worker's disk, as isolation.ts's git steps: a few tries, then the member runs uncached. */
const OPTIONS: wf.ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '10 seconds',
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['BadCacheInput'],
  },
};
const activities = wf.proxyActivities<CacheActivities>(OPTIONS);

/** The workspace of a swarm started without one (src/config.ts DEFAULTS.ORCHESTRA_WORKSPACE). */
const DEFAULT_WORKSPACE = 'default';

/** Writers are looked up: swarms started before replay as they ran (their writers never were). */
const WRITERS_PATCH = 'swarm-result-cache-writers';

/** What storing a missed member's answer needs: its key, and the tree it was computed on. */
export interface CacheTicket {
  key: string;
  tree: string;
  cwd: string;
  toolsQueue?: string;
  /** A writer's: the repository its work is committed in. */
  repoRoot?: string;
}

export type Lookup = { hit: CacheEntry } | { ticket: CacheTicket } | undefined;

const reason = (err: unknown): string =>
  err instanceof wf.ActivityFailure ? (err.cause?.message ?? err.message) : String(err);

export class MemberCache {
  hits = 0;
  misses = 0;
  /** How often each subtask was asked for so far in this swarm (by the hash of its parts). */
  private readonly asked = new Map<string, number>();

  constructor(
    private readonly input: SwarmInput,
    private readonly record: (body: SwarmEventBody) => void,
  ) {}

  /** Whether this swarm uses the cache at all (started with `cache`, not `--no-cache`). */
  get on(): boolean {
    return this.input.cache === true;
  }

  /**
   * Whether to look a member up, and as what: a reader, or a writer in a git worktree of its own
   * (`tree`: where it works), in swarms using the cache; a member that is not says why.
   * Synchronous, so that a member that is not looked up starts exactly as it did before.
   */
  wants(agent: SwarmAgent, config: AgentConfig, tree: 'worktree' | 'copy' | undefined) {
    if (!this.on) return undefined;
    const as = cacheAs(config, tree);
    if (as === 'reader') return wf.patched('swarm-result-cache') ? as : undefined;
    if (as === 'writer') return wf.patched(WRITERS_PATCH) ? as : undefined;
    this.record({ type: 'cache_skipped', agentId: agent.id, reason: as.skipped });
    return undefined;
  }

  /**
   * A hit, or a miss with its ticket to store; undefined when the cache could not say (an event
   * says why). A writer (`site`) is keyed with its whole worktree, where its commit is made.
   */
  async lookup(agent: SwarmAgent, config: AgentConfig, task: string, site?: WorkSite): Promise<Lookup> {
    const parts = keyPartsOf(config, task);
    const same = sha256Hex(canonicalJson(parts));
    const occurrence = this.asked.get(same) ?? 0;
    this.asked.set(same, occurrence + 1);
    // A reader's tools read where they run: the tree is hashed there. A writer's worktree is
    // where the git steps run.
    const toolsQueue = site ? undefined : (config.toolsLocation ?? config.location);
    const tree = await this.treeHash(agent, site?.root ?? config.cwd, toolsQueue);
    if (!tree) return undefined;
    const key = cacheKey({ ...parts, tree, ...(site ? { at: site.at } : {}), occurrence });
    const repoRoot = site?.repoRoot;
    const entry = await this.guarded(agent, 'lookup', () =>
      activities.cacheLookup({ key, workspace: this.workspace, ...(repoRoot ? { repoRoot } : {}) }),
    );
    if (entry === false) return undefined;
    if (entry) {
      this.hits++;
      return { hit: entry };
    }
    this.misses++;
    const where = { ...(toolsQueue ? { toolsQueue } : {}), ...(repoRoot ? { repoRoot } : {}) };
    return { ticket: { key, tree, cwd: config.cwd, ...where } };
  }

  /**
   * Keep a missed member's answer, when it completed and its tree is as it was at its start
   * (another agent writing beside it would make the answer one of a tree the key does not name).
   * A writer's tree is its own: kept with its work, the commit it left (`commit`), if any.
   */
  async store(ticket: CacheTicket, agent: SwarmAgent, commit?: string): Promise<void> {
    if (!isCachedStatus(agent.status) || agent.result === undefined) return;
    const { repoRoot } = ticket;
    if (repoRoot && !commit) {
      this.record({ type: 'cache_skipped', agentId: agent.id, reason: 'its work is not on its branch' });
      return;
    }
    if (!repoRoot) {
      const tree = await this.treeHash(agent, ticket.cwd, ticket.toolsQueue);
      if (!tree) return;
      if (tree !== ticket.tree) {
        this.record({ type: 'cache_skipped', agentId: agent.id, reason: 'its tree changed while it ran' });
        return;
      }
    }
    const entry: CacheEntry = {
      result: agent.result,
      status: agent.status,
      usage: agent.usage,
      ...(agent.metrics ? { metrics: agent.metrics } : {}),
      agentId: agent.id,
      createdAt: new Date().toISOString(),
      ...(repoRoot ? { work: { commit: commit! } } : {}),
    };
    await this.guarded(agent, 'store', () =>
      activities.cacheStore({
        key: ticket.key,
        workspace: this.workspace,
        entry,
        ...(repoRoot ? { repoRoot } : {}),
      }),
    );
  }

  /** Stats: served from the cache, and looked up but not there. */
  stats(): { hits: number; misses: number } | undefined {
    return this.on ? { hits: this.hits, misses: this.misses } : undefined;
  }

  private get workspace(): string {
    return this.input.workspace ?? DEFAULT_WORKSPACE;
  }

  private async treeHash(agent: SwarmAgent, cwd: string, queue?: string): Promise<string | undefined> {
    const proxy = queue ? wf.proxyActivities<CacheActivities>({ ...OPTIONS, taskQueue: queue }) : activities;
    const tree = await this.guarded<TreeHash>(agent, 'tree hash', () => proxy.treeHash({ cwd }));
    if (tree === false) return undefined;
    if ('skipped' in tree) {
      this.record({ type: 'cache_skipped', agentId: agent.id, reason: tree.skipped });
      return undefined;
    }
    return tree.hash;
  }

  /** A cache step's failure is an event and "not cached"; a cancellation goes on up. */
  private async guarded<T>(agent: SwarmAgent, step: string, run: () => Promise<T>): Promise<T | false> {
    try {
      return await run();
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      this.record({
        type: 'cache_skipped',
        agentId: agent.id,
        reason: `cache ${step} failed: ${reason(err)}`,
      });
      return false;
    }
  }
}
