/**
 * The task queues Orchestra uses beside the one a client names for its agents, sessions and
 * swarms (and the model calls and tools they run there). Pure.
 */

const MODEL_QUEUE_SUFFIX = '-model';

/**
 * The task queue where a fleet keeps the provider's rate limit (the server counts what passes
 * through it). Fleets without one run model calls on the agent's own queue.
 */
export function modelQueue(taskQueue: string): string {
  return `${taskQueue}${MODEL_QUEUE_SUFFIX}`;
}

export function isModelQueue(taskQueue: string): boolean {
  return taskQueue.endsWith(MODEL_QUEUE_SUFFIX);
}

/**
 * The task queue of the day ledgers. Every worker polls it, whatever its own queue: a
 * ledger started by an agent on one queue must outlive that queue's workers, or every
 * later charge of the workspace's day would wait for a worker that never comes.
 */
export const LEDGER_QUEUE = 'orchestra-cost-ledgers';

/** A workspace's zones store runs there too, for the same reason: it outlives any agent queue. */
export const ZONES_QUEUE = LEDGER_QUEUE;

/**
 * A task queue an agent (or its tools) may be placed on: served by workers elsewhere (another
 * machine, a container, a GPU box). Not a model queue, which only runs model calls. Pure.
 */
export const LOCATION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
export function locationProblem(queue: string): string | undefined {
  if (!LOCATION_PATTERN.test(queue)) return 'letters, digits, ".", "_" and "-", at most 100';
  if (isModelQueue(queue)) return 'a "-model" queue runs model calls only';
  if (queue === LEDGER_QUEUE) return "the cost ledgers' queue runs no agents";
  return undefined;
}
