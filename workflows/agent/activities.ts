/** One proxy per timeout/retry profile: the model, the fast file tools, and bash. */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities';
import { ModelFailure, type AgentTuning } from '../../src/domain';

/** Model calls: long, streamed, heartbeating; rate limits and overloads back off and retry. */
export function modelActivities(tuning: AgentTuning) {
  return proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: `${tuning.modelHeartbeatTimeoutSeconds} seconds`,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 10,
      nonRetryableErrorTypes: [ModelFailure.rejected],
    },
  });
}

/** Reads, lists, greps and whole-file writes are idempotent: retry them. */
export const idempotentTools = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

/**
 * bash and edit_file are not idempotent: one attempt only. If a worker dies mid-call the
 * model is told the call did not complete, rather than the command running twice.
 */
export const onceOnlyTools = proxyActivities<Activities>({
  startToCloseTimeout: '11 minutes', // bash's own timeout is at most 10
  heartbeatTimeout: '15 seconds',
  retry: { maximumAttempts: 1 },
});
