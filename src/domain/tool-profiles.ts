/**
 * The timeout/retry profiles of the tool activities, named in the tools table
 * (tools.ts). Pure data: the agent workflow passes them to `proxyActivities` as they are,
 * so changing one changes what running histories replay against.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/common';

/**
 * Reads, lists and greps take milliseconds and change nothing: local activities, run by
 * the worker inside the workflow task, with no server round trip. A crash before the task
 * completes runs one again, which does no harm.
 */
export const LOCAL_READ: LocalActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};

/** Whole-file writes are idempotent: retry them. */
export const IDEMPOTENT_TOOL: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
};

/**
 * bash and edit_file are not idempotent: one attempt only. If a worker dies mid-call the
 * model is told the call did not complete, rather than the command running twice.
 */
export const ONCE_ONLY_TOOL: ActivityOptions = {
  startToCloseTimeout: '11 minutes', // bash's own timeout is at most 10
  heartbeatTimeout: '15 seconds',
  retry: { maximumAttempts: 1 },
};
