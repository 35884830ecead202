/**
 * One timeout/retry profile per kind of activity: the model, bookkeeping, the checkpoint;
 * the tools' own are in src/domain/tool-profiles.ts, named by the tools table. Each call
 * carries a one-line summary for the Web UI's timeline.
 */
import {
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../../activities';
import type { AgentTuning } from '../../src/domain/agent';
import { ModelFailure } from '../../src/domain/failures';
import { oneLine } from '../../src/domain/one-line';

// The tools' profiles live with the tools (src/domain/tool-profiles.ts); others use them too.
export { IDEMPOTENT_TOOL, LOCAL_READ, ONCE_ONLY_TOOL } from '../../src/domain/tool-profiles';

/** The wait before a model call's second attempt. */
export const MODEL_FIRST_BACKOFF = '1 second';

/**
 * Model calls: long, streamed, heartbeating; rate limits and overloads back off and retry,
 * `modelMaxAttempts` times in all (`attemptsUsed` of them spent already, on a local call).
 */
export function modelProfile(tuning: AgentTuning, attemptsUsed = 0): ActivityOptions {
  const attempts = tuning.modelMaxAttempts ?? 10;
  return {
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: `${tuning.modelHeartbeatTimeoutSeconds} seconds`,
    retry: {
      initialInterval: MODEL_FIRST_BACKOFF,
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: Math.max(1, attempts - attemptsUsed),
      nonRetryableErrorTypes: [ModelFailure.rejected],
    },
  };
}

/**
 * A short model call as a local activity: one attempt, since a failed one is retried as a
 * queued call, where backoff, heartbeats and the fallback model apply.
 */
export const LOCAL_MODEL: LocalActivityOptions = {
  startToCloseTimeout: '10 minutes',
  retry: { maximumAttempts: 1 },
};

/**
 * Charging the ledgers: a couple of Updates, idempotent by call id, so a local activity
 * (a crash that repeats one counts it once).
 */
export const LOCAL_BOOKKEEPING: LocalActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};

/** The last charge of an agent: the same, queued. */
export const BOOKKEEPING: ActivityOptions = { ...LOCAL_BOOKKEEPING };

/**
 * The checkpoint after a run of local steps: a no-op on the agent's own queue, which the
 * server hands back to the worker with the completed workflow task (eager dispatch).
 */
export const CHECKPOINT: ActivityOptions = {
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '100 milliseconds', maximumAttempts: 5 },
};

/** The activities (of interface `A`) under `profile`, labelled `summary` in the Web UI. */
export function activities<A extends object = Activities>(profile: ActivityOptions, summary: string) {
  return proxyActivities<A>({ ...profile, summary: oneLine(summary, 120) });
}

/** The same, as local activities. */
export function localActivities<A extends object = Activities>(
  profile: LocalActivityOptions,
  summary: string,
) {
  return proxyLocalActivities<A>({ ...profile, summary: oneLine(summary, 120) });
}
