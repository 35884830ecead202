/**
 * A worker in a process of its own, so the soak can kill -9 it. test/helpers/worker-process.ts
 * finds the built worker from the test sources (jest); this one from the built soak script.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { Harness } from '../helpers/harness';

/** dist/workers/main.js, seen from dist/test/soak/. */
export const WORKER_ENTRY = path.resolve(__dirname, '../../workers/main.js');

export interface WorkerProcess {
  child: ChildProcess;
  kill9(): void;
  stop(): Promise<void>;
}

export function startWorkerProcess(h: Harness, env: Record<string, string> = {}): WorkerProcess {
  if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: run \`npm run build\``);
  const child = spawn(process.execPath, [WORKER_ENTRY], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: h.address,
      ORCHESTRA_TASK_QUEUE: h.taskQueue,
      ANTHROPIC_BASE_URL: h.model.url,
      ANTHROPIC_API_KEY: 'test-key',
      ORCHESTRA_LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    kill9: () => child.kill('SIGKILL'),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Resolves once every one of `workers` polls the harness's workflow queue (the SDK names a worker `<pid>@<host>`). */
export async function polling(h: Harness, workers: WorkerProcess[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { pollers } = await h.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: h.taskQueue },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    const ids = (pollers ?? []).map((p) => p.identity ?? '');
    if (workers.every((w) => ids.some((id) => id.startsWith(`${w.child.pid}@`)))) return;
    if (Date.now() > deadline) throw new Error(`worker processes not polling within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
