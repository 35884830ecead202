/**
 * In a shard (test/shards/), the suites that take the harness as it comes share one: its worker
 * (whose start costs ~1 CPU-s and ~2.5 s: two workflow threads loading the SDK and the bundles),
 * its model server and its queue. Suites of a shard run one after another, and each gets the
 * shared harness as a fresh one would be: the model server reset, and, when it ends, every
 * workflow still open on the queue terminated and its directories removed. A suite that stops or
 * starts workers on the shared queue, or needs other options, has a harness of its own; one on a
 * queue of the suite's own it may start (and stop).
 */
import type { Client } from '@temporalio/client';
import { startHarness, type Harness } from './harness';
import { until } from './poll';

let sharing = false;
let shared: Promise<Harness> | undefined;

/** Called by a shard file: its suites' default harnesses are one, closed after the last suite. */
export function shareHarnesses(): void {
  sharing = true;
  afterAll(async () => {
    const harness = await shared;
    shared = undefined;
    await harness?.close();
  });
}

export const harnessesShared = (): boolean => sharing;

/** The shard's harness for one suite, as a fresh one would be. */
export async function leaseSharedHarness(): Promise<{ harness: Harness; release(): Promise<void> }> {
  const base = await (shared ??= startHarness());
  base.model.reset();
  const own = (what: string) => () => {
    throw new Error(
      `${what}: this suite shares its shard's worker; give it a harness of its own: useHarness({ own: true })`,
    );
  };
  const harness: Harness = Object.create(base, {
    // A worker on a queue of the suite's own (a `location`) leaves the shard's queue as it was.
    startWorker: {
      value: (queue?: string) =>
        queue !== undefined && queue !== base.taskQueue ? base.startWorker(queue) : own('startWorker')(),
    },
    stopWorkers: { value: own('stopWorkers') },
    workers: { get: own('workers') },
    close: { value: own('close') },
  }) as Harness;
  return {
    harness,
    async release() {
      await endOpenWorkflows(base.client, base.taskQueue);
      await base.removeTempDirs();
    },
  };
}

/**
 * Terminate whatever the suite left running on the queue (busy agents, sessions, swarms), so
 * none of it works on into the next suite; looked at again until the queue shows none (one
 * visibility has not listed yet is ended after the next suite).
 */
async function endOpenWorkflows(client: Client, taskQueue: string): Promise<void> {
  const query = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
  const terminate = (workflowId: string) =>
    client.workflow
      .getHandle(workflowId)
      .terminate('the suite that started it ended')
      .catch(() => undefined);
  await until(
    async () => {
      const open: string[] = [];
      for await (const run of client.workflow.list({ query })) open.push(run.workflowId);
      await Promise.all(open.map(terminate));
      return open.length;
    },
    (left) => left === 0,
    `the workflows left open on ${taskQueue} ended`,
    10_000,
    200,
  );
}
