/** The git steps' activities as a swarm calls them (isolation.ts, resolution.ts), with one profile. */
import * as wf from '@temporalio/workflow';
import { WorktreeFailure } from '../../src/domain/worktrees';
import type * as git from '../../activities/worktrees';

export const gitSteps = wf.proxyActivities<typeof git>({
  startToCloseTimeout: '10 minutes',
  // A git step heartbeats every 5 s; a worker that died mid-step is noticed within this.
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '1 second',
    maximumInterval: '20 seconds',
    // Only a live git holding a lock (GitBusy) is worth waiting for; the rest says what is wrong.
    nonRetryableErrorTypes: Object.values(WorktreeFailure).filter((t) => t !== WorktreeFailure.busy),
  },
});

/** Why an activity failed, for a person. */
export const reason = (err: unknown): string =>
  err instanceof wf.ActivityFailure ? (err.cause?.message ?? err.message) : String(err);

/** The failure type of an activity's failure, if it has one. */
export const failureType = (err: unknown): string | undefined =>
  err instanceof wf.ActivityFailure && err.cause instanceof wf.ApplicationFailure
    ? (err.cause.type ?? undefined)
    : undefined;
