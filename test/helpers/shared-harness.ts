/**
 * In a shard (test/shards/), the suites that take the harness as it comes share one: its worker
 * (whose start costs ~1 CPU-s and ~2.5 s: two workflow threads loading the SDK and the bundles),
 * its model server and its queue. Suites of a shard run one after another, and each gets the
 * shared harness as a fresh one would be: the model server reset, and, when it ends, every
 * workflow still open on the queue terminated and its directories removed. A suite that stops or
 * starts workers, or needs other options, has a harness of its own.
 */
import { rm } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { startHarness, type Harness } from './harness';

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
  const dirs: string[] = [];
  const own = (what: string) => () => {
    throw new Error(
      `${what}: this suite shares its shard's worker; give it a harness of its own: useHarness({ own: true })`,
    );
  };
  const harness: Harness = Object.create(base, {
    startWorker: { value: own('startWorker') },
    stopWorkers: { value: own('stopWorkers') },
    workers: { get: own('workers') },
    close: { value: own('close') },
    tempDir: {
      value: async () => {
        const dir = await base.tempDir();
        dirs.push(dir);
        return dir;
      },
    },
  }) as Harness;
  return {
    harness,
    async release() {
      await endOpenWorkflows(base.client, base.taskQueue);
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}

/**
 * Terminate whatever the suite left running on the queue (busy agents, sessions, swarms), so
 * none of it works on into the next suite. Visibility lists a new workflow a moment late: the
 * queue is looked at until it shows none running (a straggler is ended after the next suite).
 */
async function endOpenWorkflows(client: Client, taskQueue: string): Promise<void> {
  const query = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
  for (let look = 0; look < 3; look++) {
    const open: string[] = [];
    for await (const run of client.workflow.list({ query })) open.push(run.workflowId);
    if (open.length === 0 && look > 0) return;
    await Promise.all(
      open.map((id) =>
        client.workflow
          .getHandle(id)
          .terminate('the suite that started it ended')
          .catch(() => undefined),
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
  }
}
