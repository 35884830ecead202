/** Running the minimal Temporal loop beside Orchestra: its own worker and queue, the same server. */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { Harness } from '../helpers/harness';
import { createMinimalActivities } from './minimal-activities';
import type { minimalLoop } from './minimal-workflow';

export interface MinimalWorker {
  taskQueue: string;
  /** Run one loop to its end; returns its workflow id. */
  run(task: string, cwd: string, turns?: number): Promise<string>;
  stop(): Promise<void>;
}

/** A worker for the minimal loop on the harness's connection (so the same dev server), its own queue. */
export async function startMinimalWorker(
  h: Harness,
  overrides: Partial<WorkerOptions> = {},
): Promise<MinimalWorker> {
  const taskQueue = `minimal-${randomUUID().slice(0, 8)}`;
  const worker = await Worker.create({
    connection: h.connection,
    namespace: 'default',
    taskQueue,
    workflowsPath: require.resolve('./minimal-workflow'),
    activities: createMinimalActivities(h.model.url),
    ...overrides,
  });
  const running = worker.run();
  return {
    taskQueue,
    run: (task, cwd, turns = 1000) => runMinimal(h.client, taskQueue, task, cwd, turns),
    async stop() {
      worker.shutdown();
      await running;
    },
  };
}

async function runMinimal(
  client: Client,
  taskQueue: string,
  task: string,
  cwd: string,
  turns: number,
): Promise<string> {
  const workflowId = `minimal-${randomUUID()}`;
  await client.workflow.execute<typeof minimalLoop>('minimalLoop', {
    taskQueue,
    workflowId,
    args: [{ task, cwd, turns }],
  });
  return workflowId;
}
