/** Every activity, built from the worker's dependencies. Workflows import only the type. */
import { DEFAULTS, loadConfig } from '../src/config';
import type { OrchestraFile } from '../src/domain';
import { chargeCost, createLookupAgent, readContextFiles } from './governance';
import { createCallModel, createModelLimiter, type ModelDeps } from './model';
import { limiterFigures } from './limiter-figures';
import type { FleetRate } from './fleet-rate';
import { toolActivities } from './tools';
import * as worktrees from './worktrees';
import * as copies from './copies';
import { resultCacheActivities, type ResultCacheOptions } from './result-cache';

export interface ActivityDeps extends ModelDeps {
  /** The fleet's model-call rate, when ORCHESTRA_MODEL_RPM is set: `orchestra limits` shows it. */
  fleet?: FleetRate;
  /** The config file: the registry the `task` tool's `agent` is looked up in. */
  file?: OrchestraFile;
  /**
   * The model a registry entry without a model or tier rule gets.
   * @default DEFAULTS.ORCHESTRA_MODEL (src/config.ts)
   */
  defaultModel?: string;
  /**
   * Where the swarm result cache keeps its entries, and how many.
   * @default loadConfig().resultCache (ORCHESTRA_CACHE_DIR, src/config.ts)
   */
  resultCache?: ResultCacheOptions;
}

export function createActivities(deps: ActivityDeps) {
  // One per worker: its model calls, local and queued, and the figures `orchestra limits` shows.
  const limiter = deps.limiter ?? createModelLimiter(deps.modelLimits, deps.fleet);
  return {
    callModel: createCallModel({ ...deps, limiter }),
    limiterFigures: limiterFigures(limiter, deps.fleet),
    ...toolActivities,
    // A swarm's git worktrees (workflows/swarm/isolation.ts).
    ...worktrees,
    // A swarm's copies of a directory, in copy mode (workflows/swarm/copies.ts).
    ...copies,
    // The swarm result cache (workflows/swarm/cache.ts).
    ...resultCacheActivities(deps.resultCache ?? loadConfig().resultCache),
    readContextFiles,
    chargeCost,
    /** Does nothing: scheduling it completes the workflow task, so the history catches up (run.ts). */
    checkpoint: async (): Promise<void> => {},
    lookupAgent: createLookupAgent(deps.file ?? {}, deps.defaultModel ?? DEFAULTS.ORCHESTRA_MODEL),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { CallModelInput } from './model';
