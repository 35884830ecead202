/**
 * The swarm result cache, the workflow's side: a member whose tools only read is looked up by
 * the key of its subtask (src/domain/result-cache.ts) before it starts, and its answer kept
 * once it completed. The tree hash, the lookup and the store are activities
 * (activities/result-cache.ts); when one fails the member simply runs, uncached, and says why.
 */
import * as wf from '@temporalio/workflow';
import {
  cacheKey,
  canonicalJson,
  isCachedStatus,
  keyPartsOf,
  sha256Hex,
  uncacheable,
  type AgentConfig,
  type CacheEntry,
  type SwarmAgent,
  type SwarmEventBody,
  type SwarmInput,
  type TreeHash,
} from '../../src/domain';
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

/** What storing a missed member's answer needs: its key, and the tree it was computed on. */
export interface CacheTicket {
  key: string;
  tree: string;
  cwd: string;
  toolsQueue?: string;
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
   * Whether to look a member up: only readers, in swarms using the cache. Synchronous, so that a
   * member that is not looked up starts exactly as it did before the cache existed.
   */
  wants(config: AgentConfig): boolean {
    return this.on && !uncacheable(config) && wf.patched('swarm-result-cache');
  }

  /** A hit, or a miss with its ticket to store; undefined when the cache could not say (an event says why). */
  async lookup(agent: SwarmAgent, config: AgentConfig, task: string): Promise<Lookup> {
    const parts = keyPartsOf(config, task);
    const same = sha256Hex(canonicalJson(parts));
    const occurrence = this.asked.get(same) ?? 0;
    this.asked.set(same, occurrence + 1);
    // Its tools read where they run: the tree is hashed there.
    const toolsQueue = config.toolsLocation ?? config.location;
    const tree = await this.treeHash(agent, config.cwd, toolsQueue);
    if (!tree) return undefined;
    const key = cacheKey({ ...parts, tree, occurrence });
    const entry = await this.guarded(agent, 'lookup', () =>
      activities.cacheLookup({ key, workspace: this.workspace }),
    );
    if (entry === false) return undefined;
    if (entry) {
      this.hits++;
      return { hit: entry };
    }
    this.misses++;
    return { ticket: { key, tree, cwd: config.cwd, ...(toolsQueue ? { toolsQueue } : {}) } };
  }

  /**
   * Keep a missed member's answer, when it completed and its tree is as it was at its start
   * (another agent writing beside it would make the answer one of a tree the key does not name).
   */
  async store(ticket: CacheTicket, agent: SwarmAgent): Promise<void> {
    if (!isCachedStatus(agent.status) || agent.result === undefined) return;
    const tree = await this.treeHash(agent, ticket.cwd, ticket.toolsQueue);
    if (!tree) return;
    if (tree !== ticket.tree) {
      this.record({ type: 'cache_skipped', agentId: agent.id, reason: 'its tree changed while it ran' });
      return;
    }
    const entry: CacheEntry = {
      result: agent.result,
      status: agent.status,
      usage: agent.usage,
      ...(agent.metrics ? { metrics: agent.metrics } : {}),
      agentId: agent.id,
      createdAt: new Date().toISOString(),
    };
    await this.guarded(agent, 'store', () =>
      activities.cacheStore({ key: ticket.key, workspace: this.workspace, entry }),
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
