/**
 * Whether a worker on this host polls a task queue: a container's health check
 * (`orchestra health --worker`) asks the server, which sees every poll, rather than the worker.
 */
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** A poll waits up to a minute on an idle queue; a live worker starts another at once. */
export const POLLED_WITHIN_MS = 90_000;

export interface Poller {
  identity: string;
  /** Since its last poll began. */
  agoMs: number;
}

/** The pollers of `taskQueue`'s workflow tasks whose identity (`pid@host`, the SDK's default) names `host`. */
export async function pollersOn(
  client: Client,
  taskQueue: string,
  host = hostname(),
  now = Date.now(),
): Promise<Poller[]> {
  return (await pollersOf(client, taskQueue, now)).filter((p) => p.identity.endsWith(`@${host}`));
}

/** Every live poller of `taskQueue`'s workflow tasks: one per worker. */
export async function pollersOf(client: Client, taskQueue: string, now = Date.now()): Promise<Poller[]> {
  const described = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  return (described.pollers ?? [])
    .map((p) => ({
      identity: p.identity ?? '',
      agoMs:
        now -
        Number(p.lastAccessTime?.seconds ?? 0) * 1000 -
        Math.floor((p.lastAccessTime?.nanos ?? 0) / 1e6),
    }))
    .filter((p) => p.agoMs <= POLLED_WITHIN_MS);
}
