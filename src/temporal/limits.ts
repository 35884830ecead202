/**
 * The model-call limits of a queue's workers: a short `limitsWorkflow` on the queue, whose
 * local activity reports the limiter of the worker that ran it (activities/limiter-figures.ts).
 * One worker answers; the others' figures are their own, so the view says how many poll.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { LimitsView, WorkerLimits } from '../domain';
import { pollersOf } from './health';

/**
 * `read` waits for the answer: the SDK's gives up after a while and asks again
 * (src/temporal/look.ts); the API's runs under the request's own deadline.
 */
export async function modelLimits(
  client: Client,
  taskQueue: string,
  read: <T>(ask: () => Promise<T>) => Promise<T> = (ask) => ask(),
): Promise<LimitsView> {
  const handle = await client.workflow.start('limitsWorkflow', {
    taskQueue,
    workflowId: `limits-${randomUUID()}`,
    // Nobody waits for an answer longer; one that no worker took must not linger.
    workflowExecutionTimeout: '1 minute',
  });
  const [answer, pollers] = await Promise.all([
    read(() => handle.result() as Promise<WorkerLimits>),
    pollersOf(client, taskQueue),
  ]);
  const workers = new Set(pollers.map((p) => p.identity)).size;
  // The answering worker polls the queue, whatever the server's list says at this instant.
  return { ...answer, taskQueue, workers: Math.max(1, workers) };
}
